import pytest
import torch

from hatlib.activations import ACTIVATIONS, UnknownNameError, get_activation, hat


@pytest.mark.parametrize(
    ("x", "expected"),
    [(-1.0, 0.0), (0.0, 0.0), (0.25, 0.25), (1.0, 1.0), (1.5, 0.5), (2.0, 0.0), (3.0, 0.0)],
)
def test_hat_values(x, expected):
    assert hat(torch.tensor(x, dtype=torch.float64)).item() == pytest.approx(expected, abs=1e-15)


def test_hat_equals_combination_of_relus():
    x = torch.linspace(-3, 5, 2001, dtype=torch.float64)
    relu = torch.relu
    expected = relu(x) - 2 * relu(x - 1) + relu(x - 2)
    torch.testing.assert_close(hat(x), expected, rtol=0, atol=1e-14)


def test_hat_gradient_matches_finite_differences_away_from_kinks():
    # Points in each linear piece, away from the kinks at 0, 1 and 2.
    x = torch.tensor(
        [-0.7, -0.1, 0.2, 0.6, 0.95, 1.05, 1.4, 1.9, 2.3, 4.0],
        dtype=torch.float64,
        requires_grad=True,
    )
    assert torch.autograd.gradcheck(hat, (x,), eps=1e-6, atol=1e-8)


def test_hat_gradient_values():
    x = torch.tensor([-0.5, 0.5, 1.5, 2.5], dtype=torch.float64, requires_grad=True)
    hat(x).sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, -1.0, 0.0]


def test_registry_names_and_unknown_name_lists_valid_choices():
    assert set(ACTIVATIONS) == {"relu", "hat", "tanh", "bspline2", "bspline3"}
    assert get_activation("hat").function is hat
    with pytest.raises(UnknownNameError) as error:
        get_activation("sigmoid")
    message = str(error.value)
    assert "'sigmoid'" in message
    for name in ACTIVATIONS:
        assert name in message


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_every_activation_has_a_known_initialisation(name):
    from hatlib.models import INITIALISATIONS

    assert ACTIVATIONS[name].initialisation in INITIALISATIONS


def _reference_hat(x):
    return torch.relu(x) - 2 * torch.relu(x - 1) + torch.relu(x - 2)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_hat_gradient_equals_reference_including_kinks(dtype):
    x = torch.tensor([-1.0, 0.0, 0.5, 1.0, 1.5, 2.0, 3.0], dtype=dtype)
    x = torch.cat([x, torch.linspace(-1, 3, 401, dtype=dtype)])
    fused = x.clone().requires_grad_()
    reference = x.clone().requires_grad_()
    weights = torch.linspace(-2, 2, len(x), dtype=dtype)
    (hat(fused) * weights).sum().backward()
    (_reference_hat(reference) * weights).sum().backward()
    torch.testing.assert_close(hat(x), _reference_hat(x))  # equal up to rounding
    assert torch.equal(fused.grad, reference.grad)
    # Slopes at -1, 0, 0.5, 1, 1.5, 2, 3: the documented convention at the kinks.
    slopes = torch.tensor([0, 0, 1, 1, -1, -1, 0], dtype=dtype)
    assert torch.equal(fused.grad[:7], weights[:7] * slopes)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_fused_hat_gives_the_same_values_and_gradients_bit_for_bit(dtype, monkeypatch):
    import hatlib.activations
    from hatlib.kernels import cpu_kernel

    assert cpu_kernel() is not None
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(3, 50, 64, generator=generator, dtype=dtype) * 2 + 1
    x[0, 0, :5] = torch.tensor([0.0, 1.0, 2.0, 0.5, 1.5])  # the kinks and both sides
    weights = torch.randn(x.shape, generator=generator, dtype=dtype)

    def value_and_gradient():
        leaf = x.clone().requires_grad_()
        value = hatlib.activations.hat(leaf)
        (gradient,) = torch.autograd.grad((value * weights).sum(), leaf)
        return value.detach(), gradient

    assert hatlib.activations._fused_kernel(x) is not None  # the first run is the fused one
    fused = value_and_gradient()
    with monkeypatch.context() as patch:
        patch.setattr(hatlib.activations, "_fused_kernel", lambda x: None)
        plain = value_and_gradient()
    assert torch.equal(fused[0], plain[0]) and torch.equal(fused[1], plain[1])
    assert torch.equal(plain[1][0, 0, :5], weights[0, 0, :5] * torch.tensor([0, 1, -1, 1, -1]))

import math

import pytest
import torch

from hatlib.activations import ACTIVATIONS, SLOPES, bspline2, bspline3
from hatlib.models import build_shallow_network
from hatlib.targets import sine_dataset
from hatlib.training import TrainingConfig, train

X = torch.linspace(-1.0, 5.0, 6001, dtype=torch.float64)


@pytest.mark.parametrize(
    ("function", "degree", "peak"), [(bspline2, 2, 0.75), (bspline3, 3, 2.0 / 3.0)]
)
def test_cardinal_bsplines(function, degree, peak):
    values = function(X)
    assert values.max().item() == pytest.approx(peak)
    assert values[(X < 0) | (X > degree + 1)].abs().max() == 0
    # partition of unity: the integer shifts sum to one
    shifted = sum(function(X[:, None] - k) for k in range(-degree - 2, 3)).squeeze()
    inside = (X > 0) & (X < 1)
    assert torch.allclose(shifted[inside], torch.ones_like(shifted[inside]))
    # the truncated-power form (1/p!) sum_i (-1)^i C(p+1, i) (x - i)_+^p
    power = sum(
        (-1) ** i * math.comb(degree + 1, i) * torch.relu(X - i) ** degree
        for i in range(degree + 2)
    ) / math.factorial(degree)
    torch.testing.assert_close(values, power)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_slopes_are_the_derivatives(name):
    # every registered activation has its derivative written out, equal to autograd's
    x = X.clone().requires_grad_(True)
    (gradient,) = torch.autograd.grad(ACTIVATIONS[name].function(x).sum(), x)
    torch.testing.assert_close(SLOPES[name](X), gradient)


def test_far_from_the_support_the_value_is_an_exact_zero():
    far = torch.tensor([300.0, -300.0, 1e6], dtype=torch.float32)
    assert bspline3(far).abs().max() == 0 and bspline2(far).abs().max() == 0


@pytest.mark.parametrize("activation", ["bspline2", "bspline3"])
def test_bspline_networks_train_on_the_grid(activation):
    data = sine_dataset(4, 128)
    model = build_shallow_network(activation, 32, "fem_grid", seeds=(0, 1), dtype=torch.float64)
    x = torch.tensor(data["x"].to_numpy())
    features = model.features(x)[0]  # (N, width)
    interior = (x > 0.1) & (x < 0.9)
    torch.testing.assert_close(
        features[interior].sum(dim=1), torch.ones(int(interior.sum())).double()
    )
    config = TrainingConfig("adam", 0.01, 300, 50)
    result = train(model, data["x"].to_numpy(), data["y"].to_numpy(), config, [4])
    errors = result.history.groupby("step")["relative_l2_error"].max()
    assert errors.iloc[-1] < 0.1 * errors.iloc[0]


@pytest.mark.parametrize("name", ["bspline2", "bspline3"])
def test_fused_kernel_matches_the_tensor_path_on_every_piece(name):
    from hatlib.kernels import reference_loss_and_gradients, shallow_loss_and_gradients

    # pre-activations w x + b sweep [-1, 5]: every piece and both sides of the support
    x = torch.linspace(-1.0, 5.0, 601, dtype=torch.float64)
    generator = torch.Generator().manual_seed(0)
    w = 1.0 + 0.1 * torch.rand(2, 8, generator=generator, dtype=torch.float64)
    b = 0.2 * torch.randn(2, 8, generator=generator, dtype=torch.float64)
    a = torch.randn(2, 8, generator=generator, dtype=torch.float64)
    c = torch.zeros(2, dtype=torch.float64)
    y = torch.sin(x).expand(2, -1).contiguous()
    fused = shallow_loss_and_gradients(x, y, w, b, a, c, name)
    reference = reference_loss_and_gradients(x, y, w, b, a, c, name)
    for got, expected in zip(fused, reference, strict=True):
        torch.testing.assert_close(got, expected, rtol=1e-12, atol=1e-12)

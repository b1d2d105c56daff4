import pytest
import torch

from hatlib.activations import get_activation
from hatlib.kernels import (
    KERNEL_CODES,
    cpu_kernel,
    reference_loss_and_gradients,
    shallow_loss_and_gradients,
)


def _autograd(x, y, w, b, a, c, activation):
    parameters = [t.clone().requires_grad_() for t in (w, b, a, c)]
    w, b, a, c = parameters
    function = get_activation(activation).function
    output = torch.einsum("snm,sm->sn", function(x[None, :, None] * w[:, None] + b[:, None]), a)
    loss = ((output + c[:, None] - y) ** 2).mean(dim=1)
    return (loss.detach(), *torch.autograd.grad(loss.sum(), parameters))


def _problem(seeds=3, points=64, width=16, dtype=torch.float64):
    generator = torch.Generator().manual_seed(0)
    x = torch.arange(points, dtype=dtype) / points
    y = torch.randn(seeds, points, generator=generator, dtype=dtype)
    # Inner weights on a grid put pre-activations exactly on the kinks at some points.
    w = torch.full((seeds, width), float(width), dtype=dtype)
    b = torch.randint(-width, 2, (seeds, width), generator=generator).to(dtype)
    a = torch.randn(seeds, width, generator=generator, dtype=dtype)
    c = torch.randn(seeds, generator=generator, dtype=dtype)
    return x, y, w, b, a, c


def test_cpu_kernel_builds():
    assert cpu_kernel() is not None


@pytest.mark.parametrize("activation", sorted(KERNEL_CODES))
@pytest.mark.parametrize(
    "implementation", [shallow_loss_and_gradients, reference_loss_and_gradients]
)
def test_fused_gradients_equal_autograd(activation, implementation):
    problem = _problem()
    expected = _autograd(*problem, activation)
    *values, output = implementation(*problem, activation)
    x, _, w, b, a, c = problem
    function = get_activation(activation).function
    forward = torch.einsum("snm,sm->sn", function(x[None, :, None] * w[:, None] + b[:, None]), a)
    torch.testing.assert_close(output, forward + c[:, None], rtol=1e-12, atol=1e-12)
    for value, reference in zip(values, expected, strict=True):
        torch.testing.assert_close(value, reference, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("activation", sorted(KERNEL_CODES))
def test_kernel_members_do_not_depend_on_the_batch(activation):
    x, y, w, b, a, c = _problem(seeds=4, dtype=torch.float32)
    batch = shallow_loss_and_gradients(x, y, w, b, a, c, activation)
    alone = shallow_loss_and_gradients(x, y[2:3], w[2:3], b[2:3], a[2:3], c[2:3], activation)
    for together, single in zip(batch, alone, strict=True):
        assert torch.equal(together[2:3], single)

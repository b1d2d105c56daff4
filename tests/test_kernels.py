import platform

import pytest
import torch

from hatlib.activations import get_activation
from hatlib.kernels import (
    ARCH_VARIABLE,
    KERNEL_CODES,
    cpu_kernel,
    kernel_arch,
    kernel_simd_level,
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
    assert kernel_simd_level() in ("AVX-512", "AVX2+FMA", "AVX2", "AVX", "SSE4.2", "SSE2", "NEON")


@pytest.mark.skipif(platform.machine() != "x86_64", reason="x86-64 instruction sets")
def test_kernel_builds_without_avx_and_agrees(monkeypatch):
    """The baseline x86-64 build (SSE2 only) computes what the machine's own build does."""
    problem = _problem(dtype=torch.float32)
    native = {a: shallow_loss_and_gradients(*problem, a) for a in sorted(KERNEL_CODES)}
    monkeypatch.setenv(ARCH_VARIABLE, "x86-64")
    cpu_kernel.cache_clear()
    try:
        assert kernel_arch() == "x86-64" and kernel_simd_level(build=True) == "SSE2"
        for activation, expected in native.items():
            found = shallow_loss_and_gradients(*problem, activation)
            for value, reference in zip(found, expected, strict=True):
                torch.testing.assert_close(value, reference, rtol=2e-6, atol=2e-6)
        # this build's forms of the activations (AVX-512 has others) at the kinks, exactly
        exact = _problem()
        for activation in sorted(KERNEL_CODES):
            *found, _ = shallow_loss_and_gradients(*exact, activation)
            for value, reference in zip(found, _autograd(*exact, activation), strict=True):
                torch.testing.assert_close(value, reference, rtol=1e-12, atol=1e-12)
    finally:
        cpu_kernel.cache_clear()


def test_kernel_arch_must_be_a_target_name(monkeypatch):
    monkeypatch.setenv(ARCH_VARIABLE, "native -O0")
    with pytest.raises(ValueError, match="HATLIB_KERNEL_ARCH = 'native -O0' is not a -march"):
        kernel_arch()


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


def _ulp_error(values: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    """|values - tanh(z)| in units in the last place of the float32 nearest to tanh(z)."""
    exact = torch.tanh(z.double())
    nearest = exact.float()
    ulp = (torch.nextafter(nearest.abs(), torch.tensor(2.0)) - nearest.abs()).double()
    ulp = torch.where(nearest == 0, torch.tensor(2.0**-149, dtype=torch.float64), ulp)
    return (values.double() - exact).abs() / ulp


def test_kernel_tanh_is_within_float32_rounding_over_the_full_range():
    kernel = cpu_kernel()
    # every 1,009th bit pattern of float32 (all magnitudes, both signs) and specials
    bits = torch.arange(0, 2**32, 1009, dtype=torch.int64)
    z = (bits - 2**31).to(torch.int32).view(torch.float32)
    z = z[torch.isfinite(z)]
    z = torch.cat([z, torch.tensor([0.0, -0.0, 0.625, -0.625, 9.0, 20.0, 1e-30])])
    values = kernel.tanh_float32(z.contiguous())
    worst = float(_ulp_error(values, z).max())
    print(f"kernel tanh: largest error {worst:.3f} ulp over {len(z):,} floats")
    assert worst <= 1.5
    # against PyTorch's float32 tanh: no more than two float32 steps apart anywhere
    steps = (values.view(torch.int32).long() - torch.tanh(z).view(torch.int32).long()).abs()
    assert int(steps.max()) <= 2
    special = torch.tensor([float("inf"), -float("inf"), 0.0, -0.0, float("nan")])
    out = kernel.tanh_float32(special)
    assert out[:2].tolist() == [1.0, -1.0]
    assert torch.equal(torch.signbit(out[2:4]), torch.tensor([False, True]))
    assert torch.isnan(out[4])


def test_float32_tanh_runs_in_the_kernel_and_agrees_with_the_reference(monkeypatch):
    x, y, w, b, a, c = _problem(dtype=torch.float32)
    tanh = torch.tanh
    with monkeypatch.context() as patch:  # no activation table computed by PyTorch
        patch.setattr(torch, "tanh", lambda *_: pytest.fail("torch.tanh called"))
        fused = shallow_loss_and_gradients(x, y, w, b, a, c, "tanh")
    assert torch.tanh is tanh
    reference = reference_loss_and_gradients(x, y, w, b, a, c, "tanh")
    for value, expected in zip(fused, reference, strict=True):
        torch.testing.assert_close(value, expected, rtol=2e-5, atol=2e-5)
    again = shallow_loss_and_gradients(x, y, w, b, a, c, "tanh")
    assert all(torch.equal(p, q) for p, q in zip(fused, again, strict=True))

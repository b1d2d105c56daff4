"""Fused loss and gradients of a batch of shallow networks.

For ``S`` independent networks ``f_s(x) = sum_j a_sj sigma(w_sj x + b_sj) + c_s``
on one scalar-input sample grid, :func:`shallow_loss_and_gradients` returns each
network's mean squared error and its gradient with respect to each parameter,
without autograd. On the CPU a C++ kernel (``csrc/shallow.cpp``, built once
per machine with ``torch.utils.cpp_extension`` and cached) makes one pass over
the points per network; elsewhere, or if the kernel cannot be built (the
reason is logged), the same formulas run as PyTorch tensor operations.
:class:`FusedShallowStep` runs the optimizer update in the same kernel call.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import platform
import re
from pathlib import Path

import numpy as np
import torch

from hatlib.activations import ACTIVATIONS, SLOPES

logger = logging.getLogger(__name__)

#: Activations the fused kernels implement, with their code in ``csrc/shallow.cpp``.
KERNEL_CODES = {"relu": 0, "hat": 1, "tanh": 2, "bspline2": 4, "bspline3": 5}

#: Kernel code for activation values computed beforehand: tanh in float64, where
#: PyTorch's vectorised tanh is about ten times faster than the C library's, which
#: would keep the kernel's loop scalar (float32 has the kernel's own vectorised tanh).
TABLE_CODE = 3

SOURCE = Path(__file__).parent / "csrc" / "shallow.cpp"

#: Environment variable naming the ``-march`` target the kernel is built for
#: (default ``native``: the machine's own instruction sets). For example
#: ``x86-64-v3`` (AVX2 and FMA) builds for every AVX2 processor of a cluster
#: from any of its nodes, ``x86-64`` for any x86-64 processor (SSE2 only, slower).
ARCH_VARIABLE = "HATLIB_KERNEL_ARCH"


def kernel_arch() -> str:
    """The ``-march`` target of the kernel: :data:`ARCH_VARIABLE`, or ``native``."""
    arch = os.environ.get(ARCH_VARIABLE, "native").strip() or "native"
    if not re.fullmatch(r"[A-Za-z0-9_.+-]+", arch):
        raise ValueError(f"{ARCH_VARIABLE} = {arch!r} is not a -march target name")
    return arch


def processor_model() -> str:
    """The processor's model name (``/proc/cpuinfo``), or what :mod:`platform` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(("model name", "Model", "cpu model")):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _cpu_tag() -> str:
    """Short hash of this CPU's instruction-set flags.

    The kernel is built with ``-march=native``; naming the build after the
    flags keeps machines that share a home directory (cluster nodes) from
    loading each other's builds.
    """
    flags = platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(("flags", "Features")):
                flags += line
                break
    except OSError:
        pass
    return hashlib.sha256(flags.encode()).hexdigest()[:10]


@functools.cache
def cpu_kernel():
    """The compiled CPU kernel module, or ``None`` (reason logged) when it cannot be built.

    The build is named after the ``-march`` target (:func:`kernel_arch`), the
    CPU for ``native``, and a hash of the source, so checkouts with different
    versions of the kernel never load each other's build, and nodes of a
    cluster that share a home directory share a build of a named target.
    :func:`kernel_simd_level` says which instruction set the build uses.
    """
    try:
        from torch.utils.cpp_extension import load

        arch = kernel_arch()
        source = SOURCE.read_text()
        digest = hashlib.sha256((arch + source).encode()).hexdigest()[:10]
        # a native build is this CPU's own; a named target's serves every CPU that has it
        machine = _cpu_tag() if arch == "native" else "target"
        kernel = load(
            name=f"hatlib_shallow_{machine}_{digest}",
            sources=[str(SOURCE)],
            extra_cflags=["-O3", f"-march={arch}", "-mprefer-vector-width=512", "-fopenmp"],
            extra_ldflags=["-fopenmp"],
        )
        logger.info(
            "fused CPU kernel built for -march=%s: %s on %s",
            arch,
            kernel.simd_level(),
            processor_model(),
        )
        return kernel
    except Exception as error:  # no compiler, no ninja, ...: fall back to tensor operations
        logger.warning("fused CPU kernel unavailable, using PyTorch operations: %s", error)
        return None


def describe_build() -> dict[str, object]:
    """Build (or load) the kernel and say what for: ``available``, ``arch``
    (``-march``), ``simd`` (:func:`kernel_simd_level`), ``processor`` and ``seconds``."""
    import time

    start = time.perf_counter()
    simd = kernel_simd_level(build=True)
    return {
        "available": simd != "unavailable",
        "arch": kernel_arch(),
        "simd": simd,
        "processor": processor_model(),
        "seconds": round(time.perf_counter() - start, 3),
    }


def kernel_simd_level(build: bool = False) -> str | None:
    """The SIMD instruction set the loaded kernel was compiled for (``"AVX-512"``,
    ``"AVX2+FMA"``, ...); ``"unavailable"`` when it cannot be built; ``None`` when it
    is not loaded in this process and ``build`` is false."""
    if not build and cpu_kernel.cache_info().currsize == 0:
        return None
    kernel = cpu_kernel()
    return "unavailable" if kernel is None else kernel.simd_level()


def _activation_and_slope(pre: torch.Tensor, activation: str):
    if activation == "tanh":
        value = torch.tanh(pre)
        return value, 1.0 - value * value
    return ACTIVATIONS[activation].function(pre), SLOPES[activation](pre)


def reference_loss_and_gradients(x, y, w, b, a, c, activation: str):
    """The same quantities as :func:`shallow_loss_and_gradients`, as tensor operations."""
    pre = x[None, :, None] * w[:, None, :] + b[:, None, :]  # (S, N, M)
    value, slope = _activation_and_slope(pre, activation)
    output = torch.einsum("snm,sm->sn", value, a) + c[:, None]  # (S, N)
    residual = output - y
    g = 2.0 * residual / x.shape[0]  # d loss_s / d output_sn
    gz = g[:, :, None] * a[:, None, :] * slope  # (S, N, M)
    return (
        (residual * residual).mean(dim=1),
        torch.einsum("snm,n->sm", gz, x),
        gz.sum(dim=1),
        torch.einsum("snm,sn->sm", value, g),
        g.sum(dim=1),
        output,
    )


def shallow_loss_and_gradients(
    x: torch.Tensor,
    y: torch.Tensor,
    w: torch.Tensor,
    b: torch.Tensor,
    a: torch.Tensor,
    c: torch.Tensor,
    activation: str,
) -> tuple[torch.Tensor, ...]:
    """Mean squared error of each network and its gradients.

    Parameters
    ----------
    x:
        Inputs, shape ``(N,)``.
    y:
        Targets per network, shape ``(S, N)``.
    w, b, a:
        Inner weights, inner biases and outer weights, shape ``(S, M)``.
    c:
        Outer biases, shape ``(S,)``.
    activation:
        A key of :data:`KERNEL_CODES`.

    Returns
    -------
    ``(loss, grad_w, grad_b, grad_a, grad_c, output)``: ``loss_s = mean_n (f_s(x_n) -
    y_sn)^2`` of shape ``(S,)``, its gradients, shaped like the parameters, and the
    outputs ``f_s(x_n)``, shape ``(S, N)``.
    """
    if x.device.type == "cpu" and (activation in KERNEL_CODES or activation == "tanh"):
        kernel = cpu_kernel()
        if kernel is not None:
            tensors = [t.contiguous() for t in (x, y, w, b, a, c)]
            if activation == "tanh" and w.dtype != torch.float32:
                table = torch.tanh(x[None, :, None] * w[:, None, :] + b[:, None, :])  # (S, N, M)
                code = TABLE_CODE
            else:
                table, code = x.new_empty(0), KERNEL_CODES[activation]
            return tuple(kernel.shallow_loss_and_gradients(*tensors, table.contiguous(), code))
    return reference_loss_and_gradients(x, y, w, b, a, c, activation)


#: Optimizer codes of ``csrc/shallow.cpp``'s ``shallow_step``.
OPTIMIZER_CODES = {"none": 0, "GradientDescent": 1, "Adam": 2}


class FusedShallowStep:
    """Training steps of a batch of shallow networks, one kernel call each, optimizer included.

    Each call of :meth:`compute` first applies the optimizer's update with the
    gradients of the previous call (when :meth:`step` asked for one), then
    computes the losses, outputs and gradients at the updated parameters, in
    one pass per network. Deferring the update to the next call keeps the
    engine's order of operations (an update happens only after the step's
    records, and never after the last step) with one call per step. The
    update's formulas and order are those of :mod:`hatlib.optimizers`; its
    state (Adam's moments and step count) stays in the optimizer object, so
    checkpoints are unchanged. Call :meth:`flush` before reading or saving the
    parameters between steps.
    """

    def __init__(self, kernel, model, parameters, optimizer, x, y) -> None:
        self.kernel = kernel
        self.code = KERNEL_CODES[model.activation.name]
        self.x, self.y = x.contiguous(), y.contiguous()
        self.params = [
            p.data
            for p in (model.inner_weight, model.inner_bias, model.outer_weight, model.outer_bias)
        ]
        if not all(p.is_contiguous() for p in self.params):
            raise ValueError("the fused step needs contiguous parameters")
        trained = {p.data_ptr() for p in parameters}
        self.trained = [p.data_ptr() in trained for p in self.params]
        self.gradients = [torch.empty_like(p) for p in self.params]
        self.loss = self.params[3].new_empty(self.params[3].shape)
        self.out = torch.empty_like(self.y)
        self.optimizer = optimizer
        self.optimizer_code = OPTIMIZER_CODES[type(optimizer).__name__]
        self.pending = False

    def _update(self) -> tuple[int, list[float], list, list]:
        """Code, scalars and moments of the pending update (advances Adam's step count)."""
        if not self.pending:
            return OPTIMIZER_CODES["none"], [0.0] * 6 + [1.0], [], []
        optimizer = self.optimizer
        rate = optimizer.learning_rate
        if self.optimizer_code == OPTIMIZER_CODES["GradientDescent"]:
            return self.optimizer_code, [rate, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0], [], []
        beta1, beta2 = optimizer.betas
        optimizer.steps += 1
        scalars = [
            rate,
            rate / (1 - beta1**optimizer.steps),
            1 - beta1,
            beta2,
            1 - beta2,
            (1 - beta2**optimizer.steps) ** 0.5,
            optimizer.eps,
        ]
        return self.optimizer_code, scalars, optimizer.first_moments, optimizer.second_moments

    def _operands(self) -> tuple:
        """Inputs, parameters, gradient, loss and output buffers, and the activation code."""
        return self.x, self.y, self.params, self.gradients, self.loss, self.out, self.code

    def _call(self, compute: bool) -> None:
        code, scalars, first, second = self._update()
        self.kernel.shallow_step(
            *self._operands(), code, self.trained, first, second, scalars, compute
        )
        self.pending = False

    def compute(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Apply the pending update, then return the losses ``(S,)`` and outputs ``(S, N)``.

        Both are buffers that the next call overwrites.
        """
        self._call(compute=True)
        return self.loss, self.out

    def step(self) -> None:
        """Update the parameters with this step's gradients (applied by the next call)."""
        self.pending = True

    def flush(self) -> None:
        """Apply a pending update now."""
        if self.pending:
            self._call(compute=False)

    # -- blocks of steps in one call (the interface of hatlib.capture.StepBlocks) --------
    def advance(self, steps: int) -> np.ndarray:
        """Run ``steps`` steps after a :meth:`step`, in one kernel call: losses ``(steps, S)``
        of each, in float64, bit for bit those of ``steps`` calls of :meth:`compute`.

        Each step applies the pending update and computes at the new parameters; the
        last step's update is left pending, as after :meth:`step`.
        """
        if not self.pending:
            raise RuntimeError("advance follows a step(): an update must be pending")
        optimizer = self.optimizer
        adam = self.optimizer_code == OPTIMIZER_CODES["Adam"]
        beta1, beta2 = optimizer.betas if adam else (0.0, 0.0)
        hyper = [optimizer.learning_rate, beta1, beta2, optimizer.eps if adam else 0.0]
        losses = self.loss.new_empty((steps, self.loss.shape[0]))
        self.kernel.shallow_steps(
            *self._operands(),
            self.optimizer_code,
            self.trained,
            optimizer.first_moments if adam else [],
            optimizer.second_moments if adam else [],
            hyper,
            optimizer.steps if adam else 0,
            steps,
            losses,
        )
        if adam:
            optimizer.steps += steps
        return losses.numpy().astype(np.float64)

    def _state(self) -> list[torch.Tensor]:
        """Every tensor a step changes: parameters, pending gradients, Adam's moments."""
        moments = [*getattr(self.optimizer, "first_moments", [])]
        moments += getattr(self.optimizer, "second_moments", [])
        return [*self.params, *self.gradients, *moments]

    def snapshot(self) -> None:
        """Keep the current state, to :meth:`rewind` to."""
        self._saved = [t.clone() for t in self._state()]
        self._saved_host = (self.pending, getattr(self.optimizer, "steps", 0))

    def rewind(self) -> None:
        """Return to the state of the last :meth:`snapshot`."""
        for tensor, saved in zip(self._state(), self._saved, strict=True):
            tensor.copy_(saved)
        self.pending, steps = self._saved_host
        if hasattr(self.optimizer, "steps"):
            self.optimizer.steps = steps


def fused_shallow_step(model, parameters, optimizer, x, y) -> FusedShallowStep | None:
    """A :class:`FusedShallowStep` for ``model`` when the CPU kernel can train it, else ``None``.

    It can for float32 and float64 networks on the CPU whose activation the
    kernel implements (not float64 tanh, whose values come from PyTorch), with
    :mod:`hatlib.optimizers`' gradient descent or Adam.
    """
    activation = model.activation.name
    if x.device.type != "cpu" or activation not in KERNEL_CODES:
        return None
    if activation == "tanh" and model.inner_weight.dtype != torch.float32:
        return None
    if type(optimizer).__name__ not in OPTIMIZER_CODES:
        return None
    kernel = cpu_kernel()
    if kernel is None:
        return None
    return FusedShallowStep(kernel, model, parameters, optimizer, x, y)

"""Activation functions and the registry that pairs each with its grid layout.

The registry maps a name (as written in the workflow configuration) to an
:class:`ActivationSpec`: the function itself and how the ``fem_grid``
initialisation places one unit per grid node (see :mod:`hatlib.models`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import torch

from hatlib.names import UnknownNameError, lookup  # noqa: F401 (re-exported)

ActivationFunction = Callable[[torch.Tensor], torch.Tensor]


def hat_slope(x: torch.Tensor) -> torch.Tensor:
    """Derivative of :func:`hat`: 1 on (0, 1], -1 on (1, 2], 0 elsewhere.

    At the kinks this is the derivative of ``relu(x) - 2 relu(x - 1) + relu(x - 2)``
    under PyTorch's convention ``relu'(0) = 0``: 0 at x = 0, 1 at x = 1, -1 at x = 2.
    """
    rising = (x > 0) & (x <= 1)
    falling = (x > 1) & (x <= 2)
    return rising.to(x.dtype) - falling.to(x.dtype)


def _fused_kernel(x: torch.Tensor):
    """The fused CPU kernel when it is already loaded in this process and ``x`` is on the
    CPU, else ``None`` (the activation never triggers a build: plotting jobs do not wait)."""
    from hatlib.kernels import cpu_kernel

    if x.device.type != "cpu" or cpu_kernel.cache_info().currsize == 0:
        return None
    return cpu_kernel()


class _Hat(torch.autograd.Function):
    """Hat with a one-expression forward and the subgradient of :func:`hat_slope`.

    When the fused CPU kernel is loaded, one pass computes the values and the
    slopes (the same numbers, bit for bit) and the backward is one product:
    about a third of the deep Hat networks' step otherwise went to the half
    dozen elementwise passes of these formulas.
    """

    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        kernel = _fused_kernel(x) if x.requires_grad else None
        if kernel is not None:
            value, slope = kernel.activation_and_slope(x.contiguous(), 1)
            ctx.save_for_backward(slope)
            ctx.fused = True
            return value
        ctx.save_for_backward(x)
        ctx.fused = False
        return (1.0 - (x - 1.0).abs()).clamp_min(0.0)

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor) -> torch.Tensor:
        (saved,) = ctx.saved_tensors
        return grad_output * (saved if ctx.fused else hat_slope(saved))


def hat(x: torch.Tensor) -> torch.Tensor:
    """Hat function, the piecewise linear B-spline with support [0, 2].

    ``hat(x) = x`` on [0, 1], ``2 - x`` on [1, 2] and 0 elsewhere, which equals
    ``relu(x) - 2 relu(x - 1) + relu(x - 2)``, value and gradient (at the kinks
    too, see :func:`hat_slope`). Computed as ``max(0, 1 - |x - 1|)``.
    """
    return _Hat.apply(x)


def relu(x: torch.Tensor) -> torch.Tensor:
    """Rectified linear unit ``max(0, x)``."""
    return torch.relu(x)


def tanh(x: torch.Tensor) -> torch.Tensor:
    """Hyperbolic tangent."""
    return torch.tanh(x)


def _piece(x: torch.Tensor, bounds: list[float], pieces: list[torch.Tensor]) -> torch.Tensor:
    """``pieces[i]`` where ``bounds[i] <= x < bounds[i+1]``; 0 outside the bounds."""
    result = torch.zeros_like(x)
    for low, high, piece in zip(bounds[:-1], bounds[1:], pieces, strict=True):
        result = torch.where((x >= low) & (x < high), piece, result)
    return result


def bspline2(x: torch.Tensor) -> torch.Tensor:
    """Quadratic cardinal B-spline: support [0, 3], peak 3/4 at 3/2, continuously differentiable.

    ``x^2/2`` on [0, 1], ``3/4 - (x - 3/2)^2`` on [1, 2], ``(3 - x)^2/2`` on [2, 3].
    Each piece is written in a local variable, so values far from the support
    are exact zeros (no cancellation of large powers).
    """
    return _piece(x, [0.0, 1.0, 2.0, 3.0], [0.5 * x**2, 0.75 - (x - 1.5) ** 2, 0.5 * (3 - x) ** 2])


def bspline2_slope(x: torch.Tensor) -> torch.Tensor:
    """Derivative of :func:`bspline2`: ``x``, ``3 - 2x``, ``x - 3`` on its three pieces."""
    return _piece(x, [0.0, 1.0, 2.0, 3.0], [x, 3.0 - 2.0 * x, x - 3.0])


def _cubic_inner(t: torch.Tensor) -> torch.Tensor:
    return (1.0 + 3.0 * t + 3.0 * t**2 - 3.0 * t**3) / 6.0


def bspline3(x: torch.Tensor) -> torch.Tensor:
    """Cubic cardinal B-spline: support [0, 4], peak 2/3 at 2, twice continuously differentiable.

    ``x^3/6`` on [0, 1], ``(1 + 3t + 3t^2 - 3t^3)/6`` with ``t = x - 1`` on [1, 2]
    and ``t = 3 - x`` on [2, 3], ``(4 - x)^3/6`` on [3, 4].
    """
    return _piece(
        x,
        [0.0, 1.0, 2.0, 3.0, 4.0],
        [x**3 / 6.0, _cubic_inner(x - 1.0), _cubic_inner(3.0 - x), (4.0 - x) ** 3 / 6.0],
    )


def bspline3_slope(x: torch.Tensor) -> torch.Tensor:
    """Derivative of :func:`bspline3` on each of its four pieces."""

    def inner(t: torch.Tensor) -> torch.Tensor:
        return (3.0 + 6.0 * t - 9.0 * t**2) / 6.0

    return _piece(
        x,
        [0.0, 1.0, 2.0, 3.0, 4.0],
        [x**2 / 2.0, inner(x - 1.0), -inner(3.0 - x), -((4.0 - x) ** 2) / 2.0],
    )


def relu_slope(x: torch.Tensor) -> torch.Tensor:
    """Derivative of :func:`relu` under PyTorch's convention ``relu'(0) = 0``."""
    return (x > 0).to(x.dtype)


def tanh_slope(x: torch.Tensor) -> torch.Tensor:
    """Derivative of :func:`tanh`, ``1 - tanh(x)^2``."""
    value = torch.tanh(x)
    return 1.0 - value * value


#: Derivative of each registered activation, by name (written out, no autograd).
SLOPES: dict[str, ActivationFunction] = {
    "relu": relu_slope,
    "hat": hat_slope,
    "tanh": tanh_slope,
    "bspline2": bspline2_slope,
    "bspline3": bspline3_slope,
}


@dataclass(frozen=True)
class ActivationSpec:
    """An activation function and where its features sit on a grid.

    Attributes
    ----------
    name:
        Registry key, as used in configuration files and result tables.
    function:
        Elementwise map from pre-activations to activations.
    centre:
        Pre-activation value at which the feature is anchored to a grid node:
        the kink of ReLU (0), the peak of Hat (1), the inflection of tanh (0).
    localised:
        True when the feature has a natural width that must shrink with the
        mesh (inner weight ``1/h``); False for scale-invariant features, whose
        inner weight stays 1 (``relu(w x + b) = |w| relu(x + b/|w|)``).
    nodes:
        ``"closed"``: ``m`` units on the nodes ``j/(m-1)``, ``j = 0..m-1``, the
        P1 nodal basis of ``m - 1`` elements. ``"left"``: ``m`` units on the
        nodes ``j/m``, ``j = 0..m-1``, the ReLU breakpoints of the FEM analysis.
    description:
        One line for tables and the paper.
    initialisation:
        Name of the initialisation (:data:`hatlib.models.INITIALISATIONS`) used
        with this activation unless a configuration names another.
    knots:
        Pre-activation values where the function is not smooth (the ends of
        its polynomial pieces); empty for smooth functions. Quadrature rules
        put cell edges there (:func:`hatlib.pde.network_breakpoints`).
    """

    name: str
    function: ActivationFunction
    centre: float
    localised: bool
    nodes: Literal["closed", "left"]
    description: str
    initialisation: str = "fem_grid"
    knots: tuple[float, ...] = ()


ACTIVATIONS: dict[str, ActivationSpec] = {
    "relu": ActivationSpec(
        name="relu",
        function=relu,
        centre=0.0,
        localised=False,
        nodes="left",
        description="ReLU, max(0, x)",
        knots=(0.0,),
    ),
    "hat": ActivationSpec(
        name="hat",
        function=hat,
        centre=1.0,
        localised=True,
        nodes="closed",
        description="Hat, the piecewise linear B-spline on [0, 2]",
        knots=(0.0, 1.0, 2.0),
    ),
    "tanh": ActivationSpec(
        name="tanh",
        function=tanh,
        centre=0.0,
        localised=True,
        nodes="closed",
        description="hyperbolic tangent",
    ),
    "bspline2": ActivationSpec(
        name="bspline2",
        function=bspline2,
        centre=1.5,
        localised=True,
        nodes="closed",
        description="quadratic B-spline on [0, 3]",
        knots=(0.0, 1.0, 2.0, 3.0),
    ),
    "bspline3": ActivationSpec(
        name="bspline3",
        function=bspline3,
        centre=2.0,
        localised=True,
        nodes="closed",
        description="cubic B-spline on [0, 4]",
        knots=(0.0, 1.0, 2.0, 3.0, 4.0),
    ),
}


def get_activation(name: str) -> ActivationSpec:
    """Return the registered activation called ``name``.

    >>> get_activation("hat").centre
    1.0
    """
    return lookup(ACTIVATIONS, "activation", name)

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

ActivationFunction = Callable[[torch.Tensor], torch.Tensor]


def hat_slope(x: torch.Tensor) -> torch.Tensor:
    """Derivative of :func:`hat`: 1 on (0, 1], -1 on (1, 2], 0 elsewhere.

    At the kinks this is the derivative of ``relu(x) - 2 relu(x - 1) + relu(x - 2)``
    under PyTorch's convention ``relu'(0) = 0``: 0 at x = 0, 1 at x = 1, -1 at x = 2.
    """
    rising = (x > 0) & (x <= 1)
    falling = (x > 1) & (x <= 2)
    return rising.to(x.dtype) - falling.to(x.dtype)


class _Hat(torch.autograd.Function):
    """Hat with a one-expression forward and the subgradient of :func:`hat_slope`."""

    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(x)
        return (1.0 - (x - 1.0).abs()).clamp_min(0.0)

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor) -> torch.Tensor:
        (x,) = ctx.saved_tensors
        return grad_output * hat_slope(x)


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
    """

    name: str
    function: ActivationFunction
    centre: float
    localised: bool
    nodes: Literal["closed", "left"]
    description: str
    initialisation: str = "fem_grid"


ACTIVATIONS: dict[str, ActivationSpec] = {
    "relu": ActivationSpec(
        name="relu",
        function=relu,
        centre=0.0,
        localised=False,
        nodes="left",
        description="ReLU, max(0, x)",
    ),
    "hat": ActivationSpec(
        name="hat",
        function=hat,
        centre=1.0,
        localised=True,
        nodes="closed",
        description="Hat, the piecewise linear B-spline on [0, 2]",
    ),
    "tanh": ActivationSpec(
        name="tanh",
        function=tanh,
        centre=0.0,
        localised=True,
        nodes="closed",
        description="hyperbolic tangent",
    ),
}


class UnknownNameError(KeyError):
    """A name that is not in a registry; the message lists the valid names."""

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0])


def lookup(registry: dict, kind: str, name: str):
    """Return ``registry[name]``, or raise :class:`UnknownNameError` naming the choices."""
    try:
        return registry[name]
    except KeyError:
        valid = ", ".join(sorted(registry))
        raise UnknownNameError(f"unknown {kind} {name!r}; valid choices: {valid}") from None


def get_activation(name: str) -> ActivationSpec:
    """Return the registered activation called ``name``.

    >>> get_activation("hat").centre
    1.0
    """
    return lookup(ACTIVATIONS, "activation", name)

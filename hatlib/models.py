"""Shallow networks ``f(x) = sum_i a_i sigma(w_i x + b_i) + c`` and their initialisations.

Initialisation is an explicit, named choice because the Hat function is not
scale-invariant: with PyTorch's default init on a 1-D input (``|w| <= 1``)
almost every pre-activation on [0, 1] lies where Hat equals ReLU, and the
"Hat network" is a ReLU network. ``fem_grid`` places one feature per node of a
uniform grid of [0, 1], as the finite element nodal basis does.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import nn

from hatlib.activations import ActivationSpec, get_activation, lookup


class ShallowNetwork(nn.Module):
    """One hidden layer on a scalar input: ``f(x) = sum_i a_i sigma(w_i x + b_i) + c``.

    Parameters (all of shape ``(width,)`` except ``outer_bias``, a scalar):
    ``inner_weight`` w, ``inner_bias`` b, ``outer_weight`` a, ``outer_bias`` c.
    """

    def __init__(
        self,
        activation: ActivationSpec,
        width: int,
        dtype: torch.dtype = torch.float32,
        device: torch.device | str = "cpu",
    ) -> None:
        super().__init__()
        if width < 1:
            raise ValueError(f"width must be at least 1, got {width}")
        self.activation = activation
        self.width = width
        factory = {"dtype": dtype, "device": device}
        self.inner_weight = nn.Parameter(torch.zeros(width, **factory))
        self.inner_bias = nn.Parameter(torch.zeros(width, **factory))
        self.outer_weight = nn.Parameter(torch.zeros(width, **factory))
        self.outer_bias = nn.Parameter(torch.zeros((), **factory))

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Hidden-layer activations, shape ``(N, width)`` for ``x`` of shape ``(N,)``."""
        return self.activation.function(x[:, None] * self.inner_weight + self.inner_bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Network output, shape ``(N,)`` for ``x`` of shape ``(N,)``."""
        return self.features(x) @ self.outer_weight + self.outer_bias

    def inner_parameters(self) -> list[nn.Parameter]:
        """The hidden layer's weights and biases."""
        return [self.inner_weight, self.inner_bias]

    def outer_parameters(self) -> list[nn.Parameter]:
        """The output layer's weights and bias."""
        return [self.outer_weight, self.outer_bias]


def grid_nodes(activation: ActivationSpec, width: int) -> torch.Tensor:
    """Node positions on [0, 1] where ``fem_grid`` anchors the ``width`` features.

    Returns float64 of shape ``(width,)``: ``j/(width-1)`` for closed layouts
    (``width >= 2``), ``j/width`` for left layouts, ``j = 0..width-1``.
    """
    index = torch.arange(width, dtype=torch.float64)
    if activation.nodes == "closed":
        if width < 2:
            raise ValueError(f"a closed grid needs width >= 2, got {width}")
        return index / (width - 1)
    return index / width


def _uniform(shape: tuple[int, ...], bound: float, generator: torch.Generator) -> torch.Tensor:
    """Float64 samples from U(-bound, bound) drawn on the CPU from ``generator``."""
    return (torch.rand(shape, generator=generator, dtype=torch.float64) * 2.0 - 1.0) * bound


def _init_outer(model: ShallowNetwork, generator: torch.Generator) -> dict[str, torch.Tensor]:
    # PyTorch's nn.Linear rule for the output layer (fan-in = width).
    bound = 1.0 / math.sqrt(model.width)
    return {
        "outer_weight": _uniform((model.width,), bound, generator),
        "outer_bias": _uniform((), bound, generator),
    }


def init_fem_grid(model: ShallowNetwork, generator: torch.Generator) -> dict[str, torch.Tensor]:
    """Inner weights on the grid (no randomness), outer weights as ``nn.Linear``.

    Unit ``j`` gets ``w = s`` and ``b = centre - s x_j`` so that its feature is
    anchored at node ``x_j``, with ``s = 1/h`` for localised activations
    (Hat: the P1 nodal basis ``Hat((x - x_j)/h + 1)``) and ``s = 1`` otherwise
    (ReLU: ``relu(x - x_j)``).
    """
    nodes = grid_nodes(model.activation, model.width)
    mesh_size = float(nodes[1] - nodes[0]) if model.width > 1 else 1.0
    scale = 1.0 / mesh_size if model.activation.localised else 1.0
    values = {
        "inner_weight": torch.full((model.width,), scale, dtype=torch.float64),
        "inner_bias": model.activation.centre - scale * nodes,
    }
    values.update(_init_outer(model, generator))
    return values


def init_torch_default(
    model: ShallowNetwork, generator: torch.Generator
) -> dict[str, torch.Tensor]:
    """PyTorch's ``nn.Linear`` defaults: on a scalar input ``w, b ~ U(-1, 1)``."""
    values = {
        "inner_weight": _uniform((model.width,), 1.0, generator),
        "inner_bias": _uniform((model.width,), 1.0, generator),
    }
    values.update(_init_outer(model, generator))
    return values


Initialisation = Callable[[ShallowNetwork, torch.Generator], dict[str, torch.Tensor]]

INITIALISATIONS: dict[str, Initialisation] = {
    "fem_grid": init_fem_grid,
    "torch_default": init_torch_default,
}


def build_shallow_network(
    activation: str,
    width: int,
    initialisation: str | None = None,
    seed: int = 0,
    dtype: torch.dtype = torch.float32,
    device: torch.device | str = "cpu",
) -> ShallowNetwork:
    """Build and initialise a :class:`ShallowNetwork`.

    Random draws come from a CPU generator seeded with ``seed`` and are made
    in float64, so the initial parameters are the same on every device and
    dtype up to rounding. ``initialisation=None`` takes the activation's own.
    """
    spec = get_activation(activation)
    init = lookup(INITIALISATIONS, "initialisation", initialisation or spec.initialisation)
    model = ShallowNetwork(spec, width, dtype=dtype, device=device)
    generator = torch.Generator(device="cpu").manual_seed(seed)
    values = init(model, generator)
    with torch.no_grad():
        for name, value in values.items():
            getattr(model, name).copy_(value)
    return model

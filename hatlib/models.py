"""Shallow networks ``f(x) = sum_i a_i sigma(w_i x + b_i) + c``, in batches of independent seeds.

A :class:`ShallowNetwork` holds ``S`` independent networks of one architecture
(one per seed) as one set of parameters with a leading seed dimension, so that
they train as one batched computation. Member ``s`` is initialised exactly as a
network built alone with its seed.

Initialisation is an explicit, named choice because the Hat function is not
scale-invariant: with PyTorch's default init on a 1-D input (``|w| <= 1``)
almost every pre-activation on [0, 1] lies where Hat equals ReLU, and the
"Hat network" is a ReLU network. ``fem_grid`` places one feature per node of a
uniform grid of [0, 1], as the finite element nodal basis does.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence

import torch
from torch import nn

from hatlib.activations import ActivationSpec, get_activation, lookup


class ShallowNetwork(nn.Module):
    """``S`` independent one-hidden-layer networks on a scalar input.

    Parameters, each with the seed dimension first: ``inner_weight`` w,
    ``inner_bias`` b and ``outer_weight`` a of shape ``(S, width)``, and
    ``outer_bias`` c of shape ``(S,)``.
    """

    def __init__(
        self,
        activation: ActivationSpec,
        width: int,
        members: int = 1,
        dtype: torch.dtype = torch.float32,
        device: torch.device | str = "cpu",
    ) -> None:
        super().__init__()
        if width < 1:
            raise ValueError(f"width must be at least 1, got {width}")
        if members < 1:
            raise ValueError(f"members must be at least 1, got {members}")
        self.activation = activation
        self.width = width
        self.members = members
        factory = {"dtype": dtype, "device": device}
        self.inner_weight = nn.Parameter(torch.zeros(members, width, **factory))
        self.inner_bias = nn.Parameter(torch.zeros(members, width, **factory))
        self.outer_weight = nn.Parameter(torch.zeros(members, width, **factory))
        self.outer_bias = nn.Parameter(torch.zeros(members, **factory))

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Hidden-layer activations, shape ``(S, N, width)`` for ``x`` of shape ``(N,)``."""
        pre = x[None, :, None] * self.inner_weight[:, None, :] + self.inner_bias[:, None, :]
        return self.activation.function(pre)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Outputs of every member, shape ``(S, N)`` for ``x`` of shape ``(N,)``."""
        features = self.features(x)  # (S, N, width)
        return torch.einsum("snm,sm->sn", features, self.outer_weight) + self.outer_bias[:, None]

    def loss_and_gradients(self, x: torch.Tensor, y: torch.Tensor):
        """Each member's mean squared error against ``y`` (``(S, N)``) and its gradients.

        Returns ``(loss, gradients, output)``: ``loss`` of shape ``(S,)``, one
        gradient per parameter in the order of :meth:`parameters`, and the
        outputs ``(S, N)``, from the fused kernels of :mod:`hatlib.kernels`
        (no autograd graph).
        """
        from hatlib.kernels import shallow_loss_and_gradients

        loss, *gradients, output = shallow_loss_and_gradients(
            x,
            y,
            self.inner_weight.detach(),
            self.inner_bias.detach(),
            self.outer_weight.detach(),
            self.outer_bias.detach(),
            self.activation.name,
        )
        return loss, gradients, output

    def fused_step(self, parameters, optimizer, x: torch.Tensor, y: torch.Tensor):
        """Training steps with the optimizer inside the kernel call
        (:class:`hatlib.kernels.FusedShallowStep`), or ``None`` where the kernel cannot."""
        from hatlib.kernels import fused_shallow_step

        return fused_shallow_step(self, parameters, optimizer, x, y)

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


def _init_outer(width: int, generator: torch.Generator) -> dict[str, torch.Tensor]:
    # PyTorch's nn.Linear rule for the output layer (fan-in = width).
    bound = 1.0 / math.sqrt(width)
    return {
        "outer_weight": _uniform((width,), bound, generator),
        "outer_bias": _uniform((), bound, generator),
    }


def init_fem_grid(
    activation: ActivationSpec, width: int, generator: torch.Generator
) -> dict[str, torch.Tensor]:
    """Inner weights on the grid (no randomness), outer weights as ``nn.Linear``.

    Unit ``j`` gets ``w = s`` and ``b = centre - s x_j`` so that its feature is
    anchored at node ``x_j``, with ``s = 1/h`` for localised activations
    (Hat: the P1 nodal basis ``Hat((x - x_j)/h + 1)``) and ``s = 1`` otherwise
    (ReLU: ``relu(x - x_j)``).
    """
    weight, bias = _fem_grid_layer(activation, width)
    return {"inner_weight": weight, "inner_bias": bias, **_init_outer(width, generator)}


def _fem_grid_layer(activation: ActivationSpec, width: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Inner weights and biases ``(width,)`` of :func:`init_fem_grid` (no randomness)."""
    nodes = grid_nodes(activation, width)
    mesh_size = float(nodes[1] - nodes[0]) if width > 1 else 1.0
    scale = 1.0 / mesh_size if activation.localised else 1.0
    return torch.full((width,), scale, dtype=torch.float64), activation.centre - scale * nodes


def init_torch_default(
    activation: ActivationSpec, width: int, generator: torch.Generator
) -> dict[str, torch.Tensor]:
    """PyTorch's ``nn.Linear`` defaults: on a scalar input ``w, b ~ U(-1, 1)``."""
    values = {
        "inner_weight": _uniform((width,), 1.0, generator),
        "inner_bias": _uniform((width,), 1.0, generator),
    }
    values.update(_init_outer(width, generator))
    return values


Initialisation = Callable[[ActivationSpec, int, torch.Generator], dict[str, torch.Tensor]]

INITIALISATIONS: dict[str, Initialisation] = {
    "fem_grid": init_fem_grid,
    "torch_default": init_torch_default,
}


def build_shallow_network(
    activation: str,
    width: int,
    initialisation: str | None = None,
    seeds: Sequence[int] = (0,),
    dtype: torch.dtype = torch.float32,
    device: torch.device | str = "cpu",
) -> ShallowNetwork:
    """Build and initialise one network per seed, batched.

    Member ``s`` draws from a CPU generator seeded with ``seeds[s]``, in float64,
    so it is the same network whatever the batch, device or dtype (up to the
    final rounding). ``initialisation=None`` takes the activation's own.
    """
    spec = get_activation(activation)
    init = lookup(INITIALISATIONS, "initialisation", initialisation or spec.initialisation)
    model = ShallowNetwork(spec, width, members=len(seeds), dtype=dtype, device=device)
    draws = [init(spec, width, torch.Generator(device="cpu").manual_seed(s)) for s in seeds]
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            parameter.copy_(torch.stack([draw[name] for draw in draws]))
    return model


class DeepNetwork(nn.Module):
    """``S`` independent fully connected networks ``R^d -> R`` with ``depth`` hidden layers.

    Layer ``l`` holds ``weight_l`` of shape ``(S, fan_in, fan_out)`` and
    ``bias_l`` of shape ``(S, fan_out)``; the last layer maps to one output. The
    activation follows every hidden layer. ``depth = 1`` is a shallow network
    on a ``d``-dimensional input.
    """

    def __init__(
        self,
        activation: ActivationSpec,
        input_dim: int,
        width: int,
        depth: int,
        members: int = 1,
        dtype: torch.dtype = torch.float32,
        device: torch.device | str = "cpu",
    ) -> None:
        super().__init__()
        for name, value, least in (("input_dim", input_dim, 1), ("width", width, 1)):
            if value < least:
                raise ValueError(f"{name} must be at least {least}, got {value}")
        if depth < 1:
            raise ValueError(f"depth must be at least 1, got {depth}")
        self.activation = activation
        self.input_dim, self.width, self.depth, self.members = input_dim, width, depth, members
        sizes = [input_dim] + [width] * depth + [1]
        factory = {"dtype": dtype, "device": device}
        self.weights = nn.ParameterList(
            nn.Parameter(torch.zeros(members, a, b, **factory))
            for a, b in itertools.pairwise(sizes)
        )
        self.biases = nn.ParameterList(
            nn.Parameter(torch.zeros(members, b, **factory)) for b in sizes[1:]
        )
        if torch.device(device).type == "cpu" and activation.name == "hat":
            from hatlib.kernels import cpu_kernel

            cpu_kernel()  # Hat's fused values and slopes (hatlib.activations)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Outputs ``(S, N)`` for inputs ``(N,)`` (``d = 1``), ``(N, d)`` or ``(S, N, d)``."""
        if x.dim() == 3:
            hidden = x
        else:
            hidden = x.reshape(x.shape[0], -1).expand(self.members, -1, -1)  # (S, N, d)
        last = len(self.weights) - 1
        for index, (weight, bias) in enumerate(zip(self.weights, self.biases, strict=True)):
            hidden = torch.baddbmm(bias[:, None, :], hidden, weight)
            if index < last:
                hidden = self.activation.function(hidden)
        return hidden[..., 0]

    def outer_parameters(self) -> list[nn.Parameter]:
        """The output layer's weights and bias."""
        return [self.weights[-1], self.biases[-1]]


def init_first_layer(
    activation: ActivationSpec,
    input_dim: int,
    width: int,
    resolution: float,
    generator: torch.Generator,
    data: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Weights ``(input_dim, width)`` and biases ``(width,)`` of a FEM-like first layer.

    On a scalar input this is :func:`init_fem_grid`'s grid (``resolution`` is
    ignored). On ``[0, 1]^d`` each unit is a ridge ``sigma(s u.x + b)``: the
    direction ``u`` uniform on the sphere, the anchor ``t`` uniform over the
    range of ``u.x`` on the cube, and ``s = resolution / range`` for localised
    activations (about ``resolution`` feature widths across the cube along
    ``u``; Hat's support is ``2 / s``) or ``1 / range`` otherwise, so that the
    feature is anchored at ``u.x = t`` (``b = centre - s t``). With ``data``
    (training inputs ``(N, d)``, where the inputs do not fill the cube) the
    range is that of ``u.x`` over the data and ``t`` the projection of a
    training input drawn at random. Float64, drawn on the CPU from ``generator``.
    """
    if input_dim == 1:
        weight, bias = _fem_grid_layer(activation, width)
        return weight[None, :], bias
    direction = torch.randn((input_dim, width), generator=generator, dtype=torch.float64)
    direction /= torch.linalg.vector_norm(direction, dim=0, keepdim=True)
    if data is None:
        low = direction.clamp(max=0).sum(dim=0)
        span = direction.clamp(min=0).sum(dim=0) - low
        anchor = low + span * torch.rand((width,), generator=generator, dtype=torch.float64)
    else:
        projection = data.to(torch.float64) @ direction  # (N, width)
        span = projection.max(dim=0).values - projection.min(dim=0).values
        sample = torch.randint(len(data), (width,), generator=generator)
        anchor = projection[sample, torch.arange(width)]
    scale = (resolution if activation.localised else 1.0) / span
    return direction * scale, activation.centre - scale * anchor


def build_deep_network(
    activation: str,
    input_dim: int,
    width: int,
    depth: int,
    resolution: float = 16.0,
    seeds: Sequence[int] = (0,),
    dtype: torch.dtype = torch.float32,
    device: torch.device | str = "cpu",
    data: torch.Tensor | None = None,
    first_layer: tuple[torch.Tensor, torch.Tensor] | None = None,
) -> DeepNetwork:
    """Build one :class:`DeepNetwork` per seed, batched.

    Initialisation (``fem_deep``): the first layer is FEM-like
    (:func:`init_first_layer`); every later hidden layer has ``nn.Linear``'s
    weights ``U(-1/sqrt(width), 1/sqrt(width))`` and biases at the activation's
    centre plus the same draw, so that Hat's pre-activations start around its
    peak, where it is not linear, rather than in its ReLU-like foot; the output
    layer is ``nn.Linear``'s. Member ``s`` draws from a CPU generator seeded
    with ``seeds[s]``, in float64. ``data`` (training inputs) adapts the first
    layer to where the inputs lie. ``first_layer`` (weights ``(input_dim,
    width)``, biases ``(width,)``, e.g. :func:`hatlib.ridge_grid.ridge_layer`)
    replaces the random first layer in every member.
    """
    spec = get_activation(activation)
    model = DeepNetwork(spec, input_dim, width, depth, len(seeds), dtype, device)
    bound = 1.0 / math.sqrt(width)
    draws = []
    for seed in seeds:
        generator = torch.Generator(device="cpu").manual_seed(seed)
        if first_layer is None:
            weights, biases = init_first_layer(spec, input_dim, width, resolution, generator, data)
        else:
            weights, biases = (tensor.to(torch.float64) for tensor in first_layer)
            if weights.shape != (input_dim, width) or biases.shape != (width,):
                raise ValueError(
                    f"first_layer has shapes {tuple(weights.shape)}, {tuple(biases.shape)}; "
                    f"expected ({input_dim}, {width}), ({width},)"
                )
        layers = [(weights, biases)]
        for _ in range(depth - 1):
            weight = _uniform((width, width), bound, generator)
            layers.append((weight, spec.centre + _uniform((width,), bound, generator)))
        layers.append((_uniform((width, 1), bound, generator), _uniform((1,), bound, generator)))
        draws.append(layers)
    _load_layers(model, draws)
    return model


def _nn_linear_layers(
    sizes: Sequence[int], generator: torch.Generator
) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """``nn.Linear``'s default draws, ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``, for each layer."""
    layers = []
    for fan_in, fan_out in itertools.pairwise(sizes):
        bound = 1.0 / math.sqrt(fan_in)
        layers.append(
            (_uniform((fan_in, fan_out), bound, generator), _uniform((fan_out,), bound, generator))
        )
    return layers


def _load_layers(model: DeepNetwork, draws: list[list[tuple[torch.Tensor, torch.Tensor]]]) -> None:
    """Copy per-member float64 layer draws ``draws[s][l] = (weight, bias)`` into ``model``."""
    with torch.no_grad():
        for index, (weight, bias) in enumerate(zip(model.weights, model.biases, strict=True)):
            weight.copy_(torch.stack([layers[index][0] for layers in draws]))
            bias.copy_(torch.stack([layers[index][1] for layers in draws]))


def build_default_deep_network(
    activation: str,
    input_dim: int,
    width: int,
    depth: int,
    seeds: Sequence[int] = (0,),
    dtype: torch.dtype = torch.float32,
    device: torch.device | str = "cpu",
) -> DeepNetwork:
    """A :class:`DeepNetwork` with PyTorch's ``nn.Linear`` initialisation in every layer.

    Weights and biases ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``: the usual
    initialisation of a ReLU network (the one of Rahaman et al.'s experiments).
    """
    spec = get_activation(activation)
    model = DeepNetwork(spec, input_dim, width, depth, len(seeds), dtype, device)
    sizes = [input_dim] + [width] * depth + [1]
    draws = [_nn_linear_layers(sizes, torch.Generator(device="cpu").manual_seed(s)) for s in seeds]
    _load_layers(model, draws)
    return model


class ScaledSine:
    """``sin(omega0 z)``, the activation of SIREN (Sitzmann et al., 2020)."""

    def __init__(self, omega0: float) -> None:
        self.omega0 = float(omega0)

    def __call__(self, z: torch.Tensor) -> torch.Tensor:
        return torch.sin(self.omega0 * z)


def build_siren(
    input_dim: int,
    width: int,
    depth: int,
    omega0: float = 30.0,
    seeds: Sequence[int] = (0,),
    dtype: torch.dtype = torch.float32,
    device: torch.device | str = "cpu",
) -> DeepNetwork:
    """A SIREN: ``depth`` hidden layers ``sin(omega0 (W h + b))`` and a linear output.

    Initialisation of Sitzmann et al. (2020): first-layer weights
    ``U(-1/d, 1/d)``, later weights ``U(-sqrt(6/n)/omega0, sqrt(6/n)/omega0)``
    (``n`` the fan-in), so that pre-activations stay of order one at every
    depth; biases as ``nn.Linear``'s.
    """
    if omega0 <= 0:
        raise ValueError(f"omega0 must be positive, got {omega0}")
    spec = ActivationSpec(
        name="sine",
        function=ScaledSine(omega0),
        centre=0.0,
        localised=False,
        nodes="left",
        description=f"sine, sin({omega0:g} z) (SIREN)",
        initialisation="siren",
    )
    model = DeepNetwork(spec, input_dim, width, depth, len(seeds), dtype, device)
    sizes = [input_dim] + [width] * depth + [1]
    draws = []
    for seed in seeds:
        generator = torch.Generator(device="cpu").manual_seed(seed)
        layers = _nn_linear_layers(sizes, generator)
        for index, fan_in in enumerate(sizes[:-1]):
            bound = 1.0 / fan_in if index == 0 else math.sqrt(6.0 / fan_in) / omega0
            layers[index] = (_uniform(layers[index][0].shape, bound, generator), layers[index][1])
        draws.append(layers)
    _load_layers(model, draws)
    return model


class FourierFeatureNetwork(nn.Module):
    """A network on Fourier features ``[cos(2 pi B x), sin(2 pi B x)]`` (Tancik et al., 2020).

    ``frequencies`` ``B`` is a fixed buffer of shape ``(S, d, m)`` (cycles per
    unit length, one draw per member, not trained); ``body`` a
    :class:`DeepNetwork` on the ``2m`` features, whose parameters are the
    trainable ones.
    """

    def __init__(self, frequencies: torch.Tensor, body: DeepNetwork) -> None:
        super().__init__()
        if frequencies.dim() != 3 or 2 * frequencies.shape[2] != body.input_dim:
            raise ValueError(
                f"frequencies of shape {tuple(frequencies.shape)} do not match a body "
                f"on {body.input_dim} inputs"
            )
        self.register_buffer("frequencies", frequencies)
        self.body = body
        self.members = body.members

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Outputs ``(S, N)`` for inputs ``(N,)`` or ``(N, d)``."""
        points = x.reshape(x.shape[0], -1)  # (N, d)
        angles = 2.0 * math.pi * torch.einsum("nd,sdm->snm", points, self.frequencies)
        return self.body(torch.cat([torch.cos(angles), torch.sin(angles)], dim=2))

    def outer_parameters(self) -> list[nn.Parameter]:
        """The output layer's weights and bias."""
        return self.body.outer_parameters()


def build_fourier_network(
    input_dim: int,
    features: int,
    sigma: float,
    width: int,
    depth: int,
    activation: str = "relu",
    seeds: Sequence[int] = (0,),
    dtype: torch.dtype = torch.float32,
    device: torch.device | str = "cpu",
) -> FourierFeatureNetwork:
    """Gaussian Fourier features ``B ~ N(0, sigma^2)`` (``features`` of them) and an MLP.

    The MLP (``depth`` hidden layers of ``width`` units of ``activation``) has
    ``nn.Linear``'s initialisation. Member ``s`` draws ``B`` and then the MLP
    from a CPU generator seeded with ``seeds[s]``, in float64.
    """
    if sigma <= 0 or features < 1:
        raise ValueError(
            f"need sigma > 0 and features >= 1, got sigma={sigma}, features={features}"
        )
    spec = get_activation(activation)
    body = DeepNetwork(spec, 2 * features, width, depth, len(seeds), dtype, device)
    sizes = [2 * features] + [width] * depth + [1]
    draws, mappings = [], []
    for seed in seeds:
        generator = torch.Generator(device="cpu").manual_seed(seed)
        mappings.append(
            sigma * torch.randn((input_dim, features), generator=generator, dtype=torch.float64)
        )
        draws.append(_nn_linear_layers(sizes, generator))
    _load_layers(body, draws)
    mapping = torch.stack(mappings).to(dtype=dtype, device=device)
    return FourierFeatureNetwork(mapping, body)

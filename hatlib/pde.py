"""The 1-D Poisson problem solved by finite elements and by shallow networks (Ritz method).

The problem is ``-u'' = f`` on (0, 1) with ``u(0) = u(1) = 0`` and the exact
solution ``u*(x) = sum_m c_m sin(pi k_m x)`` (:class:`PoissonProblem`), so that
``f = sum_m c_m (pi k_m)^2 sin(pi k_m x)``. Its solution minimises the Ritz
energy

    ``E(u) = int_0^1 (u'^2 / 2 - f u) dx``

over ``H^1_0(0, 1)``, with minimum ``E(u*) = -|u*|_1^2 / 2`` and, for every
admissible ``u``, ``E(u) - E(u*) = |u - u*|_1^2 / 2`` (``|v|_1`` the
H1-seminorm ``(int v'^2)^(1/2)``, the energy norm).

Two discretisations:

- P1 finite elements on a uniform grid (:func:`fem_solution`), whose Galerkin
  solution in 1-D is the nodal interpolant of ``u*``;
- a batch of shallow networks ``N`` (:class:`hatlib.models.ShallowNetwork`)
  with the boundary conditions built in, ``u(x) = x (1 - x) N(x)``, trained by
  gradient descent or Adam on the energy evaluated by composite Gauss-Legendre
  quadrature (:func:`solve_ritz`), the "deep Ritz" method with one hidden
  layer. The derivative ``u'`` is written out with the activation's slope
  (:data:`hatlib.activations.SLOPES`), not taken by autograd in ``x``.

Points ``x`` are dimensionless positions in [0, 1]; every error is relative
(dimensionless); energies are in the units of ``u^2`` (``x`` having none).
"""

from __future__ import annotations

import logging
import math
import numbers
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from hatlib.activations import SLOPES, lookup
from hatlib.fem import stiffness_matrix, uniform_nodes
from hatlib.optimizers import OPTIMIZERS
from hatlib.training import PROGRESS_SECONDS, RECORDS_PER_DECADE, TRAINABLE, record_steps

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PoissonProblem:
    """``-u'' = f`` on (0, 1), ``u(0) = u(1) = 0``, with a sine series as exact solution.

    Attributes
    ----------
    modes:
        The integers ``k_m >= 1`` of the solution's components
        ``sin(pi k_m x)`` (``k_m / 2`` cycles per unit length), distinct.
    coefficients:
        The amplitude ``c_m`` of each component, finite and non-zero (the
        per-mode errors of :func:`mode_errors` are relative to it).
    """

    modes: tuple[int, ...]
    coefficients: tuple[float, ...]

    def __post_init__(self) -> None:
        modes, coefficients = tuple(self.modes), tuple(self.coefficients)
        if not modes:
            raise ValueError(f"modes must hold at least one mode, got {self.modes!r}")
        if len(modes) != len(coefficients):
            raise ValueError(
                f"coefficients must have one entry per mode ({len(modes)}), "
                f"got {len(coefficients)}: {self.coefficients!r}"
            )
        for k in modes:
            if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1:
                raise ValueError(f"modes must be positive integers, got {k!r} in {self.modes!r}")
        if len(set(modes)) != len(modes):
            raise ValueError(f"modes must be distinct, got {self.modes!r}")
        for c in coefficients:
            if (
                isinstance(c, bool)
                or not isinstance(c, numbers.Real)
                or not math.isfinite(c)
                or c == 0
            ):
                raise ValueError(
                    f"coefficients must be finite non-zero numbers, got {c!r} "
                    f"in {self.coefficients!r}"
                )
        object.__setattr__(self, "modes", tuple(int(k) for k in modes))
        object.__setattr__(self, "coefficients", tuple(float(c) for c in coefficients))

    def _wavenumbers(self) -> np.ndarray:
        """``pi k_m``, float64 of shape ``(M,)``."""
        return np.pi * np.asarray(self.modes, dtype=np.float64)

    def _series(self, x: np.ndarray, weights: np.ndarray, function) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        phases = x[..., None] * self._wavenumbers()  # (..., M)
        return function(phases) @ (np.asarray(self.coefficients) * weights)

    def solution(self, x: np.ndarray) -> np.ndarray:
        """``u*(x) = sum_m c_m sin(pi k_m x)``, float64 of the shape of ``x``."""
        return self._series(x, np.ones(len(self.modes)), np.sin)

    def derivative(self, x: np.ndarray) -> np.ndarray:
        """``u*'(x) = sum_m c_m pi k_m cos(pi k_m x)``, float64 of the shape of ``x``."""
        return self._series(x, self._wavenumbers(), np.cos)

    def source(self, x: np.ndarray) -> np.ndarray:
        """``f = -u*'' = sum_m c_m (pi k_m)^2 sin(pi k_m x)``, float64 of the shape of ``x``."""
        return self._series(x, self._wavenumbers() ** 2, np.sin)

    def energy(self) -> float:
        """The minimum Ritz energy ``E(u*) = -int u*'^2 / 2 = -sum_m c_m^2 (pi k_m)^2 / 4``.

        >>> round(PoissonProblem((1,), (1.0,)).energy() / np.pi**2, 12)
        -0.25
        """
        coefficients = np.asarray(self.coefficients)
        return float(-0.25 * np.sum(coefficients**2 * self._wavenumbers() ** 2))


def gauss_legendre(cells: int, points: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Composite Gauss-Legendre rule on [0, 1] with ``cells`` equal cells.

    Returns ``(x, weights)``, float64 of shape ``(cells * points,)`` in
    increasing order of ``x``: ``points`` Gauss points per cell, exact for
    polynomials of degree ``2 points - 1`` on each cell. The weights sum to 1.

    >>> x, w = gauss_legendre(4, 2)
    >>> float(w.sum()), float(w @ x**3)
    (1.0, 0.25)
    """
    if cells < 1:
        raise ValueError(f"cells must be at least 1, got {cells}")
    if points < 1:
        raise ValueError(f"points must be at least 1, got {points}")
    reference, reference_weights = np.polynomial.legendre.leggauss(points)  # on [-1, 1]
    left = np.arange(cells, dtype=np.float64)[:, None]
    x = (left + (reference[None, :] + 1.0) / 2.0) / cells
    weights = np.broadcast_to(reference_weights / (2.0 * cells), x.shape)
    return x.ravel(), np.ascontiguousarray(weights).ravel()


def aligned_rule(
    breakpoints: np.ndarray, cells: int, points: int = 3
) -> tuple[np.ndarray, np.ndarray]:
    """Composite Gauss-Legendre rule on [0, 1] whose cell edges include ``breakpoints``.

    The cells are those of :func:`gauss_legendre` (``cells`` equal cells), each
    split further at the ``breakpoints`` that fall inside it (values outside
    (0, 1), and ones within ``1e-12`` of an edge already there, are dropped).
    A network whose features are polynomial between its breakpoints then has
    polynomial integrands on every cell, which the rule integrates exactly up
    to its degree; a uniform rule whose edges miss the breakpoints integrates a
    kink with a first-order error. Returns ``(x, weights)``, float64, in
    increasing order of ``x``; the weights sum to 1.

    >>> x, w = aligned_rule(np.array([0.3]), 2, 1)
    >>> x.round(3).tolist(), w.round(3).tolist()
    ([0.15, 0.4, 0.75], [0.3, 0.2, 0.5])
    """
    if cells < 1:
        raise ValueError(f"cells must be at least 1, got {cells}")
    if points < 1:
        raise ValueError(f"points must be at least 1, got {points}")
    inside = np.asarray(breakpoints, dtype=np.float64).ravel()
    inside = inside[(inside > 0.0) & (inside < 1.0)]
    edges = np.unique(np.concatenate([np.linspace(0.0, 1.0, cells + 1), inside]))
    edges = edges[np.concatenate([[True], np.diff(edges) > 1e-12])]
    edges[-1] = 1.0
    reference, reference_weights = np.polynomial.legendre.leggauss(points)  # on [-1, 1]
    left, length = edges[:-1, None], np.diff(edges)[:, None]
    x = left + (reference[None, :] + 1.0) / 2.0 * length
    weights = reference_weights[None, :] / 2.0 * length
    return x.ravel(), weights.ravel()


def network_breakpoints(model: torch.nn.Module) -> np.ndarray:
    """Positions ``x`` where a shallow network's features are not smooth, every member.

    For unit ``j`` of a :class:`hatlib.models.ShallowNetwork` and each knot
    ``t`` of its activation (:attr:`hatlib.activations.ActivationSpec.knots`),
    ``x = (t - b_j) / w_j`` (units with ``w_j = 0`` are constant). Float64,
    sorted, unique; empty for a smooth activation. ``x`` is a dimensionless
    position, not restricted to [0, 1].
    """
    knots = torch.tensor(model.activation.knots, dtype=torch.float64)
    weight = model.inner_weight.detach().to(torch.float64).cpu().ravel()
    bias = model.inner_bias.detach().to(torch.float64).cpu().ravel()
    moving = weight != 0
    positions = (knots[:, None] - bias[None, moving]) / weight[None, moving]
    return np.unique(positions.numpy().ravel())


def _element_rule(
    problem: PoissonProblem, num_elements: int, points: int
) -> tuple[np.ndarray, np.ndarray]:
    """A composite Gauss-Legendre rule aligned with the elements, shape ``(n, points per element)``.

    Each element is cut into ``ceil(2 max(k_m) / n)`` equal sub-cells (at most a
    quarter of the shortest wavelength ``2 / k_m`` of ``u*`` each), with
    ``points`` Gauss points per sub-cell, so that the rule stays accurate on
    coarse grids and for high modes. Rows are elements, in order.
    """
    subcells = max(1, math.ceil(2 * max(problem.modes) / num_elements))
    x, weights = gauss_legendre(num_elements * subcells, points)
    return x.reshape(num_elements, -1), weights.reshape(num_elements, -1)


def fem_solution(
    problem: PoissonProblem, num_elements: int, quadrature_points: int = 6
) -> np.ndarray:
    """Nodal values of the P1 Galerkin solution on the uniform grid of ``num_elements`` elements.

    The load vector ``b_i = int f phi_i`` is assembled element by element with
    ``quadrature_points`` Gauss-Legendre points per sub-cell of each element
    (sub-cells at most a quarter wavelength of the highest mode long, so that
    the default load is accurate to near rounding); the interior block of
    :func:`hatlib.fem.stiffness_matrix` is solved for the interior values.
    Returns float64 of shape ``(num_elements + 1,)``, zero at both ends.
    """
    nodes = uniform_nodes(num_elements)
    x, weights = _element_rule(problem, num_elements, quadrature_points)  # (n, q)
    local = x * num_elements - np.arange(num_elements)[:, None]  # position within its element
    weighted = weights * problem.source(x)
    load = np.zeros(num_elements + 1)
    load[:-1] += np.sum(weighted * (1.0 - local), axis=1)
    load[1:] += np.sum(weighted * local, axis=1)
    values = np.zeros(num_elements + 1)
    if num_elements > 1:
        values[1:-1] = np.linalg.solve(stiffness_matrix(nodes)[1:-1, 1:-1], load[1:-1])
    return values


def relative_errors(
    problem: PoissonProblem,
    u: torch.Tensor,
    du: torch.Tensor,
    x: torch.Tensor,
    weights: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Relative L2 and H1-seminorm (energy) errors of approximations of ``u*``.

    ``u`` and ``du`` (shape ``(S, Q)``) hold ``S`` approximations and their
    derivatives at the quadrature points ``x`` (``(Q,)``) of a rule with
    ``weights`` (``(Q,)``). Returns float64 tensors of shape ``(S,)``:
    ``||u - u*|| / ||u*||`` and ``|u - u*|_1 / |u*|_1``, every integral (norms
    of ``u*`` too) by that rule.
    """
    _, w64, exact, slope = _reference(problem, x, weights)
    u64, du64 = u.to(torch.float64), du.to(torch.float64)
    l2 = torch.sqrt(((u64 - exact) ** 2) @ w64 / (exact**2 @ w64))
    h1 = torch.sqrt(((du64 - slope) ** 2) @ w64 / (slope**2 @ w64))
    return l2, h1


def fem_errors(
    problem: PoissonProblem, num_elements: int, quadrature_points: int = 6
) -> tuple[float, float]:
    """Relative L2 and H1-seminorm errors of :func:`fem_solution` against ``u*``.

    The errors are integrated with the rule of the load vector (cells aligned
    with the elements, so the integrands are smooth on every cell). Returns
    ``(||u_h - u*|| / ||u*||, |u_h - u*|_1 / |u*|_1)``.
    """
    values = fem_solution(problem, num_elements, quadrature_points)
    x, weights = _element_rule(problem, num_elements, quadrature_points)  # (n, q)
    u = np.interp(x, uniform_nodes(num_elements), values)
    du = np.broadcast_to((np.diff(values) * num_elements)[:, None], x.shape)
    l2, h1 = relative_errors(
        problem,
        torch.from_numpy(u.ravel())[None, :],
        torch.from_numpy(du.ravel())[None, :],
        torch.from_numpy(x.ravel()),
        torch.from_numpy(weights.ravel()),
    )
    return float(l2[0]), float(h1[0])


def network_values(model: torch.nn.Module, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Values and ``x``-derivatives of ``u(x) = x (1 - x) N(x)`` for every member of ``model``.

    ``model`` is a :class:`hatlib.models.ShallowNetwork` (``S`` members, any
    registered activation), ``x`` of shape ``(Q,)`` in its dtype and on its
    device. Returns ``(u, du)`` of shape ``(S, Q)`` with
    ``du = (1 - 2x) N + x (1 - x) N'`` and
    ``N'(x) = sum_j a_j w_j sigma'(w_j x + b_j)``, ``sigma'`` from
    :data:`hatlib.activations.SLOPES`. Both are differentiable with respect to
    the parameters (autograd); ``x`` needs no gradient. ``u`` is exactly zero
    at ``x = 0`` and ``x = 1``.
    """
    slope = lookup(SLOPES, "activation slope", model.activation.name)
    weight, bias = model.inner_weight, model.inner_bias  # (S, W)
    pre = x[None, :, None] * weight[:, None, :] + bias[:, None, :]  # (S, Q, W)
    outer = model.outer_weight
    network = torch.einsum("sqw,sw->sq", model.activation.function(pre), outer)
    network = network + model.outer_bias[:, None]
    network_slope = torch.einsum("sqw,sw->sq", slope(pre), outer * weight)
    bubble = x * (1.0 - x)  # (Q,)
    u = bubble * network
    du = (1.0 - 2.0 * x) * network + bubble * network_slope
    return u, du


def ritz_energy(
    du: torch.Tensor, u: torch.Tensor, f: torch.Tensor, weights: torch.Tensor
) -> torch.Tensor:
    """Ritz energy ``sum_q w_q (du_q^2 / 2 - f_q u_q)`` of each member, shape ``(S,)``.

    ``du`` and ``u`` have shape ``(S, Q)``; the source ``f`` and quadrature
    ``weights`` shape ``(Q,)``. Computed in the dtype of the inputs.
    """
    return (0.5 * du * du - u * f) @ weights


def mode_errors(
    problem: PoissonProblem, u: torch.Tensor, x: torch.Tensor, weights: torch.Tensor
) -> torch.Tensor:
    """Relative error of each of the exact solution's sine components, shape ``(S, M)``.

    For mode ``k_m``: ``|e_m| / |c_m|`` with ``e_m = 2 int (u - u*) sin(pi k_m x)``
    the sine coefficient of the error, by the quadrature rule ``(x, weights)``
    (each ``(Q,)``); ``u`` has shape ``(S, Q)``. Float64.
    """
    x64, w64, exact, _ = _reference(problem, x, weights)
    wavenumbers = torch.tensor(problem.modes, dtype=torch.float64, device=x64.device) * math.pi
    sines = torch.sin(x64[:, None] * wavenumbers[None, :])  # (Q, M)
    residual = (u.to(torch.float64) - exact) * w64  # (S, Q)
    coefficients = torch.tensor(problem.coefficients, dtype=torch.float64, device=x64.device)
    return torch.abs(2.0 * residual @ sines) / torch.abs(coefficients)


def _reference(problem: PoissonProblem, x: torch.Tensor, weights: torch.Tensor):
    """``x``, ``weights``, ``u*(x)`` and ``u*'(x)`` as float64 tensors on ``x``'s device."""
    x64 = x.detach().to(torch.float64)
    points = x64.cpu().numpy()
    exact = torch.from_numpy(problem.solution(points)).to(x64.device)
    slope = torch.from_numpy(problem.derivative(points)).to(x64.device)
    return x64, weights.detach().to(torch.float64), exact, slope


@dataclass(frozen=True)
class RitzResult:
    """What one batched Ritz run produced.

    Attributes
    ----------
    history:
        One row per member and recorded step: ``member`` (index in the batch),
        ``step``, ``energy`` (the Ritz energy by quadrature), ``energy_gap``
        (``energy - E(u*)``, equal to ``|u - u*|_1^2 / 2``: non-negative up to
        the quadrature error), ``relative_l2_error`` and ``relative_h1_error``
        (:func:`relative_errors`). All float64.
    modes:
        One row per member, recorded step and mode of the exact solution:
        ``member``, ``step``, ``mode`` (``k_m``) and ``relative_error``
        (:func:`mode_errors`).
    status:
        Per member: ``"completed"`` (ran all iterations) or ``"diverged"`` (its
        energy became NaN or infinite).
    steps:
        Per member: optimizer steps taken before it stopped (the step at which
        a diverged member's energy was first non-finite).
    wall_seconds:
        Wall-clock time of the loop, in seconds.
    """

    history: pd.DataFrame
    modes: pd.DataFrame
    status: list[str]
    steps: list[int]
    wall_seconds: float


def output_features(model: torch.nn.Module, x64: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``psi`` and ``psi'`` of every member's output parameters at the points ``x64``, float64.

    For a :class:`hatlib.models.ShallowNetwork` with fixed inner layer,
    ``u = sum_j theta_j psi_j`` with ``psi_j = x (1 - x) sigma(w_j x + b_j)`` and
    ``psi_bias = x (1 - x)``. Returns two ``(S, Q, W + 1)`` tensors (the bias last).
    """
    slope = lookup(SLOPES, "activation slope", model.activation.name)
    weight = model.inner_weight.detach().to(torch.float64)  # (S, W)
    bias = model.inner_bias.detach().to(torch.float64)
    pre = x64[None, :, None] * weight[:, None, :] + bias[:, None, :]  # (S, Q, W)
    ones = torch.ones_like(pre[..., :1])
    columns = torch.cat([model.activation.function(pre), ones], dim=2)  # (S, Q, W + 1)
    slopes = torch.cat([slope(pre) * weight[:, None, :], torch.zeros_like(ones)], dim=2)
    bubble = (x64 * (1.0 - x64))[None, :, None]
    return bubble * columns, (1.0 - 2.0 * x64)[None, :, None] * columns + bubble * slopes


class OuterLayerEnergy:
    """The quadrature energy of a batch whose inner layer stays fixed: a quadratic.

    With ``w`` and ``b`` fixed, ``u = sum_j theta_j psi_j`` in the output
    parameters ``theta = (a_1, ..., a_W, c)`` of each member, for the
    features ``psi_j = x (1 - x) sigma(w_j x + b_j)`` and ``psi_c = x (1 - x)``,
    and the energy by the quadrature rule ``(x, weights)`` is exactly
    ``theta^T K theta / 2 - g^T theta`` with ``K = sum_q w_q psi'(x_q)
    psi'(x_q)^T`` and ``g = sum_q w_q f(x_q) psi(x_q)``. ``K`` and ``g`` are
    formed once per member in float64 and rounded to the training dtype; a
    step is then one ``(W + 1)``-square product per member instead of a pass
    over every quadrature point and unit. Mathematically the energy and its
    gradient ``K theta - g`` are those of :func:`network_values` and
    :func:`ritz_energy`; in float32 they differ from that evaluation by
    rounding (``tests/test_pde.py``).
    """

    def __init__(self, model: torch.nn.Module, x64, weights64, source64) -> None:
        self.values, self.derivative = output_features(model, x64)
        weighted = self.derivative * weights64[None, :, None]
        dtype = model.inner_weight.dtype
        self.hessian = (weighted.transpose(1, 2) @ self.derivative).to(dtype)  # (S, W+1, W+1)
        load = self.values.transpose(1, 2) @ (weights64 * source64)  # (S, W + 1)
        self.load = load.to(dtype)
        self.model = model

    def theta(self) -> torch.Tensor:
        """The output parameters ``(S, W + 1)``: the weights, then the bias."""
        model = self.model
        return torch.cat([model.outer_weight.detach(), model.outer_bias.detach()[:, None]], dim=1)

    def energy_and_gradient(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Energies ``(S,)`` and gradients ``(S, W + 1)`` at the current parameters."""
        theta = self.theta()
        product = torch.bmm(self.hessian, theta[:, :, None])[:, :, 0]
        gradient = product - self.load
        energy = ((0.5 * product - self.load) * theta).sum(dim=1)
        return energy, gradient

    def fields(self) -> tuple[torch.Tensor, torch.Tensor]:
        """``u`` and ``u'`` at the quadrature points ``(S, Q)``, float64."""
        theta = self.theta().to(torch.float64)[:, :, None]
        return torch.bmm(self.values, theta)[:, :, 0], torch.bmm(self.derivative, theta)[:, :, 0]


def solve_ritz(
    problem: PoissonProblem,
    model: torch.nn.Module,
    optimizer: str,
    learning_rate: float,
    iterations: int,
    log_every: int,
    quadrature_cells: int,
    quadrature_points: int = 3,
    device: torch.device | str = "cpu",
    trainable: str = "all",
    records_per_decade: int = RECORDS_PER_DECADE,
    quadratic: bool | None = None,
) -> RitzResult:
    """Minimise the Ritz energy of ``u = x (1 - x) N`` over every member's parameters.

    ``model`` is a :class:`hatlib.models.ShallowNetwork` already on ``device``
    in the dtype it is to be trained in; its parameters are trained in place:
    ``trainable`` (one of :data:`hatlib.training.TRAINABLE`) picks ``"all"``,
    the ``"outer"`` layer (weights and bias: a convex quadratic problem in
    them) or the ``"outer_weight"`` alone; the others stay as they are.

    Each step is full-batch: :func:`network_values` and :func:`ritz_energy`
    on the composite Gauss-Legendre rule of ``quadrature_cells`` cells split at
    the initial breakpoints of every member (:func:`aligned_rule`,
    :func:`network_breakpoints`; with a fixed inner layer they stay there) and
    ``quadrature_points`` points per cell, in the model's dtype; the
    gradients of the summed energies (each member's own, the members being
    independent) by autograd; one step of
    ``optimizer`` (a key of :data:`hatlib.optimizers.OPTIMIZERS`) with
    ``learning_rate``. The gradient is that of the quadrature energy: where
    the slope ``sigma'`` is piecewise constant (ReLU, Hat) the term
    ``sigma'(w x + b)`` has zero derivative in ``w`` and ``b``, so a
    breakpoint moves only through the terms in which it enters smoothly.
    With the inner layer fixed (``trainable`` other than ``"all"``) the energy
    is a quadratic in the output parameters, and ``quadratic`` (the default
    then) evaluates it and its gradient from its Hessian and load
    (:class:`OuterLayerEnergy`) instead of by autograd over every quadrature
    point: the same function, far fewer operations per step.

    Metrics (float64) are recorded at the steps of
    :func:`hatlib.training.record_steps` (every ``log_every`` steps, the end, and
    a geometric schedule of ``records_per_decade`` records per decade). A
    member whose energy is not finite is marked ``"diverged"`` at that step
    (that row is recorded) and never recorded again; it keeps being stepped
    with the others, which it cannot affect, and the run stops early once
    every member has diverged. On the CPU the same inputs give bitwise
    the same results.
    """
    lookup(OPTIMIZERS, "optimizer", optimizer)
    if not (learning_rate > 0 and math.isfinite(learning_rate)):
        raise ValueError(f"learning_rate must be positive and finite, got {learning_rate}")
    if iterations < 0:
        raise ValueError(f"iterations must be non-negative, got {iterations}")
    if log_every < 1:
        raise ValueError(f"log_every must be at least 1, got {log_every}")
    if trainable not in TRAINABLE:
        raise ValueError(f"trainable must be one of {TRAINABLE}, got {trainable!r}")
    parameters = {
        "all": lambda: list(model.parameters()),
        "outer": lambda: list(model.outer_parameters()),
        "outer_weight": lambda: [model.outer_weight],
    }[trainable]()
    dtype, members = model.inner_weight.dtype, model.inner_weight.shape[0]
    points, point_weights = aligned_rule(
        network_breakpoints(model), quadrature_cells, quadrature_points
    )
    x64 = torch.from_numpy(points).to(device)
    w64 = torch.from_numpy(point_weights).to(device)
    f64 = torch.from_numpy(problem.source(points)).to(device)
    x, weights, f = x64.to(dtype), w64.to(dtype), f64.to(dtype)
    minimum = problem.energy()
    step_optimizer = OPTIMIZERS[optimizer](parameters, learning_rate)
    if quadratic is None:
        quadratic = trainable != "all"
    if quadratic and trainable == "all":
        raise ValueError("quadratic needs a fixed inner layer, got trainable='all'")
    form = OuterLayerEnergy(model, x64, w64, f64) if quadratic else None
    logger.info(
        "Ritz: %d members, %s, width %d, %d quadrature points, %s on %s at learning rate %g",
        members,
        model.activation.name,
        model.inner_weight.shape[1],
        len(points),
        optimizer,
        trainable,
        learning_rate,
    )

    history: list[tuple[int, int, float, float, float, float]] = []
    spectrum: list[tuple[int, int, np.ndarray]] = []
    status = ["completed"] * members
    steps = [iterations] * members
    active = np.ones(members, dtype=bool)
    scheduled = {int(s) for s in record_steps(iterations, log_every, records_per_decade)}
    step = 0
    start = last_report = time.perf_counter()
    while True:
        if form is not None:
            energy, gradient = form.energy_and_gradient()
        else:
            u, du = network_values(model, x)
            energy = ritz_energy(du, u, f, weights)  # (S,)
        finite = torch.isfinite(energy).cpu().numpy()
        stopping = active & ~finite
        last = step == iterations
        record = active & ((step in scheduled or last) | stopping)
        if record.any():
            with torch.no_grad():
                if form is not None:
                    u64, du64 = form.fields()
                else:
                    u64, du64 = u.detach().to(torch.float64), du.detach().to(torch.float64)
                energies = ritz_energy(du64, u64, f64, w64).cpu().numpy()
                l2, h1 = relative_errors(problem, u64, du64, x64, w64)
                components = mode_errors(problem, u64, x64, w64).cpu().numpy()  # (S, M)
            l2, h1 = l2.cpu().numpy(), h1.cpu().numpy()
            for member in np.flatnonzero(record):
                gap = energies[member] - minimum
                history.append((member, step, energies[member], gap, l2[member], h1[member]))
                spectrum.append((member, step, components[member]))
        for member in np.flatnonzero(stopping):
            status[member] = "diverged"
            steps[member] = step
        active &= ~stopping
        if last or not active.any():
            break
        if form is not None:
            width = gradient.shape[1] - 1
            gradients = (gradient[:, :width], gradient[:, width])[: len(parameters)]
        else:
            gradients = torch.autograd.grad(energy.sum(), parameters)
        step_optimizer.step(gradients)
        step += 1
        now = time.perf_counter()
        if now - last_report > PROGRESS_SECONDS:
            last_report = now
            current = energy.detach().to(torch.float64).cpu().numpy()
            logger.info(
                "step %d/%d  energy gap %.3e  rate %.0f steps/s  (%d of %d members active)",
                step,
                iterations,
                float(np.nanmean(np.where(active, current - minimum, np.nan))),
                step / (now - start),
                int(active.sum()),
                members,
            )
    wall = time.perf_counter() - start
    logger.info("finished after %d steps in %.2f s: %s", step, wall, ", ".join(status))

    columns = ["member", "step", "energy", "energy_gap", "relative_l2_error", "relative_h1_error"]
    history_frame = pd.DataFrame(history, columns=columns).astype(
        {"member": np.int64, "step": np.int64}
    )
    history_frame = history_frame.sort_values(["member", "step"], kind="stable", ignore_index=True)
    count = len(problem.modes)
    modes_frame = pd.DataFrame(
        {
            "member": np.repeat(np.asarray([row[0] for row in spectrum], dtype=np.int64), count),
            "step": np.repeat(np.asarray([row[1] for row in spectrum], dtype=np.int64), count),
            "mode": np.tile(np.asarray(problem.modes, dtype=np.int64), len(spectrum)),
            "relative_error": np.concatenate([row[2] for row in spectrum])
            if spectrum
            else np.array([], dtype=np.float64),
        }
    ).sort_values(["member", "step", "mode"], kind="stable", ignore_index=True)
    return RitzResult(history_frame, modes_frame, status, steps, wall)


def ritz_learning_rate_search(
    problem: PoissonProblem,
    build: Callable[[], torch.nn.Module],
    optimizer: str,
    candidates: Sequence[float],
    iterations: int,
    quadrature_cells: int,
    seeds: Sequence[int],
    device: torch.device | str = "cpu",
    trainable: str = "all",
) -> pd.DataFrame:
    """Run :func:`solve_ritz` on a fresh batch from ``build()`` with each candidate learning rate.

    ``build`` returns the batch of networks (one per seed in ``seeds``, on
    ``device``), anew at every call. Returns one row per candidate and seed:
    ``learning_rate``, ``seed``, ``final_error`` (relative H1-seminorm error
    at the last recorded step, after ``iterations`` steps unless the member
    diverged) and ``status``, the table
    :func:`hatlib.analysis.choose_learning_rate` selects from.
    """
    rows = []
    for rate in candidates:
        result = solve_ritz(
            problem,
            build(),
            optimizer,
            float(rate),
            iterations,
            max(iterations, 1),
            quadrature_cells,
            device=device,
            trainable=trainable,
            records_per_decade=0,
        )
        last = result.history.groupby("member")["relative_h1_error"].last()
        if len(result.status) != len(seeds):
            raise ValueError(f"build() made {len(result.status)} members for {len(seeds)} seeds")
        for member, seed in enumerate(seeds):
            rows.append(
                {
                    "learning_rate": float(rate),
                    "seed": int(seed),
                    "final_error": float(last.get(member, np.nan)),
                    "status": result.status[member],
                }
            )
    return pd.DataFrame(rows)


def fem_width_table(problem: PoissonProblem, widths: Sequence[int]) -> pd.DataFrame:
    """The P1 finite element errors on the grid of a Hat network of each width.

    A Hat network of ``W`` units on the ``fem_grid`` has the nodal basis of
    ``W - 1`` uniform elements. Columns ``width``, ``num_elements``,
    ``relative_l2_error`` and ``relative_h1_error`` (:func:`fem_errors`).
    """
    rows = []
    for width in widths:
        l2, h1 = fem_errors(problem, width - 1)
        rows.append(
            {
                "width": int(width),
                "num_elements": int(width) - 1,
                "relative_l2_error": l2,
                "relative_h1_error": h1,
            }
        )
    return pd.DataFrame(rows)


def _ritz_features(
    activation: str, width: int, quadrature_cells: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """The features of a fem_grid network's output layer at the energy's quadrature points.

    With the inner layer on the grid initialisation (seed 0: the grid has no
    randomness), ``u = sum_j theta_j psi_j`` for ``psi_j = x (1 - x)
    sigma(w_j x + b_j)`` and ``psi_bias = x (1 - x)``. Returns float64
    ``(x, weights, values, slopes)``: the three-point rule of training
    (:func:`aligned_rule`, ``quadrature_cells`` cells split at the features'
    breakpoints; ``(Q,)`` each), and ``psi`` and ``psi'`` at its points
    (``(Q, width + 1)``, the bias last).
    """
    from hatlib.models import build_shallow_network

    model = build_shallow_network(activation, width, "fem_grid", dtype=torch.float64)
    rule = aligned_rule(network_breakpoints(model), quadrature_cells, 3)
    x, weights = (torch.from_numpy(v) for v in rule)
    values, derivative = (features[0] for features in output_features(model, x))
    return x, weights, values, derivative


def ritz_hessian(activation: str, width: int, quadrature_cells: int) -> np.ndarray:
    """Hessian of the Ritz energy in the output parameters (weights, bias) of a fem_grid network.

    With the inner layer fixed, ``E`` is quadratic in the output parameters
    ``theta`` and its Hessian is ``K_ij = int psi_i' psi_j'`` for the features
    ``psi_j = x (1 - x) sigma(w_j x + b_j)`` and ``psi_bias = x (1 - x)``: the
    stiffness matrix of the features, what gradient descent on the energy sees.
    Float64, shape ``(width + 1, width + 1)``, by the rule of training
    (:func:`_ritz_features`).
    """
    _, weights, _, derivative = _ritz_features(activation, width, quadrature_cells)
    return ((derivative * weights[:, None]).T @ derivative).numpy()


def ritz_minimiser(
    problem: PoissonProblem, activation: str, width: int, quadrature_cells: int
) -> dict[str, float]:
    """The exact minimiser of the Ritz energy over a fem_grid network's output layer.

    With the inner layer fixed on the grid, the energy (by the quadrature of
    training) is the quadratic ``theta^T K theta / 2 - theta^T b`` with ``K``
    from :func:`ritz_hessian` and ``b_j = int f psi_j``; its minimiser solves
    ``K theta = b`` (least squares: ``K`` is singular with Hat, whose output
    bias duplicates the sum of the hats). This is the solution that training
    the output layer converges to: what the network's space can do, without
    optimisation error. Returns ``relative_l2_error``, ``relative_h1_error``
    (:func:`relative_errors`, by the same rule) and ``energy_gap``
    (``E(u) - E(u*)``, by that rule).
    """
    x, weights, values, derivative = _ritz_features(activation, width, quadrature_cells)
    source = torch.from_numpy(problem.source(x.numpy()))
    hessian = ((derivative * weights[:, None]).T @ derivative).numpy()
    load = (values.T @ (weights * source)).numpy()
    theta = torch.from_numpy(np.linalg.lstsq(hessian, load, rcond=1e-13)[0])
    u, du = (values @ theta)[None, :], (derivative @ theta)[None, :]
    l2, h1 = relative_errors(problem, u, du, x, weights)
    energy = ritz_energy(du, u, source, weights)
    return {
        "relative_l2_error": float(l2[0]),
        "relative_h1_error": float(h1[0]),
        "energy_gap": float(energy[0]) - problem.energy(),
    }


def minimiser_width_table(
    problem: PoissonProblem,
    activations: Sequence[str],
    widths: Sequence[int],
    quadrature_cells: int,
) -> pd.DataFrame:
    """:func:`ritz_minimiser` per activation and width.

    Columns ``activation``, ``width``, ``relative_l2_error``,
    ``relative_h1_error`` and ``energy_gap``.
    """
    rows = [
        {
            "activation": activation,
            "width": int(width),
            **ritz_minimiser(problem, activation, int(width), quadrature_cells),
        }
        for activation in activations
        for width in widths
    ]
    return pd.DataFrame(rows)


def ritz_conditioning(
    activations: Sequence[str], widths: Sequence[int], quadrature_cells: int
) -> pd.DataFrame:
    """Condition number of :func:`ritz_hessian` on its range, per activation and width.

    Eigenvalues below ``1e-12`` of the largest are the Hessian's null space
    (with Hat, the output bias duplicates the sum of the hats) and are left
    out. Columns ``activation``, ``width``, ``largest``, ``smallest`` and
    ``condition_number``.
    """
    rows = []
    for activation in activations:
        for width in widths:
            eigenvalues = np.linalg.eigvalsh(ritz_hessian(activation, width, quadrature_cells))
            kept = eigenvalues[eigenvalues > 1e-12 * eigenvalues.max()]
            rows.append(
                {
                    "activation": activation,
                    "width": int(width),
                    "largest": float(kept.max()),
                    "smallest": float(kept.min()),
                    "condition_number": float(kept.max() / kept.min()),
                }
            )
    return pd.DataFrame(rows)


def conditioning_exponents(conditioning: pd.DataFrame) -> pd.DataFrame:
    """Least-squares slope of log condition number against log width, per activation.

    ``conditioning`` is a :func:`ritz_conditioning` table; the result has the
    columns ``activation`` and ``exponent`` (``p`` in ``kappa ~ width^p``, that
    is ``h^-p``).
    """
    rows = []
    for activation, group in conditioning.groupby("activation", sort=False):
        slope = np.polyfit(np.log(group["width"]), np.log(group["condition_number"]), 1)[0]
        rows.append({"activation": activation, "exponent": float(slope)})
    return pd.DataFrame(rows)

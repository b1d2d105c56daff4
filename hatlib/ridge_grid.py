"""A FEM-like first layer on ``[0, 1]^d``: ridge features on a grid along fixed directions.

In one dimension the first layer is the finite element grid: one feature per
node, Hat the P1 nodal basis (:func:`hatlib.models.init_fem_grid`). In ``d``
dimensions a unit is a ridge ``sigma(w . x + b)``, a function of ``u . x``
only (``u = w / |w|``), so a target component ``sin(2 pi k . x + phi)`` is a
ridge function along ``k / |k|`` and nowhere else. The grid here puts the 1-D
construction along each of a fixed set of directions: the configured ones (the
axes and the diagonals) and the direction of every frequency vector of the
target. Along direction ``u`` the projection ``u . x`` of the cube covers
``[low_u, high_u]``; its nodes are the 1-D grid of that interval, with the same
layout, scale and centre as in 1-D (Hat ``hat((u . x - t_j)/h + 1)``, ReLU
``relu(u . x - t_j)``), so ReLU and Hat share directions and nodes.

Design rule: the target varies along ``u`` at most at the frequency
``f_u = max_j |k_j . u|``, so direction ``u`` spans ``p_u = (high_u - low_u) f_u``
periods of it and needs ``ceil(E p_u)`` elements for ``E = elements_per_period``
per period; a smaller width is refused, and the units beyond that are shared in
proportion to ``p_u`` (largest remainders), so that the directions have about
the same number of elements per period.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # PyTorch is imported where it is used: checking a configuration needs none
    import torch

    from hatlib.activations import ActivationSpec


def unit_directions(vectors) -> np.ndarray:
    """Unit vectors of ``vectors`` (``(M, d)``), sign-normalised and without repeats.

    ``u`` and ``-u`` give the same ridge family (the grid along ``-u`` is the
    mirror image of the grid along ``u``), so each is written with its first
    non-zero component positive; repeats (to 1e-12) are dropped, order kept.
    """
    vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float64))
    norms = np.linalg.norm(vectors, axis=1)
    if np.any(norms == 0):
        raise ValueError(f"a direction must be non-zero, got {vectors[norms == 0][0].tolist()}")
    units = vectors / norms[:, None]
    leading = units[np.arange(len(units)), np.argmax(np.abs(units) > 1e-12, axis=1)]
    units *= np.sign(leading)[:, None]
    kept: list[np.ndarray] = []
    for unit in units:
        if not any(np.allclose(unit, other, atol=1e-12) for other in kept):
            kept.append(unit)
    return np.array(kept)


@dataclass(frozen=True)
class RidgeGrid:
    """Directions and nodes per direction of a first layer (:func:`ridge_grid`).

    Attributes
    ----------
    directions:
        Unit vectors, one tuple each.
    nodes:
        Grid nodes (units) along each direction; they sum to the width.
    frequencies:
        The target's highest frequency along each direction, ``max_j |k_j . u|``.
    """

    directions: tuple[tuple[float, ...], ...]
    nodes: tuple[int, ...]
    frequencies: tuple[float, ...]

    @property
    def width(self) -> int:
        return sum(self.nodes)

    def spans(self) -> np.ndarray:
        """``high_u - low_u``, the range of ``u . x`` over the cube, per direction."""
        return np.abs(np.asarray(self.directions)).sum(axis=1)

    def elements_per_period(self) -> np.ndarray:
        """Elements (``nodes - 1``) per period of the target's highest frequency, per direction."""
        periods = self.spans() * np.asarray(self.frequencies)
        with np.errstate(divide="ignore"):
            return (np.asarray(self.nodes) - 1) / periods

    def table(self) -> pd.DataFrame:
        """Per direction: ``direction``, ``nodes``, ``frequency``, ``elements_per_period``."""
        return pd.DataFrame(
            {
                "direction": [
                    "(" + ", ".join(f"{c:.3f}" for c in u) + ")" for u in self.directions
                ],
                "nodes": self.nodes,
                "frequency": self.frequencies,
                "elements_per_period": self.elements_per_period(),
            }
        )


def ridge_grid(directions, frequencies, width: int, elements_per_period: float = 5.0) -> RidgeGrid:
    """The grid of the design rule for ``width`` units (see the module's docstring).

    ``directions`` (``(M, d)``) are the fixed directions; the unit vectors of
    ``frequencies`` (``(F, d)``, the target's frequency vectors) are added.
    Raises ``ValueError`` naming the width needed when ``width`` gives fewer
    than ``elements_per_period`` elements per period along some direction.
    """
    frequencies = np.atleast_2d(np.asarray(frequencies, dtype=np.float64))
    fixed = np.atleast_2d(np.asarray(directions, dtype=np.float64))
    if fixed.shape[1] != frequencies.shape[1]:
        raise ValueError(
            f"directions have {fixed.shape[1]} components but frequencies {frequencies.shape[1]}"
        )
    units = unit_directions(np.vstack([fixed, frequencies[np.any(frequencies != 0, axis=1)]]))
    along = np.abs(frequencies @ units.T).max(axis=0)
    periods = np.maximum(np.abs(units).sum(axis=1) * along, 1e-12)
    minimum = np.ceil(elements_per_period * periods - 1e-9).astype(int)
    if width < len(units) + minimum.sum():
        achieved = (width - len(units)) * periods / periods.sum() / periods
        raise ValueError(
            f"width {width} gives {achieved.min():.2f} elements per period along direction "
            f"{np.round(units[0], 3).tolist()} and the others, below elements_per_period = "
            f"{elements_per_period}: the {len(units)} directions need a width of at least "
            f"{len(units) + minimum.sum()}"
        )
    extra = width - len(units) - minimum.sum()
    share = extra * periods / periods.sum()
    counts = minimum + np.floor(share).astype(int)
    remainder = width - len(units) - counts.sum()
    counts[np.argsort(-(share - np.floor(share)), kind="stable")[:remainder]] += 1
    return RidgeGrid(
        directions=tuple(tuple(float(c) for c in u) for u in units),
        nodes=tuple(int(c) + 1 for c in counts),
        frequencies=tuple(float(f) for f in along),
    )


def ridge_layer(
    activation: ActivationSpec | str, grid: RidgeGrid
) -> tuple[torch.Tensor, torch.Tensor]:
    """Weights ``(d, width)`` and biases ``(width,)`` of the grid's first layer, float64.

    Along ``u`` the units are the 1-D ``fem_grid`` layer of ``nodes`` units
    (:func:`hatlib.models.init_fem_grid`) composed with ``x -> (u . x - low_u) / span_u``.
    """
    import torch

    from hatlib.activations import get_activation
    from hatlib.models import _fem_grid_layer

    spec = get_activation(activation) if isinstance(activation, str) else activation
    weights, biases = [], []
    for unit, count in zip(grid.directions, grid.nodes, strict=True):
        unit = torch.tensor(unit, dtype=torch.float64)
        low = unit.clamp(max=0).sum()
        span = unit.abs().sum()
        scale, bias = _fem_grid_layer(spec, count)
        weights.append(unit[:, None] * (scale / span)[None, :])
        biases.append(bias - scale * low / span)
    return torch.cat(weights, dim=1), torch.cat(biases)


def frozen_features(activation: str, grid: RidgeGrid, points: np.ndarray) -> np.ndarray:
    """The first layer's features at ``points`` (``(N, d)``) and a constant (the output bias)."""
    import torch

    from hatlib.activations import get_activation

    weight, bias = ridge_layer(activation, grid)
    z = torch.as_tensor(points, dtype=torch.float64) @ weight + bias
    values = get_activation(activation).function(z).numpy()
    return np.hstack([values, np.ones((len(points), 1))])


def feature_conditioning(features: np.ndarray) -> dict[str, float]:
    """Spectrum of the discrete Gram ``Phi^T Phi / N`` seen by gradient descent.

    Directions of the null space never change the network's output, so the
    condition number that governs training is taken on the range: largest over
    smallest eigenvalue above numpy's rank cut (``sigma_max max(N, m) eps`` on
    the singular values of ``Phi / sqrt(N)``). Returns ``largest``,
    ``smallest`` (both of the Gram), ``condition_number`` and ``nullity``.
    """
    singular = np.linalg.svd(features / np.sqrt(len(features)), compute_uv=False)
    cut = singular.max() * max(features.shape) * np.finfo(np.float64).eps
    kept = singular[singular > cut]
    return {
        "largest": float(kept.max() ** 2),
        "smallest": float(kept.min() ** 2),
        "condition_number": float((kept.max() / kept.min()) ** 2),
        "nullity": int(features.shape[1] - len(kept)),
    }


def best_fit_error(features: np.ndarray, values: np.ndarray) -> float:
    """Relative L2 error of the least-squares fit of ``values`` by the columns of ``features``."""
    coefficients = np.linalg.lstsq(features, values, rcond=None)[0]
    return float(np.linalg.norm(features @ coefficients - values) / np.linalg.norm(values))


def exact_spectrum(activation: str, grid: RidgeGrid) -> np.ndarray:
    """Eigenvalues (ascending) of the exact Gram over the square of the grid's features and 1.

    ``int phi_i phi_j dx`` (:func:`hatlib.ridge.ridge_gram`, exact to rounding)
    bordered by the moments ``int phi_i dx`` and ``int 1 dx = 1`` (the output
    bias). Empty for activations that are not piecewise linear
    (:data:`hatlib.ridge.PIECES`).
    """
    from hatlib.ridge import PIECES, ridge_gram, ridge_moments

    if activation not in PIECES:
        return np.empty(0)
    weight, bias = (tensor.numpy() for tensor in ridge_layer(activation, grid))
    moments = ridge_moments(weight, bias, activation)
    gram = np.block([[ridge_gram(weight, bias, activation), moments[:, None]], [moments, 1.0]])
    return np.linalg.eigvalsh(gram)


def exact_conditioning(activation: str, grid: RidgeGrid) -> dict[str, float]:
    """:func:`feature_conditioning` of the exact Gram (:func:`exact_spectrum`).

    On its range: the eigenvalues above ``lambda_max m eps``. NaN for
    activations that are not piecewise linear.
    """
    eigenvalues = exact_spectrum(activation, grid)
    if not len(eigenvalues):
        nan = float("nan")
        return {"largest": nan, "smallest": nan, "condition_number": nan, "nullity": nan}
    cut = eigenvalues.max() * len(eigenvalues) * np.finfo(np.float64).eps
    kept = eigenvalues[eigenvalues > cut]
    return {
        "largest": float(kept.max()),
        "smallest": float(kept.min()),
        "condition_number": float(kept.max() / kept.min()),
        "nullity": int(len(eigenvalues) - len(kept)),
    }

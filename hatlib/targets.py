"""Sample grids and target functions on [0, 1).

Grids exclude the right endpoint, so that ``sin(2 pi k x)`` with integer ``k``
falls exactly on DFT bin ``k`` (see :mod:`hatlib.spectral`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def uniform_grid(num_points: int) -> np.ndarray:
    """The points ``i / num_points``, ``i = 0..num_points-1``; float64, shape ``(num_points,)``."""
    if num_points < 2:
        raise ValueError(f"num_points must be at least 2, got {num_points}")
    return np.arange(num_points, dtype=np.float64) / num_points


def sine(x: np.ndarray, frequency: int) -> np.ndarray:
    """``sin(2 pi frequency x)``; ``frequency`` in cycles per unit length."""
    return np.sin(2.0 * np.pi * frequency * x)


def sine_dataset(frequency: int, num_points: int) -> pd.DataFrame:
    """Samples of ``sin(2 pi k x)`` on :func:`uniform_grid`.

    Returns a DataFrame with float64 columns ``x`` (input) and ``y`` (target),
    one row per sample point. Raises ``ValueError`` when ``frequency`` is not
    below the grid's Nyquist limit ``num_points / 2``.
    """
    if frequency < 1:
        raise ValueError(f"frequency must be a positive integer, got {frequency}")
    if 2 * frequency >= num_points:
        raise ValueError(
            f"frequency {frequency} is not below the Nyquist limit {num_points / 2} "
            f"of a grid of {num_points} points"
        )
    x = uniform_grid(num_points)
    return pd.DataFrame({"x": x, "y": sine(x, frequency)})


def uniform_grid_2d(points_per_side: int) -> np.ndarray:
    """The points ``(i/n, j/n)`` of ``[0, 1)^2``, shape ``(n*n, 2)``, row-major in ``(i, j)``.

    ``values.reshape(n, n)[i, j]`` is the value at ``(i/n, j/n)``, so the 2-D
    DFT bin ``(kx, ky)`` holds the frequency vector ``(kx, ky)``.
    """
    axis = uniform_grid(points_per_side)
    first, second = np.meshgrid(axis, axis, indexing="ij")
    return np.stack([first.ravel(), second.ravel()], axis=1)


def random_phases(count: int, seed: int) -> np.ndarray:
    """``count`` phases uniform in ``[0, 2 pi)`` (radians), drawn by ``default_rng(seed)``."""
    return np.random.default_rng(seed).uniform(0.0, 2.0 * np.pi, size=count)


def multi_sine(
    points: np.ndarray, frequencies: np.ndarray, amplitudes: np.ndarray, phases: np.ndarray
) -> np.ndarray:
    """``sum_j A_j sin(2 pi k_j . x + phi_j)`` at ``points``.

    ``points`` has shape ``(N,)`` or ``(N, d)``; ``frequencies`` shape ``(F,)``
    or ``(F, d)`` (cycles per unit length along each axis); ``amplitudes`` and
    ``phases`` (radians) shape ``(F,)``. Returns float64 of shape ``(N,)``.

    >>> multi_sine(np.array([0.25]), np.array([1]), np.array([2.0]), np.array([0.0]))
    array([2.])
    """
    x = np.asarray(points, dtype=np.float64).reshape(len(points), -1)
    k = np.asarray(frequencies, dtype=np.float64).reshape(len(frequencies), -1)
    if k.shape[1] != x.shape[1]:
        raise ValueError(f"frequencies have {k.shape[1]} components but points {x.shape[1]}")
    angles = 2.0 * np.pi * (x @ k.T) + np.asarray(phases)[None, :]
    return np.sin(angles) @ np.asarray(amplitudes, dtype=np.float64)


def multifrequency_dataset(grid: dict, phase_seed: int) -> pd.DataFrame:
    """Samples of a multi-frequency target on a uniform grid of ``[0, 1)^d``.

    ``grid`` is either ``{"num_points": N, "frequencies": [k_1, ...]}`` (1-D) or
    ``{"points_per_side": n, "frequencies": [[kx, ky], ...]}`` (2-D, ``n*n``
    points, :func:`uniform_grid_2d`); amplitudes are 1 and phases
    :func:`random_phases` of ``phase_seed``. Columns ``x0`` (and ``x1``) and ``y``.
    """
    frequencies = np.asarray(grid["frequencies"], dtype=np.int64)
    if "num_points" in grid:
        points = uniform_grid(grid["num_points"])[:, None]
    else:
        points = uniform_grid_2d(grid["points_per_side"])
    values = multi_sine(
        points,
        frequencies.reshape(len(frequencies), -1),
        np.ones(len(frequencies)),
        random_phases(len(frequencies), phase_seed),
    )
    columns = {f"x{axis}": points[:, axis] for axis in range(points.shape[1])}
    return pd.DataFrame({**columns, "y": values})


def frequency_label(vector) -> str:
    """A frequency (vector) as text: ``"4"`` or ``"(2, 1)"``."""
    vector = [int(c) for c in np.atleast_1d(vector)]
    return str(vector[0]) if len(vector) == 1 else "(" + ", ".join(map(str, vector)) + ")"

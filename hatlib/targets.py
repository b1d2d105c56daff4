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

"""Per-frequency error metrics from the discrete Fourier transform.

On a uniform grid of [0, 1) without its endpoint, the DFT bin ``k`` of a
signal holds its component at frequency ``k`` (cycles per unit length).
"""

from __future__ import annotations

import numpy as np


def dft_coefficients(values: np.ndarray) -> np.ndarray:
    """One-sided complex DFT along the last axis, ``numpy.fft.rfft``.

    ``values`` has shape ``(..., N)``; the result has shape ``(..., N//2 + 1)``.
    """
    return np.fft.rfft(np.asarray(values, dtype=np.float64), axis=-1)


def relative_error_by_frequency(
    prediction: np.ndarray, target: np.ndarray, frequencies: np.ndarray
) -> np.ndarray:
    """Relative error of each frequency component, ``|P_k - Y_k| / |Y_k|``.

    This is the frequency-principle metric ``Delta(k)``, with ``P`` and ``Y`` the
    complex DFTs of the prediction and the target sampled on the same uniform
    grid. ``prediction`` and ``target`` have shape ``(..., N)``; the result has
    shape ``(..., len(frequencies))``. Frequencies where the target has no
    energy (``|Y_k|`` below ``1e-12`` of its largest coefficient) raise
    ``ValueError``: the ratio would be rounding noise.
    """
    frequencies = np.asarray(frequencies, dtype=np.int64)
    target_dft = dft_coefficients(target)
    num_bins = target_dft.shape[-1]
    if np.any(frequencies < 0) or np.any(frequencies >= num_bins):
        raise ValueError(f"frequencies must lie in [0, {num_bins - 1}], got {frequencies.tolist()}")
    target_k = target_dft[..., frequencies]
    if np.any(np.abs(target_k) <= 1e-12 * np.abs(target_dft).max()):
        raise ValueError("the target has no energy at some requested frequency")
    prediction_k = dft_coefficients(prediction)[..., frequencies]
    return np.abs(prediction_k - target_k) / np.abs(target_k)


def relative_l2_error(prediction: np.ndarray, target: np.ndarray) -> float:
    """Discrete relative L2 error ``||prediction - target|| / ||target||`` on the grid."""
    prediction = np.asarray(prediction, dtype=np.float64)
    target = np.asarray(target, dtype=np.float64)
    return float(np.linalg.norm(prediction - target) / np.linalg.norm(target))

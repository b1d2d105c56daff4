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


class DFTProbe:
    """``Delta(k)`` of a batch of residuals at chosen DFT bins of a d-dimensional grid.

    ``target`` holds the target's samples (length ``prod(shape)``, row-major on
    the grid ``shape``); ``bins`` the frequency vectors (``d`` integers each,
    cycles per unit length). Calling it on residuals ``(S, N)`` (torch, float64)
    returns ``|R_k| / |Y_k|`` of shape ``(S, len(bins))``: the relative error of
    each frequency component, as :func:`relative_error_by_frequency`.
    """

    def __init__(self, target: np.ndarray, shape: tuple[int, ...], bins) -> None:
        import torch

        self.shape = tuple(shape)
        self.bins = [tuple(int(c) for c in np.atleast_1d(k)) for k in bins]
        if any(len(k) != len(self.shape) for k in self.bins):
            raise ValueError(f"every bin needs {len(self.shape)} components, got {self.bins}")
        self.index = tuple(
            torch.tensor([k[axis] % n for k in self.bins]) for axis, n in enumerate(self.shape)
        )
        target_dft = np.fft.fftn(np.asarray(target, dtype=np.float64).reshape(self.shape))
        magnitude = np.abs(target_dft[tuple(i.numpy() for i in self.index)])
        if np.any(magnitude <= 1e-12 * np.abs(target_dft).max()):
            raise ValueError(f"the target has no energy at some of the bins {self.bins}")
        self.target_magnitude = torch.tensor(magnitude)

    def __call__(self, residual):
        import torch

        spectrum = torch.fft.fftn(
            residual.reshape(-1, *self.shape), dim=tuple(range(1, 1 + len(self.shape)))
        )
        values = spectrum[(slice(None), *(i.to(residual.device) for i in self.index))]
        return torch.abs(values) / self.target_magnitude.to(residual.device)


class FilterProbe:
    """Relative errors of the low- and high-frequency parts of a batch of residuals.

    ``filter_matrix`` ``(N, N)`` smooths a function sampled at the ``N`` inputs
    (a row-normalised Gaussian kernel, :func:`hatlib.digits.gaussian_filter_matrix`);
    ``low = W v`` and ``high = v - W v``. Calling it on residuals ``(S, N)``
    returns ``(S, 2)``: ``||W r|| / ||W y||`` and ``||r - W r|| / ||y - W y||``
    with ``y`` the ``target`` ``(N,)``.
    """

    def __init__(self, target: np.ndarray, filter_matrix: np.ndarray) -> None:
        import torch

        self.filter = torch.tensor(np.asarray(filter_matrix, dtype=np.float64))
        y = torch.tensor(np.asarray(target, dtype=np.float64))
        low = self.filter @ y
        self.norms = torch.stack([torch.linalg.vector_norm(low), torch.linalg.vector_norm(y - low)])
        if torch.any(self.norms <= 1e-12 * torch.linalg.vector_norm(y)):
            raise ValueError(
                "the target has no energy in its low or high part at this filter width"
            )

    def __call__(self, residual):
        import torch

        weights = self.filter.to(residual.device)
        low = residual @ weights.T
        parts = torch.stack(
            [torch.linalg.vector_norm(low, dim=1), torch.linalg.vector_norm(residual - low, dim=1)],
            dim=1,
        )
        return parts / self.norms.to(residual.device)

"""Eigenmodes of Gram matrices: eigenvalues, their frequencies and their decay.

The frequency of a mode is read off its eigenfunction ``sum_i v_i psi_i``
sampled on [0, 1), in cycles per unit length (the unit of the sine targets
``sin(2 pi k x)``): on uniform grids the peak of its zero-padded DFT, checked
against half its number of sign changes (``cos(j pi x)`` has ``j`` sign changes
and frequency ``j/2``); on non-uniform grids, where the samples are not
uniform, half the sign changes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from hatlib.fem import basis_combinations

#: Zero padding of the DFT used to locate a mode's peak frequency.
DFT_PADDING = 8

#: Confidence level of the decay-exponent intervals (t intervals).
CONFIDENCE_LEVEL = 0.95


@dataclass(frozen=True)
class GramSpectrum:
    """Eigen-decomposition of a Gram matrix, modes sorted by decreasing eigenvalue.

    Attributes
    ----------
    eigenvalues:
        Shape ``(size,)``, decreasing; units of ``int psi^2``.
    eigenvectors:
        Shape ``(size, size)``; column ``j`` belongs to ``eigenvalues[j]``.
    """

    eigenvalues: np.ndarray
    eigenvectors: np.ndarray

    @property
    def condition_number(self) -> float:
        """``lambda_max / lambda_min`` (2-norm condition number of an SPD matrix)."""
        return float(self.eigenvalues[0] / self.eigenvalues[-1])


def gram_spectrum(matrix: np.ndarray) -> GramSpectrum:
    """Eigen-decompose a symmetric positive definite ``matrix`` (``numpy.linalg.eigh``)."""
    eigenvalues, eigenvectors = np.linalg.eigh(matrix)
    if eigenvalues[0] <= 0:
        raise ValueError(f"matrix is not positive definite: smallest eigenvalue {eigenvalues[0]}")
    return GramSpectrum(eigenvalues[::-1].copy(), eigenvectors[:, ::-1].copy())


def sample_points(nodes: np.ndarray) -> np.ndarray:
    """Every node but the last and every element midpoint, sorted: ``2n`` points in [0, 1).

    On a uniform grid these are uniform with spacing ``h/2``, so a DFT applies.
    """
    midpoints = (nodes[:-1] + nodes[1:]) / 2.0
    return np.sort(np.concatenate([nodes[:-1], midpoints]))


def sign_changes(values: np.ndarray, relative_tolerance: float = 1e-9) -> np.ndarray:
    """Sign changes along axis 0 of each column of ``values`` (shape ``(P, count)``).

    Samples below ``relative_tolerance`` times the column's largest magnitude
    count as zero and are skipped. Returns int64 of shape ``(count,)``.
    """
    scale = np.abs(values).max(axis=0, keepdims=True)
    signs = np.where(np.abs(values) > relative_tolerance * scale, np.sign(values), 0.0)
    counts = np.zeros(values.shape[1], dtype=np.int64)
    for column in range(values.shape[1]):
        nonzero = signs[signs[:, column] != 0, column]
        counts[column] = np.count_nonzero(nonzero[1:] != nonzero[:-1])
    return counts


def dft_peak_frequency(values: np.ndarray) -> np.ndarray:
    """Frequency (cycles per unit length) of the largest DFT coefficient of each column.

    ``values`` (shape ``(P, count)``) are samples on a uniform grid of [0, 1)
    without its endpoint; zero padding by :data:`DFT_PADDING` resolves the peak
    to ``1/DFT_PADDING``.
    """
    padded = values.shape[0] * DFT_PADDING
    peaks = np.empty(values.shape[1])
    for start in range(0, values.shape[1], 256):  # chunks bound the padded transform's memory
        chunk = np.abs(np.fft.rfft(values[:, start : start + 256], n=padded, axis=0))
        peaks[start : start + 256] = chunk.argmax(axis=0)
    return peaks / DFT_PADDING


def mode_table(basis: str, nodes: np.ndarray, spectrum: GramSpectrum, uniform: bool):
    """Tidy table of every mode: eigenvalue and frequency.

    Columns: ``mode`` (1 = largest eigenvalue), ``eigenvalue``,
    ``sign_changes`` of the eigenfunction, ``dft_frequency`` (DFT peak; ``NaN``
    unless ``uniform``, as the samples are uniform only then) and
    ``frequency`` (the DFT peak on uniform grids, half the sign changes
    otherwise; cycles per unit length).
    """
    values = basis_combinations(basis, nodes, spectrum.eigenvectors, sample_points(nodes))
    changes = sign_changes(values)
    size = len(spectrum.eigenvalues)
    peaks = dft_peak_frequency(values) if uniform else np.full(size, np.nan)
    return pd.DataFrame(
        {
            "mode": np.arange(1, size + 1),
            "eigenvalue": spectrum.eigenvalues,
            "sign_changes": changes,
            "dft_frequency": peaks,
            "frequency": peaks if uniform else changes / 2.0,
        }
    )


def eigenfunction_table(basis: str, nodes: np.ndarray, spectrum: GramSpectrum, modes: int):
    """The first ``modes`` eigenfunctions sampled at :func:`sample_points`, tidy.

    Columns ``mode``, ``x``, ``value``; each eigenfunction is scaled to maximum
    magnitude 1 and signed so that its largest-magnitude sample is positive.
    """
    x = sample_points(nodes)
    vectors = spectrum.eigenvectors[:, :modes]
    values = basis_combinations(basis, nodes, vectors, x)  # (P, modes)
    peak = values[np.abs(values).argmax(axis=0), np.arange(values.shape[1])]
    values = values / peak[None, :]
    return pd.DataFrame(
        {
            "mode": np.repeat(np.arange(1, values.shape[1] + 1), len(x)),
            "x": np.tile(x, values.shape[1]),
            "value": values.T.ravel(),
        }
    )


@dataclass(frozen=True)
class PowerLaw:
    """Least-squares fit ``log y = exponent log x + c`` with a confidence interval.

    ``lower`` and ``upper`` bound the exponent at :data:`CONFIDENCE_LEVEL`.
    """

    exponent: float
    lower: float
    upper: float
    points: int


def fit_power_law(x: np.ndarray, y: np.ndarray, level: float = CONFIDENCE_LEVEL) -> PowerLaw:
    """Slope of ``log y`` against ``log x`` (least squares), with a t interval at ``level``.

    The interval is the slope plus or minus the ``(1 + level) / 2`` quantile of
    Student's t with ``n - 2`` degrees of freedom times the slope's standard
    error (:func:`scipy.stats.linregress`); ``NaN`` with fewer than 3 points.
    """
    from scipy import stats

    log_x, log_y = np.log(np.asarray(x, float)), np.log(np.asarray(y, float))
    if len(log_x) < 3 or np.ptp(log_x) == 0:
        return PowerLaw(float("nan"), float("nan"), float("nan"), len(log_x))
    fit = stats.linregress(log_x, log_y)
    half_width = float(stats.t.ppf((1 + level) / 2, len(log_x) - 2)) * float(fit.stderr)
    slope = float(fit.slope)
    return PowerLaw(slope, slope - half_width, slope + half_width, len(log_x))


def decay_exponent(modes: pd.DataFrame, num_elements: int, resolved_fraction: float = 0.125):
    """Decay exponent of the eigenvalues against mode frequency over the resolved range.

    Fits modes with frequency in ``[1, resolved_fraction * n]``: above the
    constant and boundary modes, below where the grid stops resolving.
    ``modes`` is a :func:`mode_table`.
    """
    resolved = modes[
        (modes["frequency"] >= 1) & (modes["frequency"] <= resolved_fraction * num_elements)
    ]
    return fit_power_law(resolved["frequency"].to_numpy(), resolved["eigenvalue"].to_numpy())


def analyse_basis(
    basis: str, num_elements: int, mesh_ratio: float = 1.0, seed: int = 0, eigenfunctions: int = 4
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Assemble a basis's exact Gram matrix on a grid and tabulate its modes.

    The grid is uniform for ``mesh_ratio = 1`` and :func:`hatlib.fem.graded_nodes`
    otherwise. Returns the :func:`mode_table` and the first ``eigenfunctions``
    eigenfunctions (:func:`eigenfunction_table`), both tagged with ``basis``,
    ``mesh_ratio`` and ``num_elements`` columns.
    """
    from hatlib.fem import graded_nodes, gram_matrix

    nodes = graded_nodes(num_elements, mesh_ratio, seed)
    spectrum = gram_spectrum(gram_matrix(basis, nodes))
    tags = {"basis": basis, "mesh_ratio": float(mesh_ratio), "num_elements": num_elements}
    modes = mode_table(basis, nodes, spectrum, uniform=mesh_ratio == 1)
    functions = eigenfunction_table(basis, nodes, spectrum, eigenfunctions)
    return modes.assign(**tags)[[*tags, *modes.columns]], functions.assign(**tags)[
        [*tags, *functions.columns]
    ]

"""Exact finite element Gram matrices on a uniform grid of [0, 1] and their spectra.

With the inner weights of a shallow network fixed, gradient descent on the
outer coefficients under the L2 loss is governed by the Gram matrix
``G_ij = int_0^1 psi_i(x) psi_j(x) dx`` of its features ``psi_i``. All matrices
here are assembled in closed form (no quadrature error), in float64.

Grid: ``n`` elements of size ``h = 1/n``, nodes ``x_i = i h``.

- Hat (P1 nodal basis, ``n + 1`` functions): ``phi_i(x) = Hat((x - x_i)/h + 1)``;
  its Gram matrix is the mass matrix ``M = (h/6) tridiag(1, 4, 1)``, with
  ``h/3`` on the diagonal at the two end nodes.
- ReLU (``n`` functions): ``psi_i(x) = relu(x - x_i)``, ``i = 0..n-1``; its Gram
  matrix behaves like ``A^-1 M A^-1`` (``A`` the stiffness matrix), so its
  eigenvalues decay like ``k^-4``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from hatlib.activations import lookup


def hat_gram_matrix(num_elements: int) -> np.ndarray:
    """P1 mass matrix ``M_ij = int phi_i phi_j``, shape ``(n + 1, n + 1)``.

    Assembled from the element matrix ``(h/6) [[2, 1], [1, 2]]``.

    >>> hat_gram_matrix(2) * 12
    array([[2., 1., 0.],
           [1., 4., 1.],
           [0., 1., 2.]])
    """
    _check_elements(num_elements)
    h = 1.0 / num_elements
    size = num_elements + 1
    diagonal = np.full(size, 4.0 * h / 6.0)
    diagonal[[0, -1]] = 2.0 * h / 6.0
    off_diagonal = np.full(size - 1, h / 6.0)
    return np.diag(diagonal) + np.diag(off_diagonal, 1) + np.diag(off_diagonal, -1)


def hat_stiffness_matrix(num_elements: int) -> np.ndarray:
    """P1 stiffness matrix ``A_ij = int phi_i' phi_j'``, shape ``(n + 1, n + 1)``.

    ``(1/h) tridiag(-1, 2, -1)`` with ``1/h`` on the diagonal at the end nodes
    (natural boundary conditions: singular, constants in its kernel).
    """
    _check_elements(num_elements)
    h = 1.0 / num_elements
    size = num_elements + 1
    diagonal = np.full(size, 2.0 / h)
    diagonal[[0, -1]] = 1.0 / h
    off_diagonal = np.full(size - 1, -1.0 / h)
    return np.diag(diagonal) + np.diag(off_diagonal, 1) + np.diag(off_diagonal, -1)


def relu_gram_matrix(num_elements: int) -> np.ndarray:
    """Gram matrix of ``relu(x - x_i)``, ``x_i = i/n``, ``i = 0..n-1``; shape ``(n, n)``.

    ``G_ij = int_a^1 (x - x_i)(x - x_j) dx`` with ``a = max(x_i, x_j)``; with
    ``L = 1 - a`` and ``d = |x_i - x_j|`` this is ``L^3/3 + d L^2/2``.
    """
    _check_elements(num_elements)
    nodes = np.arange(num_elements, dtype=np.float64) / num_elements
    length = 1.0 - np.maximum(nodes[:, None], nodes[None, :])  # (n, n)
    distance = np.abs(nodes[:, None] - nodes[None, :])  # (n, n)
    return length**3 / 3.0 + distance * length**2 / 2.0


def _check_elements(num_elements: int) -> None:
    if num_elements < 1:
        raise ValueError(f"num_elements must be at least 1, got {num_elements}")


GRAM_MATRICES: dict[str, Callable[[int], np.ndarray]] = {
    "relu": relu_gram_matrix,
    "hat": hat_gram_matrix,
}


def gram_matrix(basis: str, num_elements: int) -> np.ndarray:
    """Gram matrix of the named basis (a key of :data:`GRAM_MATRICES`) on ``n`` elements."""
    return lookup(GRAM_MATRICES, "basis", basis)(num_elements)


def sign_changes(vectors: np.ndarray, relative_tolerance: float = 1e-8) -> np.ndarray:
    """Number of sign changes along each column of ``vectors`` (shape ``(size, count)``).

    Entries smaller in magnitude than ``relative_tolerance`` times the column's
    largest are treated as zero and skipped. Returns int64 of shape ``(count,)``.
    """
    counts = np.zeros(vectors.shape[1], dtype=np.int64)
    for column in range(vectors.shape[1]):
        v = vectors[:, column]
        signs = np.sign(v[np.abs(v) > relative_tolerance * np.abs(v).max()])
        counts[column] = int(np.count_nonzero(signs[1:] != signs[:-1]))
    return counts


@dataclass(frozen=True)
class GramSpectrum:
    """Eigen-decomposition of a Gram matrix, modes sorted by decreasing eigenvalue.

    Attributes
    ----------
    eigenvalues:
        Shape ``(size,)``, decreasing; units of ``int psi^2`` (length for Hat).
    eigenvectors:
        Shape ``(size, size)``; column ``j`` belongs to ``eigenvalues[j]``.
    sign_changes:
        Shape ``(size,)``; sign changes of each eigenvector, a proxy for its frequency.
    """

    eigenvalues: np.ndarray
    eigenvectors: np.ndarray
    sign_changes: np.ndarray

    @property
    def condition_number(self) -> float:
        """``lambda_max / lambda_min`` (2-norm condition number of an SPD matrix)."""
        return float(self.eigenvalues[0] / self.eigenvalues[-1])


def gram_spectrum(matrix: np.ndarray) -> GramSpectrum:
    """Eigen-decompose a symmetric positive definite ``matrix`` (``numpy.linalg.eigh``)."""
    eigenvalues, eigenvectors = np.linalg.eigh(matrix)
    order = np.argsort(eigenvalues)[::-1]
    eigenvalues, eigenvectors = eigenvalues[order], eigenvectors[:, order]
    if eigenvalues[-1] <= 0:
        raise ValueError(f"matrix is not positive definite: smallest eigenvalue {eigenvalues[-1]}")
    return GramSpectrum(eigenvalues, eigenvectors, sign_changes(eigenvectors))


def condition_number(matrix: np.ndarray) -> float:
    """2-norm condition number of a symmetric positive definite matrix."""
    eigenvalues = np.linalg.eigvalsh(matrix)
    return float(eigenvalues[-1] / eigenvalues[0])

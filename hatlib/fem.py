"""Exact finite element Gram matrices on grids of [0, 1].

With the inner weights of a shallow network fixed, gradient descent on the
outer coefficients under the L2 loss is governed by the Gram matrix
``G_ij = int_0^1 psi_i(x) psi_j(x) dx`` of its features ``psi_i``. Every matrix
here is exact: closed-form integrals for ReLU and P1, Gauss-Legendre
quadrature exact for the polynomial degree for B-splines; all float64.

A grid is its sorted node array ``0 = x_0 < x_1 < ... < x_n = 1`` (``n``
elements). Bases on a grid:

- ``relu``: ``relu(x - x_i)``, ``i = 0..n-1`` (``n`` functions); its Gram matrix
  behaves like ``A^-1 M A^-1`` (eigenvalues decaying like ``k^-4``).
- ``hat``: the P1 nodal basis ``phi_i``, ``i = 0..n`` (``n + 1`` functions); its
  Gram matrix is the mass matrix ``M``, ``(h/6) tridiag(1, 4, 1)`` on a uniform
  grid with ``h/3`` at the two end nodes.
- ``bspline2``, ``bspline3``: B-splines of degree ``p`` on the knots of the grid,
  extended past both ends by ``p`` knots at the end spacing, restricted to
  [0, 1] (``n + p`` functions); ``p = 1`` gives ``hat``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np

from hatlib.names import lookup


def uniform_nodes(num_elements: int) -> np.ndarray:
    """Nodes ``i / n``, ``i = 0..n``; float64 of shape ``(n + 1,)``."""
    if num_elements < 1:
        raise ValueError(f"num_elements must be at least 1, got {num_elements}")
    return np.arange(num_elements + 1, dtype=np.float64) / num_elements


def graded_nodes(num_elements: int, mesh_ratio: float, seed: int) -> np.ndarray:
    """Nodes of a random grid of [0, 1] whose largest element is ``mesh_ratio`` times its smallest.

    Element sizes are drawn uniformly from ``[1, mesh_ratio]`` (one element
    pinned at each end of that range, so the ratio is exact for ``n >= 2``), put
    in random order and scaled to sum to 1. ``mesh_ratio = 1`` gives
    :func:`uniform_nodes` exactly.
    """
    if mesh_ratio < 1:
        raise ValueError(f"mesh_ratio must be at least 1, got {mesh_ratio}")
    if mesh_ratio == 1:
        return uniform_nodes(num_elements)
    if num_elements < 2:
        raise ValueError(f"a graded grid needs at least 2 elements, got {num_elements}")
    rng = np.random.default_rng(seed)
    sizes = rng.uniform(1.0, mesh_ratio, num_elements)
    sizes[:2] = (1.0, mesh_ratio)
    sizes = rng.permutation(sizes)
    nodes = np.concatenate([[0.0], np.cumsum(sizes) / sizes.sum()])
    nodes[-1] = 1.0
    return nodes


def _check_nodes(nodes: np.ndarray) -> np.ndarray:
    nodes = np.asarray(nodes, dtype=np.float64)
    if nodes.ndim != 1 or len(nodes) < 2 or nodes[0] != 0 or nodes[-1] != 1:
        raise ValueError("nodes must be a 1-D array from 0 to 1 with at least 2 entries")
    if np.any(np.diff(nodes) <= 0):
        raise ValueError("nodes must be strictly increasing")
    return nodes


def mass_matrix(nodes: np.ndarray) -> np.ndarray:
    """P1 mass matrix ``M_ij = int phi_i phi_j``, shape ``(n + 1, n + 1)``.

    Assembled from the element matrices ``(h_e/6) [[2, 1], [1, 2]]``.

    >>> mass_matrix(uniform_nodes(2)) * 12
    array([[2., 1., 0.],
           [1., 4., 1.],
           [0., 1., 2.]])
    """
    sizes = np.diff(_check_nodes(nodes))  # (n,)
    diagonal = np.zeros(len(sizes) + 1)
    diagonal[:-1] += sizes / 3.0
    diagonal[1:] += sizes / 3.0
    return np.diag(diagonal) + np.diag(sizes / 6.0, 1) + np.diag(sizes / 6.0, -1)


def stiffness_matrix(nodes: np.ndarray) -> np.ndarray:
    """P1 stiffness matrix ``A_ij = int phi_i' phi_j'``, shape ``(n + 1, n + 1)``.

    On a uniform grid ``(1/h) tridiag(-1, 2, -1)`` with ``1/h`` at the end nodes
    (natural boundary conditions: singular, constants in its kernel).
    """
    inverse = 1.0 / np.diff(_check_nodes(nodes))  # (n,)
    diagonal = np.zeros(len(inverse) + 1)
    diagonal[:-1] += inverse
    diagonal[1:] += inverse
    return np.diag(diagonal) - np.diag(inverse, 1) - np.diag(inverse, -1)


def relu_gram(nodes: np.ndarray) -> np.ndarray:
    """Gram matrix of ``relu(x - x_i)``, ``i = 0..n-1``; shape ``(n, n)``.

    ``G_ij = int_a^1 (x - x_i)(x - x_j) dx`` with ``a = max(x_i, x_j)``; with
    ``L = 1 - a`` and ``d = |x_i - x_j|`` this is ``L^3/3 + d L^2/2``.
    """
    breakpoints = _check_nodes(nodes)[:-1]
    length = 1.0 - np.maximum(breakpoints[:, None], breakpoints[None, :])  # (n, n)
    distance = np.abs(breakpoints[:, None] - breakpoints[None, :])  # (n, n)
    return length**3 / 3.0 + distance * length**2 / 2.0


def extended_knots(nodes: np.ndarray, degree: int) -> np.ndarray:
    """The grid's nodes with ``degree`` extra knots past each end at the end element's spacing."""
    nodes = _check_nodes(nodes)
    steps = np.arange(1, degree + 1, dtype=np.float64)
    left = nodes[0] - (nodes[1] - nodes[0]) * steps[::-1]
    right = nodes[-1] + (nodes[-1] - nodes[-2]) * steps
    return np.concatenate([left, nodes, right])


def bspline_local_values(knots: np.ndarray, degree: int, element: np.ndarray, x: np.ndarray):
    """Values of the ``degree + 1`` B-splines that are non-zero on each point's element.

    ``knots`` comes from :func:`extended_knots`; ``element`` (int, shape ``(P,)``)
    is the element ``e`` holding each point ``x`` (shape ``(P,)``). Returns shape
    ``(P, degree + 1)``: column ``a`` is B-spline ``e + a`` (global numbering
    ``0..n+degree-1``). The Cox-de Boor recursion, vectorised over points.
    """
    span = element + degree  # knot interval [knots[span], knots[span + 1]) holds x
    values = np.ones((len(x), degree + 1))
    left = np.zeros((len(x), degree + 1))
    right = np.zeros((len(x), degree + 1))
    for j in range(1, degree + 1):
        left[:, j] = x - knots[span + 1 - j]
        right[:, j] = knots[span + j] - x
        saved = np.zeros(len(x))
        for r in range(j):
            temp = values[:, r] / (right[:, r + 1] + left[:, j - r])
            values[:, r] = saved + right[:, r + 1] * temp
            saved = left[:, j - r] * temp
        values[:, j] = saved
    return values


def bspline_gram(nodes: np.ndarray, degree: int) -> np.ndarray:
    """Gram matrix of the degree-``p`` B-splines on the grid, shape ``(n + p, n + p)``.

    Element by element with ``p + 1`` Gauss-Legendre points (exact for the
    degree ``2p`` integrand), scattered into a dense matrix.
    """
    nodes = _check_nodes(nodes)
    num_elements = len(nodes) - 1
    knots = extended_knots(nodes, degree)
    points, weights = np.polynomial.legendre.leggauss(degree + 1)  # on [-1, 1]
    sizes = np.diff(nodes)  # (n,)
    x = nodes[:-1, None] + (points[None, :] + 1.0) / 2.0 * sizes[:, None]  # (n, q)
    element = np.repeat(np.arange(num_elements), len(points))
    values = bspline_local_values(knots, degree, element, x.ravel())
    values = values.reshape(num_elements, len(points), degree + 1)  # (n, q, p+1)
    scaled = weights[None, :, None] * sizes[:, None, None] / 2.0 * values
    local = np.einsum("eqa,eqb->eab", scaled, values)  # (n, p+1, p+1)
    size = num_elements + degree
    gram = np.zeros((size, size))
    offsets = np.arange(degree + 1)
    rows = np.arange(num_elements)[:, None, None] + offsets[None, :, None]
    columns = np.arange(num_elements)[:, None, None] + offsets[None, None, :]
    np.add.at(gram, (rows, columns), local)
    return gram


GRAM_MATRICES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "relu": relu_gram,
    "hat": mass_matrix,
    "bspline2": partial(bspline_gram, degree=2),
    "bspline3": partial(bspline_gram, degree=3),
}

#: Polynomial degree of each basis's functions.
DEGREES = {"relu": 1, "hat": 1, "bspline2": 2, "bspline3": 3}


def gram_matrix(basis: str, nodes: np.ndarray) -> np.ndarray:
    """Gram matrix of the named basis (a key of :data:`GRAM_MATRICES`) on a grid."""
    return lookup(GRAM_MATRICES, "basis", basis)(nodes)


def basis_combinations(
    basis: str, nodes: np.ndarray, coefficients: np.ndarray, x: np.ndarray
) -> np.ndarray:
    """Values at ``x`` of the functions ``sum_i c_i psi_i``, one per column of ``coefficients``.

    ``coefficients`` has shape ``(size, count)``; ``x`` (shape ``(P,)``) lies in
    [0, 1). Returns shape ``(P, count)``. ReLU sums use cumulative sums
    (``O(n)`` per function); local bases evaluate only the non-zero functions.
    """
    nodes = _check_nodes(nodes)
    lookup(GRAM_MATRICES, "basis", basis)
    element = np.clip(np.searchsorted(nodes, x, side="right") - 1, 0, len(nodes) - 2)
    if basis == "relu":
        # sum_i c_i (x - x_i)_+ = x C_e - D_e with C, D cumulative over i <= e.
        breakpoints = nodes[:-1]
        cumulative = np.cumsum(coefficients, axis=0)  # (n, count)
        moments = np.cumsum(coefficients * breakpoints[:, None], axis=0)
        return x[:, None] * cumulative[element] - moments[element]
    degree = DEGREES[basis]
    local = bspline_local_values(extended_knots(nodes, degree), degree, element, x)
    values = np.zeros((len(x), coefficients.shape[1]))
    for offset in range(degree + 1):
        values += local[:, offset, None] * coefficients[element + offset]
    return values


def condition_number(matrix: np.ndarray) -> float:
    """2-norm condition number of a symmetric positive definite matrix."""
    eigenvalues = np.linalg.eigvalsh(matrix)
    return float(eigenvalues[-1] / eigenvalues[0])

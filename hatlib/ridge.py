"""Exact Gram matrices of ridge features on the unit square.

A shallow network on ``[0, 1]^2`` has features ``phi_i(x) = sigma(w_i . x + b_i)``.
This module computes ``G_ij = int phi_i phi_j dx`` and ``m_i = int phi_i dx`` over
the square, exactly up to floating-point rounding, for piecewise linear ``sigma``.

Method. ``sigma`` is stored in :data:`PIECES` as its linear pieces
``sigma(z) = s z + c`` on ``lo <= z <= hi`` (zero elsewhere). Piece ``p`` of
feature ``i`` is the linear function ``s_p (w_i . x + b_i) + c_p`` on the convex
polygon ``P_ip = {x in [0, 1]^2 : lo_p <= w_i . x + b_i <= hi_p}``: the square
clipped by at most two half-planes. Then ``G_ij = sum_pq int_{P_ip & P_jq}``
of a product of two linear functions: ``P_ip`` is clipped by the half-planes of
``P_jq`` (Sutherland-Hodgman, vectorised over all pairs ``i < j`` with padded
vertex arrays), fan-triangulated, and on each triangle ``T`` with vertex values
``a_k``, ``b_k`` integrated by the exact rule
``int_T f g = |T|/12 (sum_k a_k b_k + (sum_k a_k)(sum_k b_k))`` (the degree-2
edge-midpoint rule written with vertex values).

Pieces rather than a sum of shifted ReLUs: writing Hat as
``relu(z) - 2 relu(z - 1) + relu(z - 2)`` turns ``G_ij`` into a signed sum of
nine ReLU integrals of size ``|w|^2`` for an entry of size ``1/|w|``, losing a
factor ``|w|^3`` of relative accuracy (``1e-9`` at ``|w| = 256``). On the pieces
``sigma >= 0`` for both activations, so every term is non-negative and the
entries keep a relative accuracy of about ``|w| eps``.

A feature with ``w_i = 0`` is the constant ``sigma(b_i)`` (handled apart, so a
bias on a kink is not counted on two pieces); parallel directions and empty or
degenerate polygons need no special case.

>>> ridge_gram(np.array([[1.0], [0.0]]), np.array([0.0]), "relu") * 3  # int x1^2
array([[1.]])
"""

from __future__ import annotations

import numpy as np

#: Linear pieces ``(lo, hi, slope, intercept)`` of each activation: ``sigma(z) =
#: slope z + intercept`` on ``[lo, hi]``, zero outside all pieces.
PIECES: dict[str, tuple[tuple[float, float, float, float], ...]] = {
    "relu": ((0.0, np.inf, 1.0, 0.0),),
    "hat": ((0.0, 1.0, 1.0, 0.0), (1.0, 2.0, -1.0, 2.0)),
}

_SQUARE = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])  # counter-clockwise
_CHUNK = 1 << 14  # feature pairs clipped at once (bounds the memory of the padded arrays)


def _pieces(activation: str) -> tuple[tuple[float, float, float, float], ...]:
    if activation not in PIECES:
        valid = ", ".join(sorted(PIECES))
        raise ValueError(f"no exact ridge Gram for activation {activation!r}; supported: {valid}")
    return PIECES[activation]


def _check(weights, biases) -> tuple[np.ndarray, np.ndarray]:
    """Weights as ``(n, 2)`` (row ``i`` is ``w_i``) and biases as ``(n,)``, float64."""
    weights = np.asarray(weights, dtype=np.float64)
    biases = np.asarray(biases, dtype=np.float64)
    if weights.ndim != 2 or weights.shape[0] != 2:
        raise ValueError(f"weights must have shape (2, n), got {weights.shape}")
    if biases.shape != (weights.shape[1],):
        raise ValueError(f"biases must have shape ({weights.shape[1]},), got {biases.shape}")
    if not (np.all(np.isfinite(weights)) and np.all(np.isfinite(biases))):
        raise ValueError("weights and biases must be finite")
    return weights.T.copy(), biases


def _activate(pieces, z: np.ndarray) -> np.ndarray:
    """``sigma(z)`` from the table of pieces (continuous, so shared ends agree)."""
    result = np.zeros_like(z)
    for low, high, slope, intercept in pieces:
        inside = (z >= low) & (z <= high)
        result[inside] = slope * z[inside] + intercept
    return result


def _half_planes(w: np.ndarray, b: np.ndarray, piece) -> list[tuple[np.ndarray, np.ndarray]]:
    """``(normal (n, 2), offset (n,))`` with ``normal . x + offset >= 0`` on the piece.

    Offsets are ``b - lo`` and ``hi - b`` (not ``w . x + b - lo``), so a bound
    shared by two pieces gives exactly opposite distances on its two sides.
    """
    low, high = piece[:2]
    planes = []
    if np.isfinite(low):
        planes.append((w, b - low))
    if np.isfinite(high):
        planes.append((-w, high - b))
    return planes


def _linear(w: np.ndarray, b: np.ndarray, piece) -> tuple[np.ndarray, np.ndarray]:
    """``(gradient (n, 2), constant (n,))`` of ``slope (w . x + b) + intercept``."""
    slope, intercept = piece[2:]
    return slope * w, slope * b + intercept


def _clip(vertices: np.ndarray, counts: np.ndarray, normal: np.ndarray, offset: np.ndarray):
    """Clip convex polygons by the half-planes ``normal . x + offset >= 0``.

    ``vertices`` ``(P, V, 2)`` holds ``counts[k]`` vertices of polygon ``k`` in
    order, then padding; ``normal`` ``(P, 2)``, ``offset`` ``(P,)``. One
    Sutherland-Hodgman pass: every edge emits its start if inside and its
    crossing point if its ends lie strictly on opposite sides. Returns the new
    ``(vertices, counts)``, padded to the largest count.
    """
    num, width, _ = vertices.shape
    slot = np.arange(width)
    valid = slot < counts[:, None]
    following = np.where(slot + 1 < counts[:, None], slot + 1, 0)  # (P, V)
    distance = (
        vertices[..., 0] * normal[:, 0, None] + vertices[..., 1] * normal[:, 1, None]
    ) + offset[:, None]
    distance_next = np.take_along_axis(distance, following, axis=1)
    vertices_next = np.take_along_axis(vertices, following[..., None], axis=1)
    inside = valid & (distance >= 0)
    crossing = valid & (
        ((distance > 0) & (distance_next < 0)) | ((distance < 0) & (distance_next > 0))
    )
    denominator = np.where(crossing, distance - distance_next, 1.0)
    fraction = np.where(crossing, distance / denominator, 0.0)
    point = vertices + fraction[..., None] * (vertices_next - vertices)
    candidates = np.stack([vertices, point], axis=2).reshape(num, 2 * width, 2)
    keep = np.stack([inside, crossing], axis=2).reshape(num, 2 * width)
    new_counts = keep.sum(axis=1)
    rows, columns = np.nonzero(keep)
    position = np.cumsum(keep, axis=1)[rows, columns] - 1
    clipped = np.zeros((num, max(int(new_counts.max(initial=0)), 1), 2))
    clipped[rows, position] = candidates[rows, columns]
    return clipped, new_counts


def _integrate(vertices: np.ndarray, counts: np.ndarray, first, second) -> np.ndarray:
    """``int_polygon f g`` for linear ``f``, ``g`` given as ``(gradient (P, 2), constant (P,))``.

    Fan triangulation from vertex 0 with signed areas (the polygons are
    counter-clockwise) and the exact degree-2 triangle rule; polygons with
    fewer than 3 vertices give 0. Returns ``(P,)``.
    """
    num, width, _ = vertices.shape
    if width < 3:
        return np.zeros(num)

    def values(linear):
        gradient, constant = linear
        return (
            vertices[..., 0] * gradient[:, 0, None] + vertices[..., 1] * gradient[:, 1, None]
        ) + constant[:, None]

    f, g = values(first), values(second)  # (P, V)
    edges = vertices[:, 1:] - vertices[:, :1]  # (P, V-1, 2)
    twice_area = edges[:, :-1, 0] * edges[:, 1:, 1] - edges[:, :-1, 1] * edges[:, 1:, 0]
    twice_area[np.arange(2, width)[None, :] >= counts[:, None]] = 0.0  # triangles (0, k, k+1)
    f0, f1, f2 = f[:, :1], f[:, 1:-1], f[:, 2:]
    g0, g1, g2 = g[:, :1], g[:, 1:-1], g[:, 2:]
    rule = f0 * g0 + f1 * g1 + f2 * g2 + (f0 + f1 + f2) * (g0 + g1 + g2)
    return (twice_area * rule).sum(axis=1) / 24.0


def _feature_polygons(w: np.ndarray, b: np.ndarray, pieces) -> list[tuple[np.ndarray, np.ndarray]]:
    """The polygons ``P_ip`` of every feature ``i``, one ``(vertices, counts)`` per piece ``p``."""
    polygons = []
    for piece in pieces:
        vertices = np.broadcast_to(_SQUARE, (len(b), 4, 2)).copy()
        counts = np.full(len(b), 4)
        for normal, offset in _half_planes(w, b, piece):
            vertices, counts = _clip(vertices, counts, normal, offset)
        polygons.append((vertices, counts))
    return polygons


def ridge_values(weights, biases, activation: str, points) -> np.ndarray:
    """Values ``sigma(w_i . x + b_i)`` at ``points`` ``(N, 2)``; returns ``(N, n)``.

    ``weights`` has shape ``(2, n)`` (column ``i`` is ``w_i``), ``biases`` ``(n,)``.
    """
    pieces = _pieces(activation)
    w, b = _check(weights, biases)
    points = np.asarray(points, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"points must have shape (N, 2), got {points.shape}")
    return _activate(pieces, points @ w.T + b[None, :])


def ridge_moments(weights, biases, activation: str) -> np.ndarray:
    """Moments ``m_i = int_{[0,1]^2} sigma(w_i . x + b_i) dx``, shape ``(n,)``.

    ``weights`` has shape ``(2, n)`` (column ``i`` is ``w_i``), ``biases`` ``(n,)``.
    """
    pieces = _pieces(activation)
    w, b = _check(weights, biases)
    flat = np.all(w == 0, axis=1)
    moments = _activate(pieces, b.copy())  # the constant features (w = 0) are sigma(b)
    active = ~flat
    one = (np.zeros((active.sum(), 2)), np.ones(active.sum()))
    polygons = _feature_polygons(w[active], b[active], pieces)
    moments[active] = sum(
        _integrate(vertices, counts, _linear(w[active], b[active], piece), one)
        for piece, (vertices, counts) in zip(pieces, polygons, strict=True)
    )
    return moments


def ridge_gram(weights, biases, activation: str) -> np.ndarray:
    """Gram matrix ``G_ij = int_{[0,1]^2} phi_i phi_j dx`` of ``phi_i = sigma(w_i . x + b_i)``.

    ``weights`` has shape ``(2, n)`` (column ``i`` is ``w_i``, the layout of a
    first layer's ``(input_dim, width)`` weights), ``biases`` ``(n,)``;
    ``activation`` is a key of :data:`PIECES`. Returns the symmetric ``(n, n)``
    matrix, computed for ``i <= j`` and mirrored.
    """
    pieces = _pieces(activation)
    w, b = _check(weights, biases)
    size = len(b)
    flat = np.all(w == 0, axis=1)
    active = np.flatnonzero(~flat)
    wa, ba = w[active], b[active]
    polygons = _feature_polygons(wa, ba, pieces)
    linear = [_linear(wa, ba, piece) for piece in pieces]
    planes = [_half_planes(wa, ba, piece) for piece in pieces]

    block = np.zeros((len(active), len(active)))
    diagonal = sum(  # the pieces of one feature overlap only on lines
        _integrate(vertices, counts, line, line)
        for line, (vertices, counts) in zip(linear, polygons, strict=True)
    )
    block[np.arange(len(active)), np.arange(len(active))] = diagonal
    rows, columns = np.triu_indices(len(active), 1)
    for start in range(0, len(rows), _CHUNK):
        i, j = rows[start : start + _CHUNK], columns[start : start + _CHUNK]
        total = np.zeros(len(i))
        for first, (vertices, counts) in zip(linear, polygons, strict=True):
            first_i = (first[0][i], first[1][i])
            for second, second_planes in zip(linear, planes, strict=True):
                clipped, clipped_counts = vertices[i], counts[i]
                for normal, offset in second_planes:
                    clipped, clipped_counts = _clip(clipped, clipped_counts, normal[j], offset[j])
                second_j = (second[0][j], second[1][j])
                total += _integrate(clipped, clipped_counts, first_i, second_j)
        block[i, j] = total
        block[j, i] = total

    gram = np.zeros((size, size))
    gram[np.ix_(active, active)] = block
    if flat.any():  # phi_i = sigma(b_i) is constant: G_ij = sigma(b_i) m_j
        constant = _activate(pieces, b[flat])
        moments = ridge_moments(weights, biases, activation)
        gram[flat, :] = constant[:, None] * moments[None, :]
        gram[:, flat] = gram[flat, :].T
    return gram

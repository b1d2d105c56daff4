import time

import numpy as np
import pytest
import torch
from scipy.integrate import quad

from hatlib.activations import hat as torch_hat
from hatlib.fem import mass_matrix, relu_gram, uniform_nodes
from hatlib.ridge import PIECES, ridge_gram, ridge_moments, ridge_values

ACTIVATIONS = ["relu", "hat"]
KINKS = {"relu": [0.0], "hat": [0.0, 1.0, 2.0]}


def _sigma(activation, z):
    z = np.asarray(z, dtype=np.float64)
    if activation == "relu":
        return np.maximum(z, 0.0)
    return np.maximum(z, 0) - 2 * np.maximum(z - 1, 0) + np.maximum(z - 2, 0)


def _sigma_antiderivative(activation, z):
    # int_{-inf}^z sigma, from the shifted-ReLU form (independent of the table of pieces).
    def ramp(a):
        return np.maximum(z - a, 0.0) ** 2 / 2

    return ramp(0.0) if activation == "relu" else ramp(0.0) - 2 * ramp(1.0) + ramp(2.0)


def _axis_hats(n, axis):
    # hat(x_axis / h + 1 - j), the P1 basis function of node j h, j = 0..n.
    weights = np.zeros((2, n + 1))
    weights[axis] = n
    return weights, 1.0 - np.arange(n + 1)


def _random_features(rng, n, scale=3.0):
    angles = rng.uniform(0, 2 * np.pi, n)
    lengths = rng.uniform(0.3, scale, n)
    weights = np.stack([np.cos(angles), np.sin(angles)]) * lengths
    anchors = rng.uniform(0, 1, (2, n))  # sigma's kink at 0 passes through a point of the square
    biases = -np.sum(weights * anchors, axis=0) + rng.uniform(0, 1, n)
    return weights, biases


@pytest.mark.parametrize("axis", [0, 1])
@pytest.mark.parametrize("n", [1, 4, 16, 64])
def test_axis_hats_give_the_p1_mass_matrix(n, axis):
    h = 1.0 / n
    gram = ridge_gram(*_axis_hats(n, axis), "hat")
    np.testing.assert_allclose(gram, mass_matrix(uniform_nodes(n)), rtol=1e-12, atol=1e-15)
    interior = np.arange(1, n)
    np.testing.assert_allclose(gram[interior, interior], 2 * h / 3, rtol=1e-12)
    np.testing.assert_allclose(np.diag(gram, 1), h / 6, rtol=1e-12)
    assert gram[0, 0] == pytest.approx(h / 3, rel=1e-12)
    assert gram[n, n] == pytest.approx(h / 3, rel=1e-12)
    assert np.abs(np.triu(gram, 2)).max(initial=0) < 1e-15  # supports meet on lines at most
    moments = ridge_moments(*_axis_hats(n, axis), "hat")
    np.testing.assert_allclose(moments, np.r_[h / 2, np.full(n - 1, h), h / 2], rtol=1e-12)


def test_axis_relus_match_the_closed_form():
    rng = np.random.default_rng(1)
    kinks = np.r_[rng.uniform(-0.5, 1.5, 30), 0.0, 1.0, 0.5]
    for axis in (0, 1):
        weights = np.zeros((2, len(kinks)))
        weights[axis] = 1.0
        gram = ridge_gram(weights, -kinks, "relu")
        a, b = kinks[:, None], kinks[None, :]
        low = np.clip(np.maximum(a, b), 0.0, 1.0)

        def primitive(x, a=a, b=b):  # of (x - a)(x - b)
            return x**3 / 3 - (a + b) * x**2 / 2 + a * b * x

        np.testing.assert_allclose(gram, primitive(1.0) - primitive(low), rtol=1e-12, atol=1e-15)
        low1 = np.clip(kinks, 0.0, 1.0)
        expected = (0.5 - kinks) - (low1**2 / 2 - kinks * low1)
        np.testing.assert_allclose(ridge_moments(weights, -kinks, "relu"), expected, rtol=1e-12)
    nodes = uniform_nodes(10)[:-1]
    fem = relu_gram(uniform_nodes(10))
    np.testing.assert_allclose(
        ridge_gram(np.stack([np.ones(10), np.zeros(10)]), -nodes, "relu"), fem
    )


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_random_features_match_midpoint_quadrature(activation):
    # Midpoint rule on an N x N grid, h = 1/N. Where phi_i phi_j is smooth (a quadratic
    # with Hessian of norm <= 2 |w_i| |w_j|) the error is <= h^2/24 * 2 * 2 |w_i| |w_j|
    # in total. A cell cut by a kink line, where the gradient jumps by at most
    # J = 2 (|w_i| max phi_j + |w_j| max phi_i), errs by <= J sqrt(2) h * h^2; a line
    # cuts <= 2N cells, so the kink lines add <= 2 sqrt(2) J h^2 each. Both O(h^2).
    rng = np.random.default_rng(2)
    n, grid = 7, 2000
    weights, biases = _random_features(rng, n)
    gram = ridge_gram(weights, biases, activation)
    moments = ridge_moments(weights, biases, activation)
    x = (np.arange(grid) + 0.5) / grid
    quadrature, quadrature_moments, peak = np.zeros((n, n)), np.zeros(n), np.zeros(n)
    for start in range(0, grid, 250):
        first, second = np.meshgrid(x[start : start + 250], x, indexing="ij")
        values = ridge_values(weights, biases, activation, np.c_[first.ravel(), second.ravel()])
        quadrature += values.T @ values / grid**2
        quadrature_moments += values.sum(axis=0) / grid**2
        peak = np.maximum(peak, values.max(axis=0))
    h, norm, lines = 1.0 / grid, np.linalg.norm(weights, axis=0), len(KINKS[activation])
    jump = 2 * (norm[:, None] * peak[None, :] + norm[None, :] * peak[:, None])
    tolerance = h**2 * (np.outer(norm, norm) / 6 + 2 * np.sqrt(2) * 2 * lines * jump)
    error = np.abs(gram - quadrature)
    print(f"{activation}: max |G - midpoint| = {error.max():.2e}, bound {tolerance.min():.2e}")
    assert np.all(error <= tolerance)
    assert error.max() < 1e-6 * np.abs(gram).max()  # and much smaller than the entries
    moment_tolerance = h**2 * (2 * np.sqrt(2) * lines * 2 * norm)
    assert np.all(np.abs(moments - quadrature_moments) <= moment_tolerance)


def _diagonal_integral(activation, scale_i, bias_i, scale_j, bias_j):
    # int sigma(a_i s + b_i) sigma(a_j s + b_j) over the square, s = x1 + x2 with
    # density min(s, 2 - s) on [0, 2]; quad split at every kink and at s = 1.
    points = [1.0] + [
        (k - bias) / scale
        for scale, bias in ((scale_i, bias_i), (scale_j, bias_j))
        for k in KINKS[activation]
    ]
    return quad(
        lambda s: (
            _sigma(activation, scale_i * s + bias_i)
            * _sigma(activation, scale_j * s + bias_j)
            * min(s, 2 - s)
        ),
        0.0,
        2.0,
        points=[p for p in points if 0 < p < 2],
        limit=200,
        epsabs=1e-14,
        epsrel=1e-13,
    )[0]


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_parallel_diagonal_features_match_one_dimensional_integrals(activation):
    # Features along (1, 1): parallel, antiparallel, equal, with kinks inside and outside.
    scales = np.array([1.0, 2.5, -1.0, -3.0, 1.0, 0.7])
    biases = np.array([-0.5, -1.2, 1.5, 4.0, -0.5, 0.1])
    gram = ridge_gram(np.stack([scales, scales]), biases, activation)
    features = list(zip(scales, biases, strict=True))
    expected = np.array(
        [[_diagonal_integral(activation, *fi, *fj) for fj in features] for fi in features]
    )
    np.testing.assert_allclose(gram, expected, rtol=1e-11, atol=1e-14)
    np.testing.assert_array_equal(gram[0], gram[4])  # a repeated feature repeats its row


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_crossed_diagonal_features_match_a_change_of_variables(activation):
    # f(x1 + x2) g(x1 - x2): u = x1 + x2, v = x1 - x2, |v| <= m(u) = min(u, 2 - u),
    # dx = du dv / 2; the inner integral of g in closed form from sigma's antiderivative.
    alpha, beta, c_f, c_g = 1.7, 2.3, -0.9, 0.4

    def inner(u):
        m = min(u, 2 - u)
        upper = _sigma_antiderivative(activation, beta * m + c_g)
        lower = _sigma_antiderivative(activation, -beta * m + c_g)
        return (upper - lower) / beta

    points = {1.0} | {(k - c_f) / alpha for k in KINKS[activation]}
    for k in KINKS[activation]:
        for m in ((k - c_g) / beta, (c_g - k) / beta):
            points |= {m, 2 - m}
    expected = quad(
        lambda u: 0.5 * _sigma(activation, alpha * u + c_f) * inner(u),
        0.0,
        2.0,
        points=sorted(p for p in points if 0 < p < 2),
        limit=200,
        epsabs=1e-14,
    )[0]
    weights = np.array([[alpha, beta], [alpha, -beta]])
    gram = ridge_gram(weights, np.array([c_f, c_g]), activation)
    assert gram[0, 1] == pytest.approx(expected, rel=1e-11)
    assert gram[1, 0] == gram[0, 1]


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_symmetric_positive_semidefinite_and_square_invariant(activation):
    rng = np.random.default_rng(3)
    weights, biases = _random_features(rng, 60)
    gram = ridge_gram(weights, biases, activation)
    np.testing.assert_array_equal(gram, gram.T)
    eigenvalues = np.linalg.eigvalsh(gram)
    assert eigenvalues.min() > -1e-13 * eigenvalues.max()
    scale = np.abs(gram).max()
    swapped = ridge_gram(weights[::-1], biases, activation)  # x1 <-> x2
    np.testing.assert_allclose(swapped, gram, rtol=0, atol=1e-13 * scale)
    for axis in (0, 1):  # x_axis -> 1 - x_axis
        mirrored = weights.copy()
        mirrored[axis] *= -1
        reflected = ridge_gram(mirrored, biases + weights[axis], activation)
        np.testing.assert_allclose(reflected, gram, rtol=0, atol=1e-13 * scale)
    rotated = ridge_gram(np.stack([-weights[1], weights[0]]), biases + weights[1], activation)
    np.testing.assert_allclose(rotated, gram, rtol=0, atol=1e-13 * scale)  # (x1, x2) -> (x2, 1-x1)


def test_two_partitions_of_unity_give_an_exact_null_vector():
    n, m = 8, 11
    axis_weights, axis_biases = _axis_hats(n, 0)
    spacing = np.sqrt(2) / m  # nodes k * spacing, k = 0..m, cover u . x in [0, sqrt(2)]
    direction = np.array([1.0, 1.0]) / np.sqrt(2)
    diagonal_weights = np.outer(direction / spacing, np.ones(m + 1))
    diagonal_biases = 1.0 - np.arange(m + 1)
    weights = np.hstack([axis_weights, diagonal_weights])
    biases = np.r_[axis_biases, diagonal_biases]
    rng = np.random.default_rng(4)
    points = rng.uniform(0, 1, (1000, 2))
    values = ridge_values(weights, biases, "hat", points)
    np.testing.assert_allclose(values[:, : n + 1].sum(axis=1), 1.0, rtol=1e-13)
    np.testing.assert_allclose(values[:, n + 1 :].sum(axis=1), 1.0, rtol=1e-13)
    gram = ridge_gram(weights, biases, "hat")
    null = np.r_[np.ones(n + 1), -np.ones(m + 1)]
    residual = np.abs(gram @ null).max()
    print(f"max |G v| = {residual:.1e} (entries up to {gram.max():.2e})")
    assert residual < 1e-14
    assert np.abs(ridge_moments(weights, biases, "hat") @ null) < 1e-14
    assert abs(null @ gram @ null) < 1e-14


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_zero_weights_are_constants(activation):
    rng = np.random.default_rng(5)
    weights, biases = _random_features(rng, 4)
    constant_biases = np.array([0.5, 1.0, 3.0, -1.0, 0.0, 2.0])  # on and off the kinks
    weights = np.hstack([weights, np.zeros((2, 6))])
    biases = np.r_[biases, constant_biases]
    gram = ridge_gram(weights, biases, activation)
    moments = ridge_moments(weights, biases, activation)
    constants = _sigma(activation, constant_biases)
    np.testing.assert_array_equal(moments[4:], constants)
    np.testing.assert_allclose(gram[4:, 4:], np.outer(constants, constants), rtol=1e-15)
    np.testing.assert_allclose(gram[4:, :4], np.outer(constants, moments[:4]), rtol=1e-15)
    np.testing.assert_array_equal(gram, gram.T)
    tiny = weights.copy()
    tiny[0, 4:] = 1e-12  # the polygon path with almost-constant features: continuous in w
    np.testing.assert_allclose(ridge_gram(tiny, biases, activation), gram, rtol=0, atol=1e-10)
    np.testing.assert_allclose(ridge_moments(tiny, biases, activation), moments, atol=1e-10)
    assert ridge_gram(np.zeros((2, 0)), np.zeros(0), activation).shape == (0, 0)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_values_match_the_torch_activations(activation):
    rng = np.random.default_rng(6)
    weights, biases = _random_features(rng, 5)
    points = np.r_[rng.uniform(0, 1, (200, 2)), [[0.0, 0.0], [1.0, 1.0]]]
    z = torch.from_numpy(points @ weights + biases)
    expected = torch.relu(z) if activation == "relu" else torch_hat(z)
    np.testing.assert_allclose(
        ridge_values(weights, biases, activation, points), expected.numpy(), rtol=0, atol=1e-15
    )
    assert set(PIECES) == set(ACTIVATIONS)


def test_rejects_unknown_activations_and_bad_shapes():
    with pytest.raises(ValueError, match="tanh"):
        ridge_gram(np.ones((2, 3)), np.zeros(3), "tanh")
    with pytest.raises(ValueError, match="shape"):
        ridge_gram(np.ones((3, 2)), np.zeros(2), "hat")
    with pytest.raises(ValueError, match="shape"):
        ridge_moments(np.ones((2, 3)), np.zeros(2), "relu")
    with pytest.raises(ValueError, match="finite"):
        ridge_gram(np.full((2, 1), np.nan), np.zeros(1), "relu")


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_timing_for_256_features(activation):
    weights, biases = _random_features(np.random.default_rng(7), 256)
    start = time.perf_counter()
    gram = ridge_gram(weights, biases, activation)
    print(f"ridge_gram {activation}, n = 256: {time.perf_counter() - start:.3f} s")
    assert gram.shape == (256, 256)

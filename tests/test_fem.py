import numpy as np
import pytest

from hatlib.fem import (
    condition_number,
    gram_matrix,
    gram_spectrum,
    hat_gram_matrix,
    hat_stiffness_matrix,
    relu_gram_matrix,
)


@pytest.mark.parametrize("n", [4, 16, 64])
def test_hat_gram_matrix_entries(n):
    h = 1.0 / n
    matrix = hat_gram_matrix(n)
    assert matrix.shape == (n + 1, n + 1)
    interior = np.arange(1, n)
    np.testing.assert_allclose(matrix[interior, interior], 4 * h / 6, rtol=1e-14)
    np.testing.assert_allclose(matrix[interior, interior - 1], h / 6, rtol=1e-14)
    np.testing.assert_allclose(matrix[interior, interior + 1], h / 6, rtol=1e-14)
    assert matrix[0, 0] == pytest.approx(h / 3) and matrix[n, n] == pytest.approx(h / 3)
    assert np.count_nonzero(np.triu(matrix, 2)) == 0


def _quadrature_gram(features, num_points=200_000):
    # Midpoint rule on [0, 1]; features map x of shape (N,) to (N, size).
    x = (np.arange(num_points) + 0.5) / num_points
    values = features(x)
    return values.T @ values / num_points


def test_hat_gram_matrix_matches_quadrature():
    n = 5
    nodes = np.arange(n + 1) / n
    hats = lambda x: np.maximum(0, 1 - np.abs(x[:, None] - nodes[None, :]) * n)  # noqa: E731
    np.testing.assert_allclose(hat_gram_matrix(n), _quadrature_gram(hats), atol=1e-9)


def test_relu_gram_matrix_matches_quadrature():
    n = 6
    nodes = np.arange(n) / n
    relus = lambda x: np.maximum(0, x[:, None] - nodes[None, :])  # noqa: E731
    np.testing.assert_allclose(relu_gram_matrix(n), _quadrature_gram(relus), atol=1e-9)


@pytest.mark.parametrize("basis", ["relu", "hat"])
@pytest.mark.parametrize("n", [8, 32])
def test_gram_matrices_symmetric_positive_definite(basis, n):
    matrix = gram_matrix(basis, n)
    np.testing.assert_array_equal(matrix, matrix.T)
    assert np.linalg.eigvalsh(matrix).min() > 0
    np.linalg.cholesky(matrix)


@pytest.mark.parametrize("n", [16, 32, 64, 128])
def test_hat_condition_number_bounded_by_four(n):
    assert 3.9 <= condition_number(hat_gram_matrix(n)) <= 4.01


@pytest.mark.parametrize(("n", "expected"), [(16, 2.78e5), (32, 4.29e6), (64, 6.70e7)])
def test_relu_condition_number(n, expected):
    assert condition_number(relu_gram_matrix(n)) == pytest.approx(expected, rel=0.05)


def test_relu_eigenvalues_decay_like_k_to_the_minus_four():
    spectrum = gram_spectrum(relu_gram_matrix(256))
    modes = np.arange(1, 257)
    # lambda_k ~ 1 / (pi^4 k^4 h) in the resolved middle range.
    middle = slice(8, 64)
    slope = np.polyfit(np.log(modes[middle]), np.log(spectrum.eigenvalues[middle]), 1)[0]
    assert slope == pytest.approx(-4.0, abs=0.15)
    # Eigenvectors ordered by eigenvalue oscillate more and more: 0, 1, 2, ... sign changes.
    np.testing.assert_array_equal(spectrum.sign_changes[:10], np.arange(10))


def test_stiffness_matrix_kernel_is_constants():
    stiffness = hat_stiffness_matrix(10)
    np.testing.assert_allclose(stiffness @ np.ones(11), 0, atol=1e-12)
    assert stiffness[5, 5] == pytest.approx(20) and stiffness[5, 4] == pytest.approx(-10)


def test_relu_basis_is_hat_basis_through_second_difference():
    # phi_i = (psi_{i-1} - 2 psi_i + psi_{i+1}) / h for interior nodes, so the
    # Gram matrices are related by the same difference operator.
    n = 12
    h = 1.0 / n
    relu = relu_gram_matrix(n)
    difference = np.zeros((n - 2, n))
    for row in range(n - 2):
        difference[row, row : row + 3] = np.array([1.0, -2.0, 1.0]) / h
    interior_mass = hat_gram_matrix(n)[1 : n - 1, 1 : n - 1]
    np.testing.assert_allclose(difference @ relu @ difference.T, interior_mass, atol=1e-12)

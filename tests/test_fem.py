import itertools

import numpy as np
import pytest

from hatlib.fem import (
    GRAM_MATRICES,
    basis_combinations,
    bspline_gram,
    condition_number,
    graded_nodes,
    gram_matrix,
    mass_matrix,
    relu_gram,
    stiffness_matrix,
    uniform_nodes,
)


@pytest.mark.parametrize("n", [4, 16, 64])
def test_mass_matrix_entries(n):
    h = 1.0 / n
    matrix = mass_matrix(uniform_nodes(n))
    assert matrix.shape == (n + 1, n + 1)
    interior = np.arange(1, n)
    np.testing.assert_allclose(matrix[interior, interior], 2 * h / 3, rtol=1e-14)
    np.testing.assert_allclose(matrix[interior, interior - 1], h / 6, rtol=1e-14)
    np.testing.assert_allclose(matrix[interior, interior + 1], h / 6, rtol=1e-14)
    assert matrix[0, 0] == pytest.approx(h / 3) and matrix[n, n] == pytest.approx(h / 3)
    assert np.count_nonzero(np.triu(matrix, 2)) == 0


def _quadrature_gram(basis, nodes, num_points=400_000):
    # Midpoint rule on [0, 1] with the basis evaluated by basis_combinations.
    x = (np.arange(num_points) + 0.5) / num_points
    size = len(GRAM_MATRICES[basis](nodes))
    values = basis_combinations(basis, nodes, np.eye(size), x)
    return values.T @ values / num_points


@pytest.mark.parametrize("basis", sorted(GRAM_MATRICES))
@pytest.mark.parametrize("ratio", [1, 3])
def test_gram_matrices_match_quadrature(basis, ratio):
    nodes = graded_nodes(6, ratio, seed=1)
    np.testing.assert_allclose(
        gram_matrix(basis, nodes), _quadrature_gram(basis, nodes), rtol=0, atol=1e-9
    )


def test_degree_one_bsplines_are_the_hat_basis():
    nodes = graded_nodes(9, 5, seed=2)
    np.testing.assert_allclose(bspline_gram(nodes, 1), mass_matrix(nodes), atol=1e-16)


@pytest.mark.parametrize("basis", ["hat", "bspline2", "bspline3"])
def test_local_bases_are_a_partition_of_unity(basis):
    nodes = graded_nodes(7, 4, seed=3)
    size = len(gram_matrix(basis, nodes))
    x = np.linspace(0, 1, 301, endpoint=False)
    total = basis_combinations(basis, nodes, np.ones((size, 1)), x)
    np.testing.assert_allclose(total, 1.0, atol=1e-13)


@pytest.mark.parametrize("basis", sorted(GRAM_MATRICES))
@pytest.mark.parametrize("n", [8, 32])
def test_gram_matrices_symmetric_positive_definite(basis, n):
    matrix = gram_matrix(basis, uniform_nodes(n))
    np.testing.assert_allclose(matrix, matrix.T, rtol=0, atol=1e-16)
    assert np.linalg.eigvalsh(matrix).min() > 0
    np.linalg.cholesky(matrix)


@pytest.mark.parametrize("n", [16, 32, 64, 128, 512])
def test_hat_condition_number_bounded_by_four(n):
    assert 3.9 <= condition_number(mass_matrix(uniform_nodes(n))) <= 4.01


@pytest.mark.parametrize(
    ("n", "expected"), [(16, 2.78e5), (32, 4.29e6), (64, 6.70e7), (128, 1.06e9)]
)
def test_relu_condition_number(n, expected):
    assert condition_number(relu_gram(uniform_nodes(n))) == pytest.approx(expected, rel=0.02)


@pytest.mark.parametrize("basis", ["bspline2", "bspline3"])
def test_bspline_condition_number_bounded_independently_of_n(basis):
    kappa = [condition_number(gram_matrix(basis, uniform_nodes(n))) for n in (16, 64, 256)]
    assert kappa[-1] / kappa[0] < 1.05  # ReLU would grow by 16 per doubling: 256-fold here
    assert kappa[1] < kappa[2] * 1.01


def test_graded_nodes():
    nodes = graded_nodes(64, 8, seed=0)
    sizes = np.diff(nodes)
    assert nodes[0] == 0 and nodes[-1] == 1 and np.all(sizes > 0)
    assert sizes.max() / sizes.min() == pytest.approx(8)
    np.testing.assert_array_equal(graded_nodes(64, 1, seed=0), uniform_nodes(64))
    np.testing.assert_array_equal(graded_nodes(64, 8, seed=0), nodes)
    assert not np.array_equal(graded_nodes(64, 8, seed=1), nodes)
    with pytest.raises(ValueError, match="mesh_ratio"):
        graded_nodes(8, 0.5, seed=0)


def test_mass_condition_number_grows_with_mesh_ratio_within_the_element_bound():
    ratios = [1, 2, 4, 8, 16, 64]
    kappa = [condition_number(mass_matrix(graded_nodes(64, r, seed=0))) for r in ratios]
    assert kappa[0] == pytest.approx(condition_number(mass_matrix(uniform_nodes(64))), rel=1e-12)
    assert all(later > earlier for earlier, later in itertools.pairwise(kappa))
    for ratio, value in zip(ratios, kappa, strict=True):
        assert value <= 6 * ratio  # kappa(M) <= 6 h_max / h_min from the element matrices


def test_stiffness_matrix_kernel_is_constants():
    stiffness = stiffness_matrix(uniform_nodes(10))
    np.testing.assert_allclose(stiffness @ np.ones(11), 0, atol=1e-12)
    assert stiffness[5, 5] == pytest.approx(20) and stiffness[5, 4] == pytest.approx(-10)


def test_relu_basis_is_hat_basis_through_second_difference():
    # phi_i = (psi_{i-1} - 2 psi_i + psi_{i+1}) / h at interior nodes, so the Gram
    # matrices are related by the same difference operator.
    n = 12
    h = 1.0 / n
    relu = relu_gram(uniform_nodes(n))
    difference = np.zeros((n - 2, n))
    for row in range(n - 2):
        difference[row, row : row + 3] = np.array([1.0, -2.0, 1.0]) / h
    interior_mass = mass_matrix(uniform_nodes(n))[1 : n - 1, 1 : n - 1]
    np.testing.assert_allclose(difference @ relu @ difference.T, interior_mass, atol=1e-12)


def test_bad_nodes_are_rejected():
    with pytest.raises(ValueError, match="increasing"):
        mass_matrix(np.array([0.0, 0.6, 0.4, 1.0]))
    with pytest.raises(ValueError, match="from 0 to 1"):
        relu_gram(np.array([0.0, 0.5]))


def test_fem_jobs_do_not_import_torch():
    # each FEM job is a process of its own: importing PyTorch would cost it a second or more
    import subprocess
    import sys

    code = "import sys, hatlib.fem, hatlib.modes, hatlib.io; print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr

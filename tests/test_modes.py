import numpy as np
import pytest

from hatlib.fem import gram_matrix, uniform_nodes
from hatlib.modes import (
    analyse_basis,
    decay_exponent,
    dft_peak_frequency,
    fit_power_law,
    gram_spectrum,
    mode_table,
    sign_changes,
)


def _modes(basis, n):
    nodes = uniform_nodes(n)
    return mode_table(basis, nodes, gram_spectrum(gram_matrix(basis, nodes)), uniform=True)


@pytest.mark.parametrize("n", [64, 128, 256])
def test_relu_eigenvalues_decay_like_k_to_the_minus_four(n):
    fit = decay_exponent(_modes("relu", n), n)
    assert -4.6 <= fit.exponent <= -3.7
    assert fit.lower <= fit.exponent <= fit.upper


@pytest.mark.parametrize("basis", ["hat", "bspline2", "bspline3"])
@pytest.mark.parametrize("n", [64, 256])
def test_local_bases_have_flat_spectra(basis, n):
    fit = decay_exponent(_modes(basis, n), n)
    assert -0.3 <= fit.exponent <= 0.3


@pytest.mark.parametrize("basis", ["relu", "hat", "bspline3"])
def test_sign_changes_agree_with_dft_peak_in_the_resolved_range(basis):
    n = 64
    modes = _modes(basis, n)
    resolved = modes[modes["dft_frequency"] <= n / 4]
    assert len(resolved) > n / 4
    assert (resolved["sign_changes"] / 2 - resolved["dft_frequency"]).abs().max() <= 0.5
    # Modes ordered by eigenvalue oscillate more and more: 0, 1, 2, ... sign changes.
    np.testing.assert_array_equal(modes["sign_changes"].to_numpy()[:16], np.arange(16))


def test_sign_changes_and_dft_peak_on_known_signals():
    x = np.arange(200) / 200
    values = np.column_stack([np.cos(2 * np.pi * 3 * x), np.sin(2 * np.pi * 5 * x + 0.1), x + 1])
    # The phase-shifted sine crosses zero for the tenth time after the last sample.
    np.testing.assert_array_equal(sign_changes(values), [6, 9, 0])
    np.testing.assert_allclose(dft_peak_frequency(values), [3, 5, 0])


def test_fit_power_law_recovers_exponent_and_interval():
    x = np.arange(1, 30, dtype=float)
    exact = fit_power_law(x, 3 * x**-2.5)
    assert exact.exponent == pytest.approx(-2.5) and exact.upper - exact.lower < 1e-8
    noisy = fit_power_law(x, 3 * x**-2.5 * np.exp(0.1 * np.sin(7 * x)))
    assert noisy.lower < noisy.exponent < noisy.upper
    assert noisy.upper - noisy.lower > 1e-3
    assert np.isnan(fit_power_law(x[:2], x[:2]).exponent)


def test_analyse_basis_tables():
    modes, functions = analyse_basis("hat", 16, mesh_ratio=4, seed=0, eigenfunctions=3)
    assert len(modes) == 17 and modes["dft_frequency"].isna().all()
    assert (modes["basis"] == "hat").all() and (modes["mesh_ratio"] == 4).all()
    assert sorted(functions["mode"].unique()) == [1, 2, 3]
    peaks = functions.groupby("mode")["value"].max()
    np.testing.assert_allclose(peaks, 1.0)

import numpy as np
import pytest

from hatlib.spectral import relative_error_by_frequency, relative_l2_error
from hatlib.targets import uniform_grid


def test_relative_error_by_frequency_on_known_coefficients():
    x = uniform_grid(128)
    target = 2.0 * np.sin(2 * np.pi * 3 * x) + 0.5 * np.cos(2 * np.pi * 7 * x)
    # Prediction: 10% short on k = 3, exact on k = 7, plus a k = 5 component the
    # metric at 3 and 7 must ignore.
    prediction = 1.8 * np.sin(2 * np.pi * 3 * x) + 0.5 * np.cos(2 * np.pi * 7 * x)
    prediction = prediction + 0.3 * np.sin(2 * np.pi * 5 * x)
    delta = relative_error_by_frequency(prediction, target, [3, 7])
    np.testing.assert_allclose(delta, [0.1, 0.0], atol=1e-12)


def test_relative_error_by_frequency_phase_error():
    x = uniform_grid(64)
    target = np.sin(2 * np.pi * 2 * x)
    prediction = np.sin(2 * np.pi * 2 * x + np.pi / 2)  # same amplitude, quarter-period shift
    # |e^{i pi/2} - 1| = sqrt(2)
    np.testing.assert_allclose(
        relative_error_by_frequency(prediction, target, [2]), [np.sqrt(2)], rtol=1e-12
    )


def test_relative_error_by_frequency_rejects_empty_bins():
    x = uniform_grid(32)
    with pytest.raises(ValueError, match="no energy"):
        relative_error_by_frequency(x, np.sin(2 * np.pi * x), [2])
    with pytest.raises(ValueError, match="frequencies must lie"):
        relative_error_by_frequency(x, np.sin(2 * np.pi * x), [17])


def test_relative_l2_error():
    assert relative_l2_error(np.array([1.0, 1.0]), np.array([2.0, 0.0])) == pytest.approx(
        np.sqrt(2) / 2
    )

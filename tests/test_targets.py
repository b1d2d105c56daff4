import numpy as np
import pytest

from hatlib.targets import sine_dataset, uniform_grid


def test_uniform_grid_excludes_endpoint():
    x = uniform_grid(8)
    assert x[0] == 0.0 and x[-1] == 7 / 8
    np.testing.assert_allclose(np.diff(x), 1 / 8)


def test_sine_dataset_values():
    data = sine_dataset(3, 64)
    assert list(data.columns) == ["x", "y"]
    np.testing.assert_allclose(data["y"], np.sin(2 * np.pi * 3 * data["x"]))


@pytest.mark.parametrize(("frequency", "num_points"), [(0, 64), (32, 64), (40, 64)])
def test_sine_dataset_rejects_bad_frequencies(frequency, num_points):
    with pytest.raises(ValueError, match=f"frequency.*{frequency}|{frequency}.*Nyquist"):
        sine_dataset(frequency, num_points)

import math

import numpy as np
import pandas as pd
import pytest
import torch

from hatlib.analysis import error_summary, method_comparison
from hatlib.experiments.common import FitSetting, build_network
from hatlib.models import FourierFeatureNetwork, build_fourier_network, build_siren
from hatlib.targets import multifrequency_dataset
from hatlib.training import TrainingConfig, train


def test_fourier_features_are_fixed_and_seeded():
    model = build_fourier_network(2, features=8, sigma=5.0, width=16, depth=2, seeds=[0, 1])
    assert isinstance(model, FourierFeatureNetwork)
    assert model.frequencies.shape == (2, 2, 8)
    # B is a buffer: never handed to an optimizer
    assert all(p is not model.frequencies for p in model.parameters())
    assert sum(p.numel() for p in model.parameters()) == 2 * (16 * 16 + 16 + 16 * 16 + 16 + 17)
    alone = build_fourier_network(2, features=8, sigma=5.0, width=16, depth=2, seeds=[1])
    torch.testing.assert_close(alone.frequencies[0], model.frequencies[1])
    points = torch.rand(10, 2)
    torch.testing.assert_close(alone(points)[0], model(points)[1])
    # the scale of B is sigma: the sample standard deviation of 4,096 draws is near it
    wide = build_fourier_network(1, features=4096, sigma=5.0, width=4, depth=1)
    assert float(wide.frequencies.std()) == pytest.approx(5.0, rel=0.05)
    with pytest.raises(ValueError, match="sigma=0"):
        build_fourier_network(1, features=4, sigma=0, width=4, depth=1)


def test_siren_initialisation_bounds():
    omega0 = 30.0
    model = build_siren(2, width=64, depth=3, omega0=omega0, seeds=[0])
    first, *hidden = [w[0] for w in model.weights]
    assert first.abs().max() <= 1 / 2 and first.abs().max() > 0.4
    for weight in hidden:
        bound = math.sqrt(6 / weight.shape[0]) / omega0
        assert weight.abs().max() <= bound and weight.abs().max() > 0.8 * bound
    x = torch.rand(200, 2)
    # the activation is sin(omega0 z)
    z = x @ model.weights[0][0] + model.biases[0][0]
    torch.testing.assert_close(model.activation.function(z), torch.sin(omega0 * z))
    with pytest.raises(ValueError, match="omega0 must be positive"):
        build_siren(1, 8, 1, omega0=0.0)


@pytest.mark.parametrize(
    ("family", "activation", "extra"),
    [("fourier", "relu", {"features": 16, "sigma": 8.0}), ("siren", "sine", {"omega0": 30.0})],
)
def test_alternatives_fit_a_multifrequency_target(family, activation, extra):
    torch.set_num_threads(1)
    data = multifrequency_dataset({"num_points": 128, "frequencies": [1, 8]}, 0)
    setting = FitSetting(
        activation, "adam", 2, 32, 8.0, (0,), 300, 300, (1e-3,), 10, family=family, **extra
    )
    model = build_network(setting, 1, "cpu")
    config = TrainingConfig("adam", 1e-3, 300, 300)
    result = train(model, data["x0"].to_numpy(), data["y"].to_numpy(), config, [1, 8])
    errors = result.history["relative_l2_error"].to_numpy()
    assert errors[-1] < 0.2 * errors[0]


def test_unknown_family_is_named():
    setting = FitSetting("relu", "adam", 2, 8, 8.0, (0,), 1, 1, (1e-3,), 1, family="kan")
    with pytest.raises(ValueError, match="unknown network family 'kan'"):
        build_network(setting, 1, "cpu")


def test_method_comparison_takes_the_slowest_frequency_and_the_median_seed():
    learned = pd.DataFrame(
        {
            "method": ["a"] * 6 + ["b"] * 2,
            "seed": [0, 0, 1, 1, 2, 2, 0, 0],
            "frequency": [1, 8] * 4,
            "iterations": [10, 50, 20, 40, 5, 500, 100, 500],
            "censored": [False, False, False, False, False, True, False, True],
        }
    )
    final = pd.DataFrame(
        {"method": ["a", "a", "a", "b"], "seed": [0, 1, 2, 0], "relative_l2_error": [1, 2, 9, 4.0]}
    )
    table = method_comparison(learned, final, ["method"]).set_index("method")
    # run maxima a: 50, 40, 500 (censored) -> median 50; b: 500 censored -> lower bound
    assert table.loc["a", "iterations"] == 50 and not table.loc["a", "censored"]
    assert table.loc["b", "iterations"] == 500 and table.loc["b", "censored"]
    assert table.loc["a", "final_error"] == 2 and table.loc["a", "seeds"] == 3


def test_error_summary_uses_the_named_error_column():
    history = pd.DataFrame(
        {
            "group": ["g"] * 6,
            "seed": [0, 0, 0, 1, 1, 1],
            "step": [0, 10, 20] * 2,
            "relative_l2_error": [1.0, 0.01, 0.01] * 2,
            "relative_h1_error": [1.0, 0.5, 0.05, 1.0, 0.5, 0.3],
        }
    )
    h1 = error_summary(history, "relative_h1_error", 0.1, ["group"]).iloc[0]
    assert h1["iterations"] == 20 and h1["censored"]  # seed 1 never below: the median is a bound
    assert h1["final_error"] == pytest.approx(0.175)
    l2 = error_summary(history, "relative_l2_error", 0.1, ["group"]).iloc[0]
    assert l2["iterations"] == 10 and not l2["censored"]
    assert np.isclose(l2["final_error"], 0.01)

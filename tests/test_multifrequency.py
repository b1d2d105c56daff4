import numpy as np
import pandas as pd
import pytest
import torch

from hatlib.analysis import learning_time_exponents, summarise_runs
from hatlib.experiments.common import FitSetting, run_probed_fit
from hatlib.experiments.learning_rates import select_learning_rates
from hatlib.experiments.multifrequency import run_multifrequency
from hatlib.experiments.single_frequency import ModelConfig
from hatlib.models import DeepNetwork, build_deep_network, build_shallow_network
from hatlib.spectral import DFTProbe, FilterProbe
from hatlib.targets import (
    multi_sine,
    multifrequency_dataset,
    random_phases,
    sine_dataset,
    uniform_grid,
    uniform_grid_2d,
)
from hatlib.training import TrainingConfig, train


def test_two_dimensional_grid_is_row_major():
    points = uniform_grid_2d(4)
    assert points.shape == (16, 2)
    assert tuple(points.reshape(4, 4, 2)[1, 3]) == (0.25, 0.75)


def test_dft_probe_finds_each_component_of_a_2d_target():
    points = uniform_grid_2d(16)
    bins = np.array([[1, 0], [2, 3]])
    target = multi_sine(points, bins, np.array([1.0, 0.5]), random_phases(2, 0))
    probe = DFTProbe(target, (16, 16), bins)
    # residual = -(component (2, 3)): only that bin has error 1
    only_second = multi_sine(points, bins[1:], np.array([0.5]), random_phases(2, 0)[1:])
    errors = probe(torch.tensor(-only_second)[None, :]).numpy()
    assert errors[0] == pytest.approx([0.0, 1.0], abs=1e-9)
    with pytest.raises(ValueError, match="no energy"):
        DFTProbe(target, (16, 16), [[5, 5]])


def test_filter_probe_separates_smooth_and_rough_residuals():
    x = uniform_grid(64)[:, None]
    weights = np.exp(-((x - x.T) ** 2) / (2 * 0.05**2))
    weights /= weights.sum(axis=1, keepdims=True)
    target = np.sin(2 * np.pi * x[:, 0]) + 0.3 * np.sin(2 * np.pi * 20 * x[:, 0])
    probe = FilterProbe(target, weights)
    smooth = torch.tensor(np.sin(2 * np.pi * x[:, 0]))[None, :]
    rough = torch.tensor(np.sin(2 * np.pi * 20 * x[:, 0]))[None, :]
    low_smooth, high_smooth = probe(smooth)[0]
    low_rough, high_rough = probe(rough)[0]
    assert low_smooth > 10 * high_smooth / 3
    assert high_rough > 10 * low_rough


def test_deep_network_members_are_independent_and_seeded():
    batch = build_deep_network("hat", 2, 16, 3, seeds=[4, 7], dtype=torch.float64)
    alone = build_deep_network("hat", 2, 16, 3, seeds=[7], dtype=torch.float64)
    x = torch.rand(10, 2, dtype=torch.float64)
    assert isinstance(batch, DeepNetwork)
    assert batch(x).shape == (2, 10)
    assert torch.equal(batch(x)[1], alone(x)[0])
    assert not torch.equal(batch(x)[0], batch(x)[1])


def test_deep_network_of_depth_one_on_a_line_is_the_fem_grid_network():
    deep = build_deep_network("hat", 1, 9, 1, seeds=[3], dtype=torch.float64)
    shallow = build_shallow_network("hat", 9, "fem_grid", seeds=[3], dtype=torch.float64)
    x = torch.linspace(0, 1, 50, dtype=torch.float64)
    assert torch.allclose(deep(x), shallow(x))


def test_hat_first_layer_on_the_square_is_localised():
    model = build_deep_network("hat", 2, 64, 1, resolution=8, seeds=[0], dtype=torch.float64)
    features = model.activation.function(
        torch.baddbmm(
            model.biases[0][:, None, :], torch.rand(1, 2000, 2).double(), model.weights[0]
        )
    )
    active = (features > 0).double().mean()
    assert 0.02 < active < 0.5  # each hat covers a band of the square, not all of it


def _fit_setting(activation, optimizer="adam", depth=1, iterations=200):
    return FitSetting(
        activation, optimizer, depth, 32, 4.0, (0, 1), iterations, 20, (0.001, 0.01, 10.0), 30
    )


def test_probed_fit_selects_a_stable_rate_and_learns():
    data = multifrequency_dataset({"num_points": 64, "frequencies": [1, 4]}, 0)
    _, spectrum, search, metadata = run_multifrequency(
        data,
        [1, 4],
        "hat",
        {"depth": 1, "width": 32},
        {"optimizers": ["adam"], "resolution": 4.0, "seeds": 2, "iterations": 200,
         "log_every": 20, "selection_iterations": 30},
        {"adam": [0.001, 0.01]},
        device="cpu",
    )  # fmt: skip
    assert set(spectrum["frequency"]) == {"1", "4"}
    assert metadata["runs"]["adam"]["learning_rate"] in (0.001, 0.01)
    first = spectrum[spectrum["step"] == 0]["relative_error"]
    last = spectrum[spectrum["step"] == 200]["relative_error"]
    assert last.max() < first.min()
    assert set(search["learning_rate"]) == {0.001, 0.01}


def test_stopping_learned_runs_changes_no_learning_time():
    from hatlib.analysis import learning_iterations

    data = multifrequency_dataset({"num_points": 64, "frequencies": [1, 4]}, 0)
    settings = {"optimizers": ["adam"], "resolution": 4.0, "seeds": 2, "iterations": 600,
                "log_every": 20, "selection_iterations": 30, "tolerance": 0.1}  # fmt: skip
    runs = [
        run_multifrequency(
            data,
            [1, 4],
            "hat",
            {"depth": 1, "width": 32},
            {**settings, **extra},
            {"adam": [0.01]},
            device="cpu",
        )
        for extra in ({}, {"stop_after_learned": 60})
    ]
    (_, full, _, ran), (_, short, _, stopped) = runs
    assert set(ran["runs"]["adam"]["status"].values()) == {"completed"}
    assert set(stopped["runs"]["adam"]["status"].values()) == {"learned"}
    assert short["step"].max() < 600
    keys = ["optimizer", "seed", "frequency"]
    learned = learning_iterations(short, 0.1, keys)
    assert not learned["censored"].any()
    pd.testing.assert_frame_equal(learned, learning_iterations(full, 0.1, keys))


def test_two_dimensional_deep_fit_runs_and_reports_every_bin():
    data = multifrequency_dataset({"points_per_side": 8, "frequencies": [[1, 0], [1, 2]]}, 1)
    inputs = data[["x0", "x1"]].to_numpy()
    probe = DFTProbe(data["y"].to_numpy(), (8, 8), [[1, 0], [1, 2]])
    result, _, metadata, _ = run_probed_fit(
        inputs, data["y"].to_numpy(), probe, 2, _fit_setting("relu", depth=2), "cpu"
    )
    assert set(result.spectrum["component"]) == {0, 1}
    assert metadata["learning_rate"] != 10.0  # the unstable candidate is never chosen


def test_selection_picks_the_rule_s_rate():
    data = sine_dataset(1, 64)
    table = select_learning_rates(
        data, ModelConfig("hat", 16, "fem_grid", (0, 1)), ["sgd"], {"sgd": [0.01, 0.3]}, 50, "cpu"
    )
    medians = table.groupby("learning_rate")["final_error"].median()
    assert table.loc[table["chosen"], "learning_rate"].unique().tolist() == [medians.idxmin()]


def test_on_tiny_settings_hat_learning_time_grows_slower_than_relu():
    """The headline claim on a grid small enough for a unit test."""
    rows = []
    frequencies = [1, 2, 4, 8]
    for activation in ("relu", "hat"):
        for k in frequencies:
            data = sine_dataset(k, 128)
            model = build_shallow_network(activation, 48, "fem_grid", seeds=(0, 1, 2))
            config = TrainingConfig("adam", 0.01, 2000, 10, stop_below=0.1)
            result = train(model, data["x"].to_numpy(), data["y"].to_numpy(), config, [k])
            history = result.history.assign(
                initialisation="fem_grid", activation=activation, optimizer="adam",
                frequency=k, seed=result.history["member"], status="completed",
            )  # fmt: skip
            rows.append(history)

    summary = summarise_runs(pd.concat(rows), 0.1)
    exponents = learning_time_exponents(summary, replicates=100).set_index("activation")
    assert np.isfinite(exponents.loc["relu", "exponent"])  # ReLU's censored runs still count
    assert exponents.loc["hat", "exponent"] < exponents.loc["relu", "exponent"] - 0.5
    assert exponents.loc["hat", "upper"] < exponents.loc["relu", "lower"]

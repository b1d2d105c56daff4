import numpy as np
import pandas as pd
import pytest

from hatlib.analysis import (
    censored_lower_bound,
    censored_slope,
    choose_learning_rate,
    combine_runs,
    compare_gd_steps,
    condition_numbers,
    decay_exponents,
    iterations_to_tolerance,
    learning_iterations,
    learning_time_exponents,
    spectral_bias_ratios,
    speedups,
    summarise_runs,
)


def _history(errors, step=10):
    return pd.DataFrame({"step": np.arange(len(errors)) * step, "relative_l2_error": errors})


def test_iterations_to_tolerance_first_crossing():
    assert iterations_to_tolerance(_history([1.0, 0.5, 0.05, 0.2, 0.01]), 0.1) == (20, False)


def test_iterations_to_tolerance_censored_at_last_step():
    assert iterations_to_tolerance(_history([1.0, 0.5, 0.3]), 0.1) == (20, True)


def test_learning_time_exponent_recovers_a_power_law():
    frequencies = np.array([1, 2, 4, 8, 16])
    rows = [
        {
            "activation": activation,
            "optimizer": "sgd",
            "frequency": k,
            "iterations_to_tolerance": int(100 * k**power),
            "censored": False,
        }
        for activation, power in [("relu", 2.0), ("hat", 0.0)]
        for k in frequencies
    ]
    exponents = learning_time_exponents(pd.DataFrame(rows), replicates=50)
    exponents = exponents.set_index("activation")
    assert exponents.loc["relu", "exponent"] == pytest.approx(2.0, abs=1e-3)
    assert exponents.loc["hat", "exponent"] == pytest.approx(0.0, abs=1e-3)
    assert exponents.loc["relu", "runs"] == 5


def _job(activation, optimizer, frequency, status):
    return {
        "model": {"activation": activation, "initialisation": "fem_grid"},
        "training": {"optimizer": optimizer},
        "frequency": frequency,
        "status": status,
    }


def test_combine_and_summarise_runs():
    hat = pd.concat([_history([1.0, 0.5]).assign(seed=0), _history([1.0, 0.05]).assign(seed=1)])
    relu = _history([1.0, float("nan")]).assign(seed=0)
    combined = combine_runs(
        [hat, relu],
        [
            _job("hat", "adam", 4, {"0": "completed", "1": "completed"}),
            _job("relu", "sgd", 1, {"0": "diverged"}),
        ],
    )
    columns = ["initialisation", "activation", "optimizer", "frequency", "seed", "status"]
    assert list(combined.columns[:6]) == columns
    summary = summarise_runs(combined, tolerance=0.1).set_index(["activation", "seed"])
    assert summary.loc[("hat", 1), "iterations_to_tolerance"] == 10
    assert not summary.loc[("hat", 1), "censored"]
    assert summary.loc[("hat", 0), "censored"]
    assert summary.loc[("relu", 0), "status"] == "diverged"
    assert summary.loc[("relu", 0), "censored"]


def test_combine_runs_rejects_seeds_missing_from_metadata():
    with pytest.raises(ValueError, match="do not match"):
        combine_runs([_history([1.0]).assign(seed=3)], [_job("hat", "sgd", 1, {"0": "completed"})])


def test_condition_numbers_and_decay_from_spectrum_tables():
    frequency = np.arange(0, 40, dtype=float)
    spectra = pd.DataFrame(
        {
            "basis": ["relu"] * 40 + ["hat"] * 40,
            "mesh_ratio": 1.0,
            "num_elements": 128,
            "frequency": np.concatenate([frequency, frequency]),
            "eigenvalue": np.concatenate([(frequency + 0.5) ** -4.0, 1 + 0 * frequency]),
        }
    )
    table = condition_numbers(spectra).set_index("basis")
    assert table.loc["hat", "condition_number"] == 1.0
    assert table.loc["relu", "condition_number"] == pytest.approx(0.5**-4 / 39.5**-4)
    decay = decay_exponents(spectra).set_index("basis")
    assert decay.loc["hat", "exponent"] == pytest.approx(0.0, abs=1e-12)
    assert -4.0 < decay.loc["relu", "exponent"] < -3.5  # (k + 1/2)^-4 fitted against k


def test_compare_gd_steps_excludes_censored_runs():
    predicted = pd.DataFrame(
        {
            "activation": ["relu"] * 2,
            "target": ["sine1", "sine2"],
            "kind": ["sine"] * 2,
            "index": [1, 2],
            "predicted_steps": [100.0, 5e6],
        }
    )
    measured = pd.DataFrame(
        {
            "activation": ["relu"] * 2,
            "target": ["sine2", "sine1"],
            "measured_steps": [1000, 103],
            "censored": [True, False],
        }
    )
    table = compare_gd_steps(predicted, measured).set_index("target")
    assert table.loc["sine1", "relative_difference"] == pytest.approx(0.03)
    assert np.isnan(table.loc["sine2", "relative_difference"])


def _noisy_power_law(slope, cap, seeds=5, seed=0):
    """Runs whose log iterations follow ``slope`` with noise, censored at ``cap``."""
    rng = np.random.default_rng(seed)
    frequencies = np.repeat([1, 2, 4, 8, 16, 32], seeds)
    log_iterations = np.log(50) + slope * np.log(frequencies) + rng.normal(0, 0.2, len(frequencies))
    iterations = np.exp(log_iterations)
    return pd.DataFrame(
        {
            "activation": "relu",
            "optimizer": "sgd",
            "frequency": frequencies,
            "seed": np.tile(np.arange(seeds), 6),
            "iterations_to_tolerance": np.minimum(iterations, cap),
            "censored": iterations >= cap,
        }
    )


def test_censored_exponent_recovers_the_slope_that_a_naive_fit_understates():
    runs = _noisy_power_law(2.0, cap=10_000)
    assert runs["censored"].sum() >= 5  # the k = 32 runs reach the cap
    row = learning_time_exponents(runs, replicates=200).iloc[0]
    naive = np.polyfit(np.log(runs["frequency"]), np.log(runs["iterations_to_tolerance"]), 1)[0]
    assert naive < 1.85  # capped runs counted as measurements flatten the fit
    assert row["exponent"] == pytest.approx(2.0, abs=0.1)
    assert row["lower"] < row["exponent"] < row["upper"]
    assert row["lower"] < 2.0 < row["upper"]
    assert row["censored_runs"] == runs["censored"].sum()
    assert row["runs"] == len(runs)  # censored runs are counted, not dropped


def test_censored_slope_needs_two_uncensored_frequencies():
    x = np.log([1.0, 2.0, 4.0])
    assert np.isnan(censored_slope(x, np.log([10.0, 100.0, 100.0]), np.array([0, 1, 1], bool)))
    assert np.isfinite(censored_slope(x, np.log([10.0, 40.0, 100.0]), np.array([0, 0, 1], bool)))


def test_bootstrap_interval_narrows_with_more_seeds():
    few = learning_time_exponents(_noisy_power_law(1.0, 1e9, seeds=3), replicates=200).iloc[0]
    many = learning_time_exponents(_noisy_power_law(1.0, 1e9, seeds=30), replicates=200).iloc[0]
    assert many["upper"] - many["lower"] < few["upper"] - few["lower"]


def test_speedups_mark_censored_medians_as_bounds():
    rows = []
    for k, relu, relu_cut in [(1, 400, False), (8, 1000, True)]:
        for seed in range(3):
            rows.append(("relu", k, seed, relu, relu_cut))
            rows.append(("hat", k, seed, 100, False))
    summary = pd.DataFrame(
        rows, columns=["activation", "frequency", "seed", "iterations_to_tolerance", "censored"]
    ).assign(optimizer="adam")
    table = speedups(summary).set_index("frequency")
    assert table.loc[1, "speedup"] == pytest.approx(4.0)
    assert table.loc[1, "bound"] == "exact"
    assert table.loc[8, "bound"] == "lower"


def test_choose_learning_rate_skips_diverged_candidates():
    search = pd.DataFrame(
        {
            "learning_rate": [0.1, 0.1, 1.0, 1.0, 0.01, 0.01],
            "seed": [0, 1, 0, 1, 0, 1],
            "final_error": [0.2, 0.3, 0.01, 0.01, 0.5, 0.6],
            "status": ["completed", "completed", "completed", "diverged", "completed", "completed"],
        }
    )
    assert choose_learning_rate(search) == 0.1  # 1.0 is better but one seed diverged
    assert choose_learning_rate(search.assign(status="diverged")) == 0.01


def test_spectral_bias_ratio_from_learning_iterations():
    rows = []
    for activation, high in [("relu", 800), ("hat", 100)]:
        for seed in range(3):
            for frequency, step_below in [(1, 100), (8, high)]:
                for step in range(0, 1001, 100):
                    error = 0.01 if step >= step_below else 1.0
                    rows.append((activation, seed, frequency, step, error))
    spectrum = pd.DataFrame(
        rows, columns=["activation", "seed", "frequency", "step", "relative_error"]
    )
    learned = learning_iterations(spectrum, 0.1, ["activation", "seed", "frequency"])
    assert learned["censored"].sum() == 0
    ratios = spectral_bias_ratios(learned, ["activation"]).set_index("activation")
    assert ratios.loc["relu", "ratio"] == pytest.approx(8.0)
    assert ratios.loc["hat", "ratio"] == pytest.approx(1.0)
    censored = learning_iterations(spectrum.assign(relative_error=1.0), 0.1, ["activation"])
    assert censored["censored"].all()


def test_lower_bound_when_only_one_frequency_is_measured():
    x = np.log([1.0, 1.0, 2.0, 2.0, 4.0, 4.0])
    y = np.log([100.0, 200.0, 20000.0, 20000.0, 20000.0, 20000.0])
    cut = np.array([False, False, True, True, True, True])
    assert np.isnan(censored_slope(x, y, cut))
    bound = censored_lower_bound(x, y, cut)
    assert bound == pytest.approx(np.log(100) / np.log(2))  # from 200 at k = 1 to 20000 at k = 2
    runs = pd.DataFrame(
        {
            "activation": "relu",
            "optimizer": "sgd",
            "frequency": [1, 1, 2, 2, 4, 4],
            "seed": [0, 1] * 3,
            "iterations_to_tolerance": np.exp(y).round(),
            "censored": cut,
        }
    )
    row = learning_time_exponents(runs, replicates=20).iloc[0]
    assert np.isnan(row["exponent"]) and np.isnan(row["upper"])
    assert row["lower"] == pytest.approx(bound)
    assert np.isnan(censored_lower_bound(x, y, np.ones(6, bool)))  # nothing measured


def _search(rates, chosen, **keys):
    return pd.DataFrame(
        {
            **keys,
            "learning_rate": rates,
            "seed": 0,
            "final_error": 0.5,
            "status": "completed",
            "chosen": [rate == chosen for rate in rates],
        }
    )


def test_selection_edges_finds_choices_at_either_end_of_the_grid():
    from hatlib.analysis import selection_edges

    search = pd.concat(
        [
            _search([0.01, 0.1, 1.0], 1.0, activation="hat", optimizer="adam"),
            _search([0.01, 0.1, 1.0], 0.1, activation="hat", optimizer="sgd"),
            _search([0.01, 0.1, 1.0], 0.01, activation="relu", optimizer="sgd"),
            _search([0.3], 0.3, activation="relu", optimizer="adam"),
        ]
    )
    edges = selection_edges(search).set_index(["activation", "optimizer"])
    assert edges.loc[("hat", "adam"), "position"] == "largest"
    assert edges.loc[("hat", "sgd"), "position"] == "inside"
    assert edges.loc[("relu", "sgd"), "position"] == "smallest"
    assert edges.loc[("relu", "adam"), "position"] == "inside"  # one candidate: no ends
    assert edges.loc[("hat", "adam"), "candidates"] == 3
    # the other layout of the search tables: the chosen rate on every row
    other = search.drop(columns="chosen").assign(chosen_rate=0.01)
    other = other[other["activation"] == "relu"]
    assert list(selection_edges(other)["position"]) == ["inside", "smallest"]


def test_selection_edges_needs_one_chosen_rate_per_selection():
    from hatlib.analysis import selection_edges

    search = _search([0.01, 0.1], 0.5, activation="hat", optimizer="adam")
    with pytest.raises(ValueError, match="0 chosen rates"):
        selection_edges(search)
    with pytest.raises(ValueError, match="'chosen' or a 'chosen_rate'"):
        selection_edges(search.drop(columns="chosen"))

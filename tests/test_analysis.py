import numpy as np
import pandas as pd
import pytest

from hatlib.analysis import (
    RUN_KEYS,
    alternatives_ratios,
    choose_learning_rate,
    combine_runs,
    compare_gd_steps,
    condition_numbers,
    decay_exponents,
    iterations_to_tolerance,
    learning_iterations,
    learning_time_exponents,
    paired_ratios,
    spectral_bias_ratios,
    speedups,
    summarise_runs,
    time_to_all,
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
            "seed": 0,
            "lower": float(100 * k**power),  # exact times: lower == upper
            "upper": float(100 * k**power),
        }
        for activation, power in [("relu", 2.0), ("hat", 0.0)]
        for k in frequencies
    ]
    exponents = learning_time_exponents(pd.DataFrame(rows), replicates=100)
    exponents = exponents.set_index("activation")
    assert exponents.loc["relu", "exponent"] == pytest.approx(2.0, abs=1e-3)
    assert exponents.loc["hat", "exponent"] == pytest.approx(0.0, abs=1e-3)
    assert exponents.loc["relu", "runs"] == 5
    assert (exponents["bound"] == "exact").all()
    assert (exponents[["censored_runs", "diverged_runs", "unbounded_replicates"]] == 0).all().all()


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
    # learned between the records at steps 0 and 10
    assert summary.loc[("hat", 1), ["lower", "upper"]].tolist() == [1.0, 10.0]
    assert summary.loc[("hat", 0), "censored"]
    assert summary.loc[("hat", 0), ["lower", "upper"]].tolist() == [11.0, np.inf]
    assert not summary.loc[("hat", 0), "diverged"]
    assert summary.loc[("relu", 0), "status"] == "diverged"
    assert summary.loc[("relu", 0), "censored"]
    assert summary.loc[("relu", 0), "diverged"]
    # the engine's exact first steps replace the records' bounds (-1: never)
    crossings = combined.drop_duplicates(RUN_KEYS)[RUN_KEYS].assign(
        tolerance=0.1, first_step=[7, 3, -1]
    )
    exact = summarise_runs(combined, 0.1, crossings).set_index(["activation", "seed"])
    assert exact.loc[("hat", 0), ["lower", "upper"]].tolist() == [7.0, 7.0]
    assert exact.loc[("hat", 1), ["lower", "upper"]].tolist() == [3.0, 3.0]
    assert exact.loc[("relu", 0), ["lower", "upper"]].tolist() == [11.0, np.inf]
    assert not exact.loc[("hat", 0), "censored"] and exact.loc[("relu", 0), "diverged"]


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
            "lower": np.where(iterations > cap, cap + 1, iterations),  # censored: cap + 1
            "upper": np.where(iterations > cap, np.inf, iterations),
            "iterations_to_tolerance": np.minimum(iterations, cap),
            "censored": iterations > cap,
        }
    )


def test_censored_exponent_recovers_the_slope_that_a_naive_fit_understates():
    runs = _noisy_power_law(2.0, cap=10_000)
    assert runs["censored"].sum() >= 5  # the k = 32 runs reach the cap
    row = learning_time_exponents(runs, replicates=100).iloc[0]
    naive = np.polyfit(np.log(runs["frequency"]), np.log(runs["iterations_to_tolerance"]), 1)[0]
    assert naive < 1.85  # capped runs counted as measurements flatten the fit
    assert row["exponent"] == pytest.approx(2.0, abs=0.1)
    assert row["lower"] < row["exponent"] < row["upper"]
    assert row["lower"] < 2.0 < row["upper"]
    assert row["censored_runs"] == runs["censored"].sum()
    assert row["runs"] == len(runs)  # censored runs are counted, not dropped
    assert row["bound"] == "exact"


def _runs(frequencies, lower, upper):
    return pd.DataFrame(
        {
            "activation": "relu",
            "optimizer": "sgd",
            "frequency": frequencies,
            "seed": np.arange(len(frequencies)) % 2,
            "lower": np.asarray(lower, dtype=float),
            "upper": np.asarray(upper, dtype=float),
        }
    )


def test_censored_exponent_needs_two_measured_frequencies():
    k, inf = [1, 2, 4], np.inf
    one = learning_time_exponents(_runs(k, [10, 101, 101], [10, inf, inf]), replicates=100)
    assert np.isnan(one.iloc[0]["exponent"]) and one.iloc[0]["bound"] == "lower"
    two = learning_time_exponents(_runs(k, [10, 40, 101], [10, 40, inf]), replicates=100)
    assert two.iloc[0]["exponent"] == pytest.approx(2.0, abs=1e-3)  # through 10 and 40
    assert two.iloc[0]["bound"] == "exact" and two.iloc[0]["censored_runs"] == 1


def test_bootstrap_interval_narrows_with_more_seeds():
    few = learning_time_exponents(_noisy_power_law(1.0, 1e9, seeds=3), replicates=100).iloc[0]
    many = learning_time_exponents(_noisy_power_law(1.0, 1e9, seeds=30), replicates=100).iloc[0]
    assert many["upper"] - many["lower"] < few["upper"] - few["lower"]


def test_speedups_mark_censored_medians_as_bounds():
    rows = []
    for k, relu, relu_cut in [(1, 400, False), (8, 1000, True)]:
        for seed in range(3):
            # censored at the cap of 1000 steps: lower = cap + 1, upper = inf
            rows.append(("relu", k, seed, relu + relu_cut, np.inf if relu_cut else relu))
            rows.append(("hat", k, seed, 100, 100))
    summary = pd.DataFrame(
        rows, columns=["activation", "frequency", "seed", "lower", "upper"]
    ).assign(optimizer="adam")
    table = speedups(summary, replicates=100).set_index("frequency")
    assert table.loc[1, "speedup"] == pytest.approx(4.0)
    assert table.loc[1, "bound"] == "exact"
    assert table.loc[1, ["lower", "upper"]].tolist() == pytest.approx([4.0, 4.0])
    assert table.loc[8, "bound"] == "lower"
    assert table.loc[8, "speedup"] == pytest.approx(10.01)  # at least 1001 / 100
    assert table.loc[8, "upper"] == np.inf
    # frequency 0: the geometric mean over frequencies, a lower bound too
    assert table.loc[0, "bound"] == "lower"
    assert table.loc[0, "speedup"] == pytest.approx(np.sqrt(4.0 * 10.01))


def test_speedup_bounds_carry_the_record_intervals_and_leave_out_diverged_runs():
    rows = []
    for seed in range(4):
        rows.append(("relu", seed, 301.0, 400.0, False))  # between records 300 and 400
        rows.append(("hat", seed, 91.0, 100.0, False))
    for seed in range(4, 8):  # diverged: they would halve the hat median
        rows.append(("hat", seed, 5.0, 5.0, True))
    summary = pd.DataFrame(rows, columns=["activation", "seed", "lower", "upper", "diverged"])
    table = speedups(summary.assign(optimizer="sgd", frequency=4), replicates=100)
    row = table.set_index("frequency").loc[4]
    assert row["bound"] == "exact"
    assert row["lower"] == pytest.approx(3.01)  # 301 / 100
    assert row["upper"] == pytest.approx(400 / 91)
    assert row["lower"] <= row["speedup"] <= row["upper"]
    assert row["slow_iterations"] == 400 and row["fast_iterations"] == 100


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
    relu_high = learned[(learned["activation"] == "relu") & (learned["frequency"] == 8)]
    assert (relu_high["lower"] == 701).all() and (relu_high["upper"] == 800).all()
    low = learned[learned["frequency"] == 1]
    assert (low["lower"] == 1).all() and (low["upper"] == 100).all()  # before the first record
    ratios = spectral_bias_ratios(learned, ["activation"]).set_index("activation")
    assert ratios.loc["relu", "ratio"] == pytest.approx(8.0)
    assert ratios.loc["hat", "ratio"] == pytest.approx(1.0)
    # paired within runs, with the records' resolution: 701 / 100 to 800 / 1
    paired = paired_ratios(learned, ["activation"], replicates=100).set_index("activation")
    assert paired.loc["relu", ["lower", "upper"]].tolist() == pytest.approx([7.01, 800.0])
    assert paired.loc["relu", "ratio"] == pytest.approx(np.sqrt(7.01 * 800.0))
    assert paired.loc["hat", "lower"] < 1.0 < paired.loc["hat", "upper"]
    assert (paired["bound"] == "exact").all() and (paired["seeds"] == 3).all()
    censored = learning_iterations(spectrum.assign(relative_error=1.0), 0.1, ["activation"])
    assert censored["censored"].all()
    assert (censored["lower"] == 1001).all() and np.isinf(censored["upper"]).all()
    assert (censored["iterations"] == 1000).all()


def test_learning_iterations_of_a_magnitude_reaching_a_threshold():
    spectrum = pd.DataFrame({"run": 0, "step": [0, 10, 20, 30], "magnitude": [0.0, 0.2, 0.6, 0.9]})
    reached = learning_iterations(spectrum, 0.5, ["run"], value="magnitude", below=False)
    assert reached.iloc[0][["lower", "upper", "iterations"]].tolist() == [11.0, 20.0, 20]
    assert not reached.iloc[0]["censored"]
    never = learning_iterations(spectrum, 0.95, ["run"], value="magnitude", below=False)
    assert never.iloc[0]["censored"] and never.iloc[0]["upper"] == np.inf


def _learned(setting, activation, times, seeds=3):
    """Learning-time bounds of two frequencies per seed; the second is learned at ``times``."""
    return pd.DataFrame(
        [
            (setting, activation, "adam", seed, frequency, lower, upper)
            for seed in range(seeds)
            for frequency, (lower, upper) in [(1, (1.0, 10.0)), (2, times)]
        ],
        columns=["setting", "activation", "optimizer", "seed", "frequency", "lower", "upper"],
    )


def test_time_to_all_and_alternatives_ratios():
    learned = pd.concat(
        [
            _learned("1d-shallow", "hat", (100.0, 100.0)),
            _learned("1d-fourier", "relu", (400.0, 400.0)),
            _learned("1d-siren", "sine", (50.0, 50.0)),  # faster, but never fits
        ],
        ignore_index=True,
    )
    runs = time_to_all(learned, ["setting", "activation", "optimizer"])
    assert len(runs) == 9
    hat = runs[runs["setting"] == "1d-shallow"]
    assert (hat["lower"] == 100).all() and (hat["upper"] == 100).all()  # the latest component
    comparison = pd.DataFrame(
        {
            "setting": ["1d-shallow", "1d-fourier", "1d-siren"],
            "activation": ["hat", "relu", "sine"],
            "optimizer": "adam",
            "final_error": [0.001, 0.002, 0.5],
            "iterations": [100.0, 400.0, 50.0],
        }
    )
    table = alternatives_ratios(learned, comparison, tolerance=0.01, replicates=100)
    assert len(table) == 1  # no 2d methods
    row = table.iloc[0]
    assert (row["dimension"], row["hat"], row["alternative"]) == ("1d", "1d-shallow", "1d-fourier")
    assert row["ratio"] == pytest.approx(0.25)
    assert row["lower"] == pytest.approx(0.25) and row["upper"] == pytest.approx(0.25)
    assert row["bound"] == "exact"


def test_lower_bound_when_only_one_frequency_is_measured():
    k, inf = [1, 1, 2, 2, 4, 4], np.inf
    lower = [100, 200, 20001, 20001, 20001, 20001]  # censored at the cap of 20000
    upper = [100, 200, inf, inf, inf, inf]
    row = learning_time_exponents(_runs(k, lower, upper), replicates=100).iloc[0]
    assert np.isnan(row["exponent"]) and row["upper"] == inf
    assert row["bound"] == "lower"
    # from the slowest measured run (200 at k = 1) to the cap at k = 2
    assert row["lower"] == pytest.approx(np.log(20001 / 200) / np.log(2))
    assert row["censored_runs"] == 4 and row["runs"] == 6
    nothing = learning_time_exponents(_runs(k, [20001] * 6, [inf] * 6), replicates=100).iloc[0]
    assert np.isnan(nothing["exponent"]) and np.isnan(nothing["lower"])  # nothing measured
    assert nothing["bound"] == "lower"


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


def test_exponents_in_several_processes_equal_one_process_bit_for_bit():
    """Each group's bootstrap in its own process: the same table, in the same order."""
    groups = []
    for index, (activation, slope, cap) in enumerate(
        [("relu", 2.0, 10_000), ("hat", 0.1, 1e9), ("tanh", 1.0, 300), ("bspline2", 0.5, 1e9)]
    ):
        runs = _noisy_power_law(slope, cap, seeds=4, seed=index)
        groups.append(runs.assign(activation=activation))
    runs = pd.concat(groups, ignore_index=True)
    serial = learning_time_exponents(runs, replicates=60, seed=3)
    parallel = learning_time_exponents(runs, replicates=60, seed=3, workers=3)
    assert list(serial["activation"]) == ["bspline2", "hat", "relu", "tanh"]
    assert parallel.equals(serial)
    # a different bootstrap seed moves the intervals: the comparison above can fail
    other = learning_time_exponents(runs, replicates=60, seed=4, workers=3)
    assert not other[["lower", "upper"]].equals(serial[["lower", "upper"]])


def test_map_in_processes_keeps_order_and_refuses_no_workers():
    from hatlib.runtime import map_in_processes

    assert map_in_processes(pow, [(2, 3), (3, 2), (5, 1)], workers=2) == [8, 9, 5]
    with pytest.raises(ValueError, match="workers must be at least 1, got 0"):
        map_in_processes(pow, [(2, 3)], workers=0)


def test_map_in_processes_runs_in_this_process_where_nothing_forks(monkeypatch):
    import multiprocessing
    import os

    from hatlib.runtime import map_in_processes

    here = os.getpid()
    forked = map_in_processes(os.getpid, [(), (), ()], workers=2)
    assert len(forked) == 3 and here not in forked
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    assert map_in_processes(os.getpid, [(), (), ()], workers=2) == [here] * 3

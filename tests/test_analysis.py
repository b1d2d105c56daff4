import numpy as np
import pandas as pd
import pytest

from hatlib.analysis import (
    combine_runs,
    compare_gd_steps,
    condition_numbers,
    decay_exponents,
    iterations_to_tolerance,
    learning_time_exponents,
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
    exponents = learning_time_exponents(pd.DataFrame(rows)).set_index("activation")
    assert exponents.loc["relu", "exponent"] == pytest.approx(2.0, abs=1e-6)
    assert exponents.loc["hat", "exponent"] == pytest.approx(0.0, abs=1e-6)
    assert exponents.loc["relu", "runs"] == 5


def _job(activation, optimizer, frequency, status):
    return {
        "model": {"activation": activation},
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
    assert list(combined.columns[:5]) == ["activation", "optimizer", "frequency", "seed", "status"]
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


def test_learning_time_exponent_with_censoring():
    rows = [
        {"activation": a, "optimizer": "sgd", "frequency": k, "iterations_to_tolerance": it,
         "censored": c}
        for a, k, it, c in [
            ("relu", 1, 100, False), ("relu", 4, 1000, True),
            ("tanh", 1, 1000, True), ("tanh", 4, 1000, True),
        ]
    ]  # fmt: skip
    exponents = learning_time_exponents(pd.DataFrame(rows)).set_index("activation")
    assert exponents.loc["relu", "lower_bound"]
    assert exponents.loc["relu", "exponent"] == pytest.approx(np.log(10) / np.log(4))
    assert np.isnan(exponents.loc["tanh", "exponent"])

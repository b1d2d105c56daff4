"""The consistency checks of the implementation: pass/fail on synthetic theory tables."""

import math

import numpy as np
import pandas as pd
import pytest

import hatlib.fem
from hatlib.checks import (
    CHECK_COLUMNS,
    DECAY_TOLERANCE,
    QUADRATURE_AGREEMENT,
    consistency_checks,
    relu_gram_quadrature_error,
)

WIDTHS = np.array([16, 32, 64, 128])


def test_the_closed_form_relu_gram_matches_quadrature():
    assert relu_gram_quadrature_error() < 1e-12
    assert relu_gram_quadrature_error(5) < 1e-12


def test_the_quadrature_check_catches_a_wrong_closed_form(monkeypatch):
    true_gram = hatlib.fem.relu_gram
    monkeypatch.setattr(hatlib.fem, "relu_gram", lambda nodes: 1.01 * true_gram(nodes))
    error = relu_gram_quadrature_error()
    # relative to the (wrong) closed form's largest entry: 0.01 / 1.01
    assert error == pytest.approx(0.01, rel=0.02)
    assert error > QUADRATURE_AGREEMENT
    checks = consistency_checks(*_theory()).set_index("check")
    assert not checks.loc["fem-relu-gram-quadrature", "passed"]


def _theory(decay=-4.0, condition=3.99, steps=(0.01, 0.05, math.nan)):
    decay_table = pd.DataFrame(
        {
            "basis": ["relu", "relu", "hat"],
            "num_elements": [64, 512, 512],
            # only ReLU on the largest grid counts
            "exponent": [-2.0, decay, 0.0],
        }
    )
    condition_table = pd.DataFrame(
        {
            "basis": ["hat", "hat", "hat", "relu"],
            "mesh_ratio": [1, 1, 4, 1],
            # graded grids and ReLU are no part of the bound
            "condition_number": [3.5, condition, 50.0, 1e8],
        }
    )
    gd_steps = pd.DataFrame({"relative_difference": list(steps)})
    return decay_table, condition_table, gd_steps


def _conditioning(hat_power=2.0, relu_power=4.0):
    return pd.DataFrame(
        {
            "activation": ["hat"] * len(WIDTHS) + ["relu"] * len(WIDTHS),
            "width": [*WIDTHS, *WIDTHS],
            "condition_number": [*(3.0 * WIDTHS**hat_power), *(0.5 * WIDTHS**relu_power)],
        }
    )


def _passed(checks: pd.DataFrame) -> dict[str, bool]:
    return checks.set_index("check")["passed"].to_dict()


def test_checks_pass_on_consistent_tables():
    checks = consistency_checks(*_theory())
    assert list(checks.columns) == CHECK_COLUMNS
    assert "verdict" not in checks.columns  # checks are pass/fail, not claims
    assert checks["passed"].dtype == bool
    assert _passed(checks) == {
        "theory-relu-decay": True,
        "theory-hat-condition": True,
        "theory-gd-steps": True,
        "fem-relu-gram-quadrature": True,
    }
    values = checks.set_index("check")["value"]
    assert values["theory-relu-decay"] == pytest.approx(0.0)
    assert values["theory-hat-condition"] == pytest.approx(3.99)
    assert values["theory-gd-steps"] == pytest.approx(0.05)


@pytest.mark.parametrize(("condition", "passed"), [(3.99, True), (4.0, True), (4.5, False)])
def test_the_mass_matrix_condition_bound(condition, passed):
    assert _passed(consistency_checks(*_theory(condition=condition)))["theory-hat-condition"] is (
        passed
    )


@pytest.mark.parametrize(
    ("exponent", "passed"),
    [(-4.0, True), (-4.15, True), (-3.85, True), (-3.5, False), (-4.5, False)],
)
def test_the_relu_decay_exponent(exponent, passed):
    checks = consistency_checks(*_theory(decay=exponent)).set_index("check")
    assert checks.loc["theory-relu-decay", "passed"] == passed
    assert checks.loc["theory-relu-decay", "value"] == pytest.approx(abs(exponent + 4))
    assert checks.loc["theory-relu-decay", "threshold"] == f"<= {DECAY_TOLERANCE}"


def test_censored_gd_runs_are_left_out_and_counted():
    checks = consistency_checks(*_theory(steps=(0.01, math.nan, 0.05, math.nan))).set_index("check")
    row = checks.loc["theory-gd-steps"]
    assert row["passed"] and row["value"] == pytest.approx(0.05)
    assert "2 runs censored" in row["statistic"]
    failing = consistency_checks(*_theory(steps=(0.5, math.nan))).set_index("check")
    assert not failing.loc["theory-gd-steps", "passed"]
    assert "1 runs censored" in failing.loc["theory-gd-steps", "statistic"]


def test_missing_data_fail_the_check():
    decay, condition, steps = _theory(steps=(math.nan, math.nan))
    checks = consistency_checks(decay[decay["basis"] == "hat"], condition, steps)
    passed = _passed(checks)
    assert not passed["theory-relu-decay"] and not passed["theory-gd-steps"]
    assert checks.set_index("check")["value"][["theory-relu-decay", "theory-gd-steps"]].isna().all()


def test_the_stiffness_checks():
    checks = consistency_checks(*_theory(), _conditioning(hat_power=2.0)).set_index("check")
    assert checks.loc["pde-hat-stiffness", "passed"]
    assert checks.loc["pde-hat-stiffness", "value"] == pytest.approx(0.0, abs=1e-9)
    assert checks.loc["pde-hat-better-conditioned", "passed"]
    # smallest ReLU/Hat ratio: at the smallest width, 0.5 * 16^4 / (3 * 16^2)
    assert checks.loc["pde-hat-better-conditioned", "value"] == pytest.approx(0.5 * 16**2 / 3)
    steep = consistency_checks(*_theory(), _conditioning(hat_power=3.0)).set_index("check")
    assert not steep.loc["pde-hat-stiffness", "passed"]
    assert steep.loc["pde-hat-stiffness", "value"] == pytest.approx(1.0)
    assert "verdict" not in steep.columns


def test_the_better_conditioning_check_can_fail():
    checks = consistency_checks(*_theory(), _conditioning(hat_power=2.0, relu_power=1.0))
    assert not _passed(checks)["pde-hat-better-conditioned"]


def test_the_stiffness_checks_need_their_rows():
    assert len(consistency_checks(*_theory())) == 4
    assert len(consistency_checks(*_theory(), _conditioning().iloc[:0])) == 4
    hat_only = _conditioning().query("activation == 'hat'")
    assert set(_passed(consistency_checks(*_theory(), hat_only))) == {
        "theory-relu-decay",
        "theory-hat-condition",
        "theory-gd-steps",
        "fem-relu-gram-quadrature",
        "pde-hat-stiffness",
    }


@pytest.mark.parametrize(("worst", "passes"), [(0.05, True), (0.12, False)])
def test_the_two_d_first_layer_check_compares_the_worst_fit_with_the_tolerance(worst, passes):
    first_layer = pd.DataFrame(
        {
            "activation": ["relu", "hat", "hat"],
            "frequency": ["(1, 0)", "(1, 0)", "(4, 1)"],
            "best_fit_error": [0.01, 0.02, worst],
        }
    )
    checks = consistency_checks(*_theory(), None, first_layer, 0.1).set_index("check")
    row = checks.loc["two-d-first-layer-fits"]
    assert row["value"] == worst and bool(row["passed"]) is passes
    assert "hat, component (4, 1)" in row["statistic"]
    assert "two-d-first-layer-fits" not in set(consistency_checks(*_theory())["check"])

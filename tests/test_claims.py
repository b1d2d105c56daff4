import numpy as np
import pandas as pd
import pytest

from hatlib.claims import (
    accuracy_claim,
    alternative_claims,
    claims_table,
    classic_claims,
    exponent_claims,
    pde_claims,
    ratio_claims,
    speedup_claims,
    theory_claims,
)


def _exponents(relu_lower, hat_upper, default_lower):
    rows = [
        ("fem_grid", "relu", relu_lower - 0.2, relu_lower, relu_lower + 0.4),
        ("fem_grid", "hat", hat_upper - 0.2, hat_upper - 0.4, hat_upper),
        ("torch_default", "hat", default_lower + 0.2, default_lower, default_lower + 0.4),
    ]
    return pd.DataFrame(
        [
            {"initialisation": i, "activation": a, "optimizer": "sgd", "exponent": e}
            | {"lower": lo, "upper": up}
            for i, a, e, lo, up in rows
        ]
    )


def _verdicts(verdicts):
    return claims_table(verdicts).set_index("claim")["verdict"].to_dict()


def test_exponent_claims_hold_for_a_biased_relu_and_a_flat_hat():
    verdicts = _verdicts(exponent_claims(_exponents(1.5, 0.2, 1.0), "fem_grid", "torch_default"))
    assert verdicts == {
        "relu-bias-sgd": "holds",
        "hat-flat-sgd": "holds",
        "hat-default-init-sgd": "holds",
    }


def test_exponent_claims_fail_when_the_data_disagree():
    verdicts = _verdicts(exponent_claims(_exponents(0.1, 1.2, 0.5), "fem_grid", "torch_default"))
    assert verdicts == {
        "relu-bias-sgd": "does not hold",
        "hat-flat-sgd": "does not hold",
        "hat-default-init-sgd": "does not hold",
    }


def test_missing_statistic_is_undetermined_not_a_verdict():
    exponents = _exponents(1.5, 0.2, 1.0)
    exponents.loc[exponents["activation"] == "relu", "lower"] = np.nan
    assert _verdicts(exponent_claims(exponents, "fem_grid", None))["relu-bias-sgd"] == (
        "undetermined"
    )


@pytest.mark.parametrize(("hat", "expected"), [(10, "holds"), (800, "does not hold")])
def test_speedup_claim_both_branches(hat, expected):
    speedups = pd.DataFrame(
        {
            "optimizer": "adam",
            "frequency": [1, 2, 4],
            "speedup": [1000 / hat] * 3,
            "bound": ["exact", "exact", "lower"],
        }
    )
    assert _verdicts(speedup_claims(speedups)) == {"hat-faster-adam": expected}


@pytest.mark.parametrize(("ratio", "bound", "expected"), [
    (1.2, "exact", "holds"), (5.0, "exact", "does not hold"), (np.nan, "none", "undetermined"),
])  # fmt: skip
def test_ratio_claims_both_branches(ratio, bound, expected):
    ratios = pd.DataFrame(
        {
            "setting": "1d-shallow",
            "activation": ["hat", "hat", "relu"],
            "optimizer": ["sgd", "adam", "sgd"],
            "ratio": [1.0, ratio, 50.0],
            "bound": ["exact", bound, "lower"],
        }
    )
    verdicts = _verdicts(ratio_claims(ratios, {"1d-shallow": "1-D"}))
    assert verdicts == {"hat-flat-1d-shallow": expected}


def test_theory_and_accuracy_claims_both_branches():
    decay = pd.DataFrame({"basis": ["relu"], "num_elements": [512], "exponent": [-4.01]})
    condition = pd.DataFrame(
        {"basis": ["hat", "hat"], "mesh_ratio": [1, 1], "condition_number": [3.98, 3.9999]}
    )
    steps = pd.DataFrame({"relative_difference": [0.0, 0.05, np.nan]})
    verdicts = _verdicts(theory_claims(decay, condition, steps))
    assert set(verdicts.values()) == {"holds"}
    verdicts = _verdicts(
        theory_claims(
            decay.assign(exponent=-2.0),
            condition.assign(condition_number=[3.0, 40.0]),
            steps.assign(relative_difference=[0.5, 0.0, np.nan]),
        )
    )
    assert set(verdicts.values()) == {"does not hold"}
    accuracy = pd.DataFrame(
        {"activation": ["hat", "hat", "relu", "relu"], "test_accuracy": [0.9, 0.95, 0.9, 0.9]}
    )
    assert _verdicts(accuracy_claim(accuracy)) == {"hat-accuracy-digits": "holds"}
    worse = accuracy.assign(test_accuracy=[0.8, 0.8, 0.9, 0.9])
    assert _verdicts(accuracy_claim(worse)) == {"hat-accuracy-digits": "does not hold"}


def test_bspline_exponents_give_their_own_verdicts():
    table = pd.concat(
        [
            _exponents(1.5, 0.2, 1.0),
            pd.DataFrame(
                [
                    {"initialisation": "fem_grid", "activation": "bspline2", "optimizer": "sgd"}
                    | {"exponent": 0.1, "lower": 0.0, "upper": 0.2},
                    {"initialisation": "fem_grid", "activation": "bspline3", "optimizer": "sgd"}
                    | {"exponent": 1.0, "lower": 0.8, "upper": 1.2},
                ]
            ),
        ]
    )
    verdicts = _verdicts(exponent_claims(table, "fem_grid", None))
    assert verdicts["bspline2-flat-sgd"] == "holds"
    assert verdicts["bspline3-flat-sgd"] == "does not hold"


def _comparison(hat, fourier, siren, siren_error=0.01):
    rows = [("1d-shallow", "hat", hat, 0.01), ("1d-deep", "hat", 10 * hat, 0.01)]
    rows += [("1d-fourier", "relu", fourier, 0.01), ("1d-siren", "sine", siren, siren_error)]
    rows += [("1d-shallow", "relu", 1.0, 0.01)]
    return pd.DataFrame(
        [
            {"setting": s, "activation": a, "optimizer": "adam", "iterations": i}
            | {"final_error": e, "censored": False}
            for s, a, i, e in rows
        ]
    )


@pytest.mark.parametrize(("hat", "verdict"), [(100, "holds"), (400, "does not hold")])
def test_hat_against_the_alternatives(hat, verdict):
    # the ReLU row (1 iteration) is no alternative: only Fourier features and SIREN count
    claims = alternative_claims(_comparison(hat, fourier=300, siren=200), 0.1)
    assert _verdicts(claims) == {"hat-vs-alternatives-1d": verdict}
    assert claims[0].value == pytest.approx(hat / 200)


def test_an_alternative_that_loses_its_fit_does_not_count():
    # SIREN learns every frequency first but ends at a relative error of 1
    claims = alternative_claims(_comparison(250, fourier=300, siren=50, siren_error=1.0), 0.1)
    assert claims[0].value == pytest.approx(250 / 300) and claims[0].holds


def test_classic_claims_at_the_chosen_threshold():
    rows = [
        ("equal", "relu", "torch_default", 0.9, 12.0, "lower"),
        ("equal", "hat", "fem_deep", 0.9, 1.0, "exact"),
        ("equal", "relu", "torch_default", 0.5, 1.5, "exact"),
        ("steep", "relu", "torch_default", 0.9, 1.2, "exact"),
        ("steep", "hat", "fem_deep", 0.9, float("nan"), "none"),
    ]
    ratios = pd.DataFrame(
        rows, columns=["case", "activation", "initialisation", "threshold", "ratio", "bound"]
    )
    assert _verdicts(classic_claims(ratios, 0.9)) == {
        "classic-relu-bias-equal": "holds",
        "classic-hat-flat-equal": "holds",
        "classic-relu-bias-steep": "does not hold",
        "classic-hat-flat-steep": "undetermined",
    }


def test_pde_claims():
    summary = pd.DataFrame(
        [
            ("relu", "sgd", 5000, True, 0.3),
            ("hat", "sgd", 500, False, 0.05),
            ("relu", "adam", 300, False, 0.02),
            ("hat", "adam", 200, False, 0.05),
        ],
        columns=["activation", "optimizer", "iterations", "censored", "final_h1_error"],
    ).assign(fem_h1_error=0.02)
    ratios = pd.DataFrame(
        [("hat", "sgd", 1.5, "exact"), ("hat", "adam", 3.0, "exact")],
        columns=["activation", "optimizer", "ratio", "bound"],
    )
    conditioning = pd.DataFrame(
        {
            "activation": ["hat"] * 3 + ["relu"] * 3,
            "width": [16, 32, 64] * 2,
            "condition_number": [100.0, 400.0, 1600.0, 1e3, 1.6e4, 2.56e5],
        }
    )
    verdicts = pde_claims(summary, ratios, conditioning)
    values = {v.claim: v.value for v in verdicts}
    assert values["pde-hat-stiffness"] == pytest.approx(0.0, abs=1e-9)  # exactly width^2
    assert values["pde-hat-better-conditioned"] == pytest.approx(10.0)
    steep = conditioning.assign(condition_number=conditioning["condition_number"] ** 1.5)
    assert _verdicts(pde_claims(summary, ratios, steep))["pde-hat-stiffness"] == "does not hold"
    verdicts = pde_claims(summary, ratios)
    assert _verdicts(verdicts) == {
        "pde-hat-faster-sgd": "holds",
        "pde-hat-flat-sgd": "holds",
        "pde-hat-faster-adam": "does not hold",
        "pde-hat-flat-adam": "does not hold",
        "pde-hat-fem-accuracy": "does not hold",
    }
    assert {v.claim: v.value for v in verdicts}["pde-hat-fem-accuracy"] == pytest.approx(2.5)

"""The claims: every branch of every test (holds, does not hold, undetermined), synthetic data."""

import math

import pandas as pd
import pytest
import yaml

from hatlib.claims import (
    CLAIM_COLUMNS,
    SETTINGS,
    ClaimTests,
    alternative_claims,
    claims_table,
    classic_claims,
    comparison,
    component_claims,
    digits_claims,
    exponent_claims,
    image_accuracy_claims,
    pde_claims,
    speedup_claims,
)
from hatlib.statistics import Estimate

INF = math.inf


@pytest.fixture(scope="module")
def tests(repository) -> ClaimTests:
    config = yaml.safe_load((repository / "config/config.yaml").read_text())
    return ClaimTests.from_config(config["claims"])


def _table(verdicts) -> pd.DataFrame:
    return claims_table(verdicts).set_index("claim")


def _verdicts(verdicts) -> dict[str, str]:
    return _table(verdicts)["verdict"].to_dict()


def _reasons(verdicts) -> dict[str, str]:
    return _table(verdicts)["reason"].to_dict()


def _interval_rows(rows, keys):
    """Rows ``(*keys, lower, upper)`` with the midpoint as the exponent."""
    return pd.DataFrame(
        [
            dict(zip(keys, row[:-2], strict=True))
            | {"exponent": (row[-2] + row[-1]) / 2 if math.isfinite(row[-1]) else math.nan}
            | {"lower": row[-2], "upper": row[-1]}
            | {"bound": "exact" if math.isfinite(row[-1]) else "lower"}
            for row in rows
        ]
    )


def _exponents(relu, hat, default=None, optimizer="sgd", extra=()):
    """A learning-time exponent table: ``(lower, upper)`` per row, ``None`` leaves it out."""
    rows = [
        ("fem_grid", "relu", optimizer, *relu) if relu else None,
        ("fem_grid", "hat", optimizer, *hat) if hat else None,
        ("torch_default", "hat", optimizer, *default) if default else None,
        *extra,
    ]
    keys = ["initialisation", "activation", "optimizer"]
    return _interval_rows([r for r in rows if r], keys)


# --- the configuration and the tests themselves ---------------------------------------------


def test_claim_tests_read_the_configuration(tests, repository):
    section = yaml.safe_load((repository / "config/config.yaml").read_text())["claims"]
    for key, value in section.items():
        assert getattr(tests, key) == value
    assert tests.bias_exponent == 1.0 and tests.flat_exponent == 0.3
    assert tests.speedup == 2.0 and tests.bias_ratio == 4.0 and tests.flat_ratio == 2.0
    with pytest.raises(TypeError):
        ClaimTests.from_config({**section, "no_such_threshold": 1.0})


def test_a_gap_between_the_thresholds_passes_neither_test(tests):
    # [0.4, 0.8]: above the flat band [-0.3, 0.3], below the bias threshold 1
    assert tests.flat(0.4, 0.8).verdict == "does not hold"
    assert tests.bias(0.4, 0.8).verdict == "does not hold"


def test_a_reversed_bias_is_no_absence_of_bias(tests):
    outcome = tests.flat(-0.9, -0.5)
    assert outcome.verdict == "does not hold" and "below" in outcome.reason


# --- single sines ----------------------------------------------------------------------------


def test_exponent_claims_hold_for_a_biased_relu_and_a_flat_hat(tests):
    table = _exponents(relu=(1.3, 1.8), hat=(-0.2, 0.2), default=(1.2, 1.6))
    verdicts = exponent_claims(table, tests, "fem_grid", "torch_default")
    assert _verdicts(verdicts) == {
        "relu-bias-sgd": "holds",
        "hat-flat-sgd": "holds",
        "hat-default-init-sgd": "holds",
    }
    rows = _table(verdicts)
    assert rows.loc["hat-flat-sgd", "reference"] == "ReLU, same set-up"
    assert rows.loc["hat-flat-sgd", ["reference_lower", "reference_upper"]].tolist() == [1.3, 1.8]
    assert rows.loc["hat-default-init-sgd", "reference"] == "Hat, FEM initialisation"
    assert rows.loc["hat-default-init-sgd", "reference_upper"] == 0.2
    assert set(rows["reason"]) == {""}


def test_exponent_claims_do_not_hold_when_the_data_disagree(tests):
    table = _exponents(relu=(0.1, 0.5), hat=(0.8, 1.2), default=(-0.2, 0.2))
    verdicts = exponent_claims(table, tests, "fem_grid", "torch_default")
    assert _verdicts(verdicts) == {
        "relu-bias-sgd": "does not hold",
        "hat-flat-sgd": "does not hold",
        "hat-default-init-sgd": "does not hold",
    }
    assert "below 1" in _reasons(verdicts)["relu-bias-sgd"]
    assert "above [-0.3, 0.3]" in _reasons(verdicts)["hat-flat-sgd"]


def test_a_flat_hat_without_a_clear_relu_bias_is_undetermined(tests):
    # ReLU's interval contains the bias threshold: no comparison to win
    verdicts = exponent_claims(
        _exponents(relu=(0.8, 1.5), hat=(-0.2, 0.2)), tests, "fem_grid", None
    )
    assert _verdicts(verdicts) == {"relu-bias-sgd": "undetermined", "hat-flat-sgd": "undetermined"}
    reasons = _reasons(verdicts)
    assert "contains 1" in reasons["relu-bias-sgd"]
    assert reasons["hat-flat-sgd"].startswith("ReLU shows no clear bias")
    assert "contains 1" in reasons["hat-flat-sgd"]


def test_a_hat_interval_straddling_the_band_is_undetermined(tests):
    verdicts = exponent_claims(_exponents(relu=(1.3, 1.8), hat=(0.1, 0.5)), tests, "fem_grid", None)
    assert _verdicts(verdicts)["hat-flat-sgd"] == "undetermined"
    assert "not inside [-0.3, 0.3]" in _reasons(verdicts)["hat-flat-sgd"]


def test_a_reversed_bias_does_not_pass_no_bias(tests):
    verdicts = exponent_claims(
        _exponents(relu=(1.3, 1.8), hat=(-0.9, -0.5)), tests, "fem_grid", None
    )
    assert _verdicts(verdicts)["hat-flat-sgd"] == "does not hold"
    assert "below [-0.3, 0.3]" in _reasons(verdicts)["hat-flat-sgd"]


def test_a_gap_interval_passes_neither_bias_nor_no_bias(tests):
    verdicts = exponent_claims(_exponents(relu=(0.4, 0.8), hat=(0.4, 0.8)), tests, "fem_grid", None)
    assert _verdicts(verdicts) == {
        "relu-bias-sgd": "does not hold",
        "hat-flat-sgd": "does not hold",
    }


def test_a_flat_hat_without_a_relu_row_is_undetermined(tests):
    verdicts = exponent_claims(_exponents(relu=None, hat=(-0.2, 0.2)), tests, "fem_grid", None)
    assert _verdicts(verdicts) == {"relu-bias-sgd": "undetermined", "hat-flat-sgd": "undetermined"}
    reasons = _reasons(verdicts)
    assert reasons["relu-bias-sgd"] == "the data give no interval"
    assert reasons["hat-flat-sgd"].startswith("ReLU shows no clear bias")
    assert "no interval" in reasons["hat-flat-sgd"]
    assert math.isnan(_table(verdicts).loc["hat-flat-sgd", "reference_lower"])


def test_a_censored_relu_exponent_is_a_lower_bound_that_can_pass(tests):
    # censoring leaves the exponent unbounded above: value NaN, a lower bound above 1
    verdicts = exponent_claims(
        _exponents(relu=(1.4, INF), hat=(-0.1, 0.1)), tests, "fem_grid", None
    )
    assert _verdicts(verdicts) == {"relu-bias-sgd": "holds", "hat-flat-sgd": "holds"}
    row = _table(verdicts).loc["relu-bias-sgd"]
    assert row["bound"] == "lower" and math.isnan(row["value"]) and row["upper"] == INF


def test_a_missing_relu_interval_is_undetermined(tests):
    table = _exponents(relu=(1.3, 1.8), hat=(-0.2, 0.2))
    table.loc[table["activation"] == "relu", "lower"] = math.nan
    verdicts = exponent_claims(table, tests, "fem_grid", None)
    assert _verdicts(verdicts) == {"relu-bias-sgd": "undetermined", "hat-flat-sgd": "undetermined"}


def test_the_ablation_needs_its_rows_and_its_name(tests):
    table = _exponents(relu=(1.3, 1.8), hat=(-0.2, 0.2), default=(0.8, 1.5))
    assert "hat-default-init-sgd" not in _verdicts(exponent_claims(table, tests, "fem_grid", None))
    assert "hat-default-init-sgd" not in _verdicts(
        exponent_claims(table, tests, "fem_grid", "orthogonal")
    )
    verdicts = exponent_claims(table, tests, "fem_grid", "torch_default")
    assert _verdicts(verdicts)["hat-default-init-sgd"] == "undetermined"


def test_claims_per_optimizer_and_bsplines(tests):
    extra = [
        ("fem_grid", "bspline2", "sgd", -0.1, 0.2),
        ("fem_grid", "bspline3", "sgd", 0.8, 1.2),
    ]
    table = pd.concat(
        [
            _exponents(relu=(1.3, 1.8), hat=(-0.2, 0.2), extra=extra),
            _exponents(relu=(1.1, 1.4), hat=(0.5, 0.9), optimizer="adam"),
        ]
    )
    verdicts = exponent_claims(table, tests, "fem_grid", None)
    assert _verdicts(verdicts) == {
        "relu-bias-sgd": "holds",
        "hat-flat-sgd": "holds",
        "bspline2-flat-sgd": "holds",
        "bspline3-flat-sgd": "does not hold",
        "relu-bias-adam": "holds",
        "hat-flat-adam": "does not hold",
    }
    statements = _table(verdicts)["statement"]
    assert "(gradient descent)" in statements["hat-flat-sgd"]
    assert "(Adam)" in statements["hat-flat-adam"]
    assert "B-spline p=2" in statements["bspline2-flat-sgd"]


def test_comparison_is_decided_by_hat_first(tests):
    flat, reversed_, wide = (
        Estimate(0.0, lo, up) for lo, up in [(-0.1, 0.1), (-0.9, -0.5), (-1, 1)]
    )
    biased, unclear = Estimate(1.5, 1.2, 1.8), Estimate(1.0, 0.5, 1.5)
    cases = {
        (flat, biased): "holds",
        (flat, unclear): "undetermined",
        (reversed_, biased): "does not hold",
        (reversed_, unclear): "does not hold",  # Hat fails whatever ReLU does
        (wide, biased): "undetermined",
    }
    for (hat, relu), expected in cases.items():
        verdict = comparison(tests, "c", "s", "t", hat, relu)
        assert verdict.outcome.verdict == expected, (hat, relu)
        assert verdict.reference_estimate == relu and verdict.estimate == hat


# --- speed-ups -------------------------------------------------------------------------------


def _speedups(lower, upper, optimizer="sgd"):
    bound = "lower" if upper == INF else "exact"
    rows = [  # only the frequency 0 row (all frequencies) decides
        (optimizer, 1, 100.0, 50.0, 200.0, "exact"),
        (optimizer, 0, lower if upper == INF else math.sqrt(lower * upper), lower, upper, bound),
    ]
    return pd.DataFrame(
        rows, columns=["optimizer", "frequency", "speedup", "lower", "upper", "bound"]
    )


@pytest.mark.parametrize(
    ("lower", "upper", "expected", "reason"),
    [
        (2.5, 8.0, "holds", ""),
        (2.0, 3.0, "holds", ""),  # "at least 2": the end itself passes
        (2.5, INF, "holds", ""),  # a censored ReLU: only a lower bound, which suffices
        (1.5, INF, "undetermined", "contains 2"),
        (1.5, 3.0, "undetermined", "contains 2"),
        (0.5, 1.5, "does not hold", "below 2"),
        (math.nan, math.nan, "undetermined", "no interval"),
    ],
)
def test_speedup_claims(tests, lower, upper, expected, reason):
    verdicts = speedup_claims(_speedups(lower, upper), tests)
    assert _verdicts(verdicts) == {"hat-faster-sgd": expected}
    assert reason in _reasons(verdicts)["hat-faster-sgd"]
    row = _table(verdicts).loc["hat-faster-sgd"]
    assert row["threshold"] == "lower end at least 2"
    assert (row["lower"], row["upper"]) == (lower, upper) or math.isnan(lower)


def test_speedup_claims_per_optimizer_and_problem(tests):
    table = pd.concat([_speedups(3.0, 5.0), _speedups(1.0, 1.5, optimizer="adam")])
    assert _verdicts(speedup_claims(table, tests)) == {
        "hat-faster-sgd": "holds",
        "hat-faster-adam": "does not hold",
    }
    verdicts = speedup_claims(table, tests, problem="pde")
    assert _verdicts(verdicts) == {
        "pde-hat-faster-sgd": "holds",
        "pde-hat-faster-adam": "does not hold",
    }
    assert "Poisson" in _table(verdicts).loc["pde-hat-faster-sgd", "statement"]


def test_speedup_with_both_times_censored_is_undetermined(tests):
    # ratio_interval's "none": no value, interval [0, inf]
    table = _speedups(0.0, INF).assign(bound="none", speedup=math.nan)
    verdicts = speedup_claims(table, tests)
    assert _verdicts(verdicts) == {"hat-faster-sgd": "undetermined"}


# --- multi-frequency components --------------------------------------------------------------


def _components(cells):
    """``cells``: ``(setting, activation, optimizer, lower, upper)``."""
    return _interval_rows(cells, ["setting", "activation", "optimizer"])


def test_component_claims_every_branch(tests):
    table = _components(
        [
            ("1d-shallow", "hat", "sgd", -0.1, 0.2),
            ("1d-shallow", "relu", "sgd", 1.5, 2.5),
            ("1d-deep", "hat", "sgd", 0.5, 0.9),
            ("1d-deep", "relu", "sgd", 1.5, 2.5),
            ("2d-shallow", "hat", "adam", -0.2, 0.2),
            ("2d-shallow", "relu", "adam", 0.7, 1.4),
            ("2d-deep", "relu", "sgd", 1.5, 2.5),  # no Hat row: no claim
        ]
    )
    verdicts = component_claims(table, tests, SETTINGS)
    assert _verdicts(verdicts) == {
        "hat-flat-1d-shallow-sgd": "holds",
        "hat-flat-1d-deep-sgd": "does not hold",
        "hat-flat-2d-shallow-adam": "undetermined",
    }
    assert _reasons(verdicts)["hat-flat-2d-shallow-adam"].startswith("ReLU shows no clear bias")
    rows = _table(verdicts)
    assert rows.loc["hat-flat-1d-shallow-sgd", "reference_lower"] == 1.5
    assert SETTINGS["1d-shallow"] in rows.loc["hat-flat-1d-shallow-sgd", "statement"]


def test_component_claims_hat_without_relu_and_unknown_settings(tests):
    table = _components(
        [("1d-shallow", "hat", "sgd", -0.1, 0.2), ("3d-shallow", "hat", "sgd", -0.1, 0.2)]
    )
    verdicts = component_claims(table, tests, SETTINGS)
    assert _verdicts(verdicts) == {"hat-flat-1d-shallow-sgd": "undetermined"}


# --- digits ----------------------------------------------------------------------------------


def _ratios(hat, relu, optimizer="sgd"):
    rows = [("hat", optimizer, *hat)] + ([("relu", optimizer, *relu)] if relu else [])
    return pd.DataFrame(
        [
            {"activation": a, "optimizer": o, "ratio": math.sqrt(lo * up)}
            | {"lower": lo, "upper": up, "bound": "exact"}
            for a, o, lo, up in rows
        ]
    )


@pytest.mark.parametrize(
    ("hat", "relu", "expected", "reason"),
    [
        ((0.7, 1.4), (5.0, 20.0), "holds", ""),
        ((3.0, 6.0), (5.0, 20.0), "does not hold", "above [0.5, 2]"),
        ((0.1, 0.3), (5.0, 20.0), "does not hold", "below [0.5, 2]"),  # high part first
        ((1.5, 3.0), (5.0, 20.0), "undetermined", "not inside [0.5, 2]"),
        ((0.8, 1.5), (2.0, 10.0), "undetermined", "ReLU shows no clear bias"),
        ((0.8, 1.5), None, "undetermined", "ReLU shows no clear bias"),
    ],
)
def test_digits_claims(tests, hat, relu, expected, reason):
    verdicts = digits_claims(_ratios(hat, relu), tests)
    assert _verdicts(verdicts) == {"hat-flat-digits-sgd": expected}
    assert reason in _reasons(verdicts)["hat-flat-digits-sgd"]
    assert "[1/2, 2]" in _table(verdicts).loc["hat-flat-digits-sgd", "threshold"]


def test_digits_claims_need_a_hat_row(tests):
    table = _ratios((0.7, 1.4), (5.0, 20.0))
    assert digits_claims(table[table["activation"] == "relu"], tests) == []


# --- accuracy --------------------------------------------------------------------------------


def _difference(*intervals):
    return pd.DataFrame(
        [
            {"optimizer": o, "pairs": 10, "difference": (lo + up) / 2}
            | {"low": lo - 1, "high": up + 1, "corrected_low": lo, "corrected_high": up}
            for o, (lo, up) in zip(("sgd", "adam"), intervals, strict=False)
        ]
    )


@pytest.mark.parametrize(
    ("interval", "expected", "reason"),
    [
        ((0.002, 0.01), "holds", ""),
        ((-0.02, -0.01), "does not hold", "below 0"),
        ((-0.01, 0.004), "undetermined", "contains 0"),
    ],
)
def test_image_accuracy_claims_use_the_corrected_interval(interval, expected, reason):
    verdicts = image_accuracy_claims(_difference(interval))
    assert _verdicts(verdicts) == {"hat-accuracy-mnist-sgd": expected}
    row = _table(verdicts).loc["hat-accuracy-mnist-sgd"]
    assert (row["lower"], row["upper"]) == interval  # not the plain interval
    assert reason in row["reason"] and "10 paired random splits" in row["statistic"]
    assert "(MNIST, SGD with momentum)" in row["statement"]


def test_image_accuracy_claims_per_optimizer():
    verdicts = image_accuracy_claims(_difference((0.002, 0.01), (-0.02, -0.01)))
    assert _verdicts(verdicts) == {
        "hat-accuracy-mnist-sgd": "holds",
        "hat-accuracy-mnist-adam": "does not hold",
    }
    assert image_accuracy_claims(_difference()) == []


# --- Fourier features and SIREN --------------------------------------------------------------


@pytest.mark.parametrize(
    ("lower", "upper", "expected", "reason"),
    [
        (0.5, 1.2, "holds", ""),
        (0.5, 1.25, "holds", ""),  # "at most 1.25": the end itself passes
        (1.3, 2.0, "does not hold", "above 1.25"),
        (0.9, 1.6, "undetermined", "contains 1.25"),
        (math.nan, math.nan, "undetermined", "no interval"),
    ],
)
def test_alternative_claims(tests, lower, upper, expected, reason):
    table = pd.DataFrame(
        [
            {"dimension": "1d", "hat": "1d-shallow", "alternative": "1d-siren"}
            | {"ratio": (lower + upper) / 2, "lower": lower, "upper": upper, "bound": "exact"},
            {"dimension": "2d", "hat": "2d-deep", "alternative": "2d-fourier"}
            | {"ratio": 0.5, "lower": 0.4, "upper": 0.6, "bound": "exact"},
        ]
    )
    verdicts = alternative_claims(table, tests)
    assert _verdicts(verdicts) == {
        "hat-vs-alternatives-1d": expected,
        "hat-vs-alternatives-2d": "holds",
    }
    assert reason in _reasons(verdicts)["hat-vs-alternatives-1d"]
    rows = _table(verdicts)
    assert "1-D" in rows.loc["hat-vs-alternatives-1d", "statement"]
    assert "1d-shallow over 1d-siren" in rows.loc["hat-vs-alternatives-1d", "statistic"]


# --- the classic protocol --------------------------------------------------------------------


def _classic(relu_default, hat, relu_fem, case="equal"):
    rows = [
        (case, "relu", "torch_default", 0.9, *relu_default),
        (case, "hat", "fem_deep", 0.9, *hat),
        (case, "relu", "fem_deep", 0.9, *relu_fem) if relu_fem else None,
        # another threshold: ignored
        (case, "hat", "fem_deep", 0.5, 3.0, 4.0),
        (case, "relu", "torch_default", 0.5, -1.0, 0.0),
    ]
    keys = ["case", "activation", "initialisation", "threshold"]
    return _interval_rows([r for r in rows if r], keys)


def test_classic_claims_hold(tests):
    verdicts = classic_claims(_classic((1.5, 2.5), (-0.2, 0.2), (1.2, 2.0)), tests, 0.9)
    assert _verdicts(verdicts) == {
        "classic-relu-bias-equal": "holds",
        "classic-hat-flat-equal": "holds",
    }
    row = _table(verdicts).loc["classic-hat-flat-equal"]
    # the reference is ReLU with the same (FEM-like) initialisation, not PyTorch's
    assert (row["reference_lower"], row["reference_upper"]) == (1.2, 2.0)


def test_classic_hat_verdict_ignores_the_torch_default_relu(tests):
    for hat, relu_fem, expected in [
        ((-0.2, 0.2), (1.2, 2.0), "holds"),
        ((-0.2, 0.2), (0.5, 1.5), "undetermined"),
        ((0.5, 1.0), (1.2, 2.0), "does not hold"),
        ((0.1, 0.5), (1.2, 2.0), "undetermined"),
    ]:
        found = set()
        for relu_default in [(1.5, 2.5), (0.5, 1.5), (-0.5, 0.2), (math.nan, math.nan)]:
            verdicts = _verdicts(classic_claims(_classic(relu_default, hat, relu_fem), tests, 0.9))
            found.add(verdicts["classic-hat-flat-equal"])
        assert found == {expected}, (hat, relu_fem)


def test_classic_relu_bias_uses_the_torch_default_row(tests):
    for relu_default, expected in [
        ((1.5, 2.5), "holds"),
        ((0.5, 1.5), "undetermined"),
        ((-0.5, 0.2), "does not hold"),
    ]:
        verdicts = classic_claims(_classic(relu_default, (-0.2, 0.2), (1.2, 2.0)), tests, 0.9)
        assert _verdicts(verdicts)["classic-relu-bias-equal"] == expected


def test_classic_hat_without_a_fem_relu_is_undetermined(tests):
    verdicts = classic_claims(_classic((1.5, 2.5), (-0.2, 0.2), None), tests, 0.9)
    assert _verdicts(verdicts)["classic-hat-flat-equal"] == "undetermined"
    assert _reasons(verdicts)["classic-hat-flat-equal"].startswith("ReLU shows no clear bias")


def test_classic_claims_per_case_at_the_chosen_threshold(tests):
    table = pd.concat(
        [
            _classic((1.5, 2.5), (-0.2, 0.2), (1.2, 2.0)),
            _classic((1.1, 1.3), (0.4, 0.8), (1.2, 2.0), case="steep"),
        ]
    )
    assert _verdicts(classic_claims(table, tests, 0.9)) == {
        "classic-relu-bias-equal": "holds",
        "classic-hat-flat-equal": "holds",
        "classic-relu-bias-steep": "holds",
        "classic-hat-flat-steep": "does not hold",
    }
    # at the other threshold the rows give other verdicts
    assert _verdicts(classic_claims(table, tests, 0.5)) == {
        "classic-relu-bias-equal": "does not hold",
        "classic-hat-flat-equal": "does not hold",
        "classic-relu-bias-steep": "does not hold",
        "classic-hat-flat-steep": "does not hold",
    }


# --- the Poisson problem ---------------------------------------------------------------------


def _pde(fem_ratios, speedup=(3.0, 6.0), hat=(-0.2, 0.2), relu=(1.2, 2.0)):
    speedups = _speedups(*speedup)
    exponents = _interval_rows(
        [("hat", "sgd", *hat), ("relu", "sgd", *relu)], ["activation", "optimizer"]
    )
    summary = pd.DataFrame(
        [
            {"activation": a, "optimizer": o, "fem_ratio": v}
            | {"fem_ratio_lower": lo, "fem_ratio_upper": up}
            for a, o, v, lo, up in fem_ratios
        ]
    )
    return speedups, exponents, summary


@pytest.mark.parametrize(
    ("hat_ratios", "expected"),
    [
        ([("sgd", 1.2, 1.0, 1.5), ("adam", 5.0, 4.0, 6.0)], "holds"),  # the best optimizer
        ([("sgd", 3.0, 2.5, 3.5), ("adam", 5.0, 4.0, 6.0)], "does not hold"),
        ([("sgd", 1.8, 1.5, 2.5)], "undetermined"),
    ],
)
def test_pde_claims(tests, hat_ratios, expected):
    fem = [("hat", *r) for r in hat_ratios] + [("relu", "sgd", 0.5, 0.4, 0.6)]
    verdicts = pde_claims(*_pde(fem), tests)
    assert _verdicts(verdicts) == {
        "pde-hat-faster-sgd": "holds",
        "pde-hat-flat-sgd": "holds",
        "pde-hat-fem-accuracy": expected,
    }
    rows = _table(verdicts)
    assert rows.loc["pde-hat-fem-accuracy", "threshold"] == "upper end at most 2"
    # the ReLU row (better than FEM here) is not a candidate for the Hat claim
    assert rows.loc["pde-hat-fem-accuracy", "value"] == min(r[1] for r in hat_ratios)
    assert rows.loc["pde-hat-flat-sgd", "reference_lower"] == 1.2


def test_pde_claims_other_branches(tests):
    fem = [("hat", "sgd", 1.2, 1.0, 1.5)]
    verdicts = pde_claims(*_pde(fem, speedup=(1.5, INF), relu=(0.5, 1.5)), tests)
    assert _verdicts(verdicts) == {
        "pde-hat-faster-sgd": "undetermined",
        "pde-hat-flat-sgd": "undetermined",
        "pde-hat-fem-accuracy": "holds",
    }
    speedups, exponents, summary = _pde(fem)
    verdicts = pde_claims(speedups, exponents, summary.drop(columns="fem_ratio"), tests)
    assert "pde-hat-fem-accuracy" not in _verdicts(verdicts)


def test_pde_fem_accuracy_without_a_ratio_is_undetermined(tests):
    fem = [("hat", "sgd", math.nan, math.nan, math.nan)]
    verdicts = pde_claims(*_pde(fem), tests)
    assert _verdicts(verdicts)["pde-hat-fem-accuracy"] == "undetermined"


# --- the table -------------------------------------------------------------------------------


def test_claims_table_columns_and_references(tests):
    verdicts = [
        *exponent_claims(
            _exponents(relu=(1.3, 1.8), hat=(-0.2, 0.2), default=(1.2, 1.6)),
            tests,
            "fem_grid",
            "torch_default",
        ),
        *speedup_claims(_speedups(2.5, INF), tests),
        *image_accuracy_claims(_difference((-0.01, 0.004))),
    ]
    table = claims_table(verdicts)
    assert list(table.columns) == CLAIM_COLUMNS
    assert table["claim"].is_unique
    assert set(table["verdict"]) <= {"holds", "does not hold", "undetermined"}
    rows = table.set_index("claim")
    comparison_row = rows.loc["hat-flat-sgd"]
    assert comparison_row["reference"] == "ReLU, same set-up"
    assert comparison_row[["reference_value", "reference_lower", "reference_upper"]].tolist() == [
        pytest.approx(1.55),
        1.3,
        1.8,
    ]
    assert "ReLU's interval above 1" in comparison_row["threshold"]
    for single in ("relu-bias-sgd", "hat-faster-sgd", "hat-accuracy-mnist-sgd"):
        assert rows.loc[single, "reference"] == ""
        assert (
            rows.loc[single, ["reference_value", "reference_lower", "reference_upper"]].isna().all()
        )
    assert rows.loc["hat-faster-sgd", "bound"] == "lower"


def test_an_empty_claims_table_keeps_its_columns():
    table = claims_table([])
    assert list(table.columns) == CLAIM_COLUMNS and table.empty


@pytest.mark.parametrize(
    ("interval", "expected"),
    [((2.5, 9.0), "holds"), ((1.1, 9.0), "undetermined"), ((0.2, 0.8), "does not hold")],
)
def test_digits_high_part_speedup_claim(tests, interval, expected):
    speedups = pd.DataFrame(
        [
            {"optimizer": "adam", "part": "high", "ratio": math.sqrt(interval[0] * interval[1])}
            | {"lower": interval[0], "upper": interval[1], "bound": "exact"},
            {"optimizer": "adam", "part": "low", "ratio": 1.0}
            | {"lower": 0.1, "upper": 0.2, "bound": "exact"},
        ]
    )
    verdicts = digits_claims(_ratios((0.7, 1.4), (5.0, 20.0)), tests, speedups)
    assert _verdicts(verdicts)["hat-faster-digits-high-adam"] == expected
    assert "hat-faster-digits-low-adam" not in _verdicts(verdicts)

"""Statistics on learning times as censored observations, on synthetic data with known answers."""

import math

import numpy as np
import pandas as pd
import pytest

from hatlib.analysis import learning_time_exponents
from hatlib.statistics import (
    above,
    below,
    censored_regression,
    crossing_interval,
    exponent_interval,
    inside,
    interval_log_likelihood,
    log_bounds,
    newcombe_interval,
    percentile_interval,
    ratio_interval,
)
from hatlib.training import geometric_steps

FREQUENCIES = np.array([1.0, 2.0, 4.0, 8.0, 16.0, 32.0])
REPLICATES = 200


def _power_law(alpha, sigma, seeds, seed, base=100.0, frequencies=FREQUENCIES):
    """Frequencies and times ``base k^alpha exp(sigma N(0, 1))``, ``seeds`` per frequency."""
    rng = np.random.default_rng(seed)
    k = np.repeat(frequencies, seeds)
    return k, base * k**alpha * np.exp(sigma * rng.normal(size=k.size))


def _independent(k, lower, upper, **options):
    """:func:`exponent_interval` with every run its own cluster, resampled within frequencies."""
    options.setdefault("replicates", REPLICATES)
    return exponent_interval(k, lower, upper, np.arange(len(k)), k, **options)


def _on_records(times, records):
    """Bounds ``(lower, upper)`` of integer learning ``times`` known only at ``records`` steps."""
    times = np.ceil(times)
    bounds = [crossing_interval(records, (records < t).astype(float), 0.5) for t in times]
    return np.array(bounds).T


def _slope(k, lower, upper):
    return censored_regression(np.log(k), *log_bounds(lower, upper)).slope


# --- the exponent and the three-way tests on it ------------------------------------------


def test_flat_noisy_exponent_passes_the_no_bias_test():
    k, t = _power_law(0.0, 0.2, seeds=5, seed=0)
    estimate = _independent(k, t, t)
    assert estimate.bound == "exact"
    assert estimate.lower < estimate.value < estimate.upper
    assert inside(estimate.lower, estimate.upper, -0.3, 0.3).verdict == "holds"
    assert above(estimate.lower, estimate.upper, 1.0).verdict == "does not hold"


def test_reversed_bias_fails_the_no_bias_test_from_below():
    k, t = _power_law(-1.0, 0.2, seeds=5, seed=1, base=1000.0)
    estimate = _independent(k, t, t)
    outcome = inside(estimate.lower, estimate.upper, -0.3, 0.3)
    assert outcome.verdict == "does not hold"
    assert "below" in outcome.reason
    assert estimate.lower < -1.0 < estimate.upper


def test_quadratic_bias_passes_the_bias_test():
    k, t = _power_law(2.0, 0.2, seeds=5, seed=2)
    estimate = _independent(k, t, t)
    assert above(estimate.lower, estimate.upper, 1.0).verdict == "holds"
    outcome = inside(estimate.lower, estimate.upper, -0.3, 0.3)
    assert outcome.verdict == "does not hold" and "above" in outcome.reason
    assert estimate.lower < 2.0 < estimate.upper


def test_underpowered_design_is_undetermined_both_ways():
    k, t = _power_law(0.0, 1.5, seeds=2, seed=0, frequencies=np.array([1.0, 2.0]))
    estimate = _independent(k, t, t)
    assert estimate.upper - estimate.lower > 1.0
    assert inside(estimate.lower, estimate.upper, -0.3, 0.3).verdict == "undetermined"
    assert above(estimate.lower, estimate.upper, 1.0).verdict == "undetermined"


# --- censoring: before the first record, between records, beyond the cap ------------------


def test_censoring_at_the_first_record_recovers_the_exact_slope():
    records = np.concatenate([[0, 100], (steps := geometric_steps(20000))[steps > 100]])
    k, t = _power_law(0.5, 0.5, seeds=20, seed=0, base=60.0)
    lower, upper = _on_records(t, records)
    first = upper == 100
    assert (lower[first] == 1).all()
    assert first[k == 1].sum() >= 15 and first[k == 2].sum() >= 10  # most low-k runs
    exact = _slope(k, np.ceil(t), np.ceil(t))
    assert _slope(k, lower, upper) == pytest.approx(exact, abs=0.05)
    naive = np.polyfit(np.log(k), np.log(upper), 1)[0]
    assert abs(naive - exact) > 0.1  # the upper ends alone understate it


def test_interval_censoring_on_geometric_records_recovers_the_exact_slope():
    records = geometric_steps(20000)
    k, t = _power_law(1.0, 0.3, seeds=10, seed=0, base=30.0)
    lower, upper = _on_records(t, records)
    assert (lower < upper).sum() > len(t) / 2  # most are intervals, not exact
    steps = list(records)
    for low, high in zip(lower, upper, strict=True):  # consecutive records
        assert low == high or steps[steps.index(high) - 1] + 1 == low
    assert _slope(k, lower, upper) == pytest.approx(_slope(k, np.ceil(t), np.ceil(t)), abs=0.05)


def test_coarse_records_over_two_steps_keep_the_truth_in_the_interval():
    records = np.arange(0, 20001, 100)
    k, t = _power_law(0.3, 0.2, seeds=10, seed=0, base=60.0)
    lower, upper = _on_records(t, records)
    assert set(upper) <= {100.0, 200.0, 300.0}  # the times span two or three records
    naive = np.polyfit(np.log(k), np.log(upper), 1)[0]
    estimate = _independent(k, lower, upper, replicates=100)
    exact = _independent(k, t, t, replicates=100)
    assert naive < 0.27
    assert estimate.lower < 0.3 < estimate.upper
    assert estimate.upper - estimate.lower > exact.upper - exact.lower


def test_coarse_records_in_one_step_do_not_claim_a_flat_exponent():
    """Every Hat-like time below the first record at 100: the data do not pin the slope."""
    records = np.arange(0, 20001, 100)
    k, t = _power_law(0.3, 0.2, seeds=10, seed=0, base=20.0)
    lower, upper = _on_records(t, records)
    assert set(lower) == {1.0} and set(upper) == {100.0}
    assert np.polyfit(np.log(k), np.log(upper), 1)[0] == pytest.approx(0.0, abs=1e-12)
    estimate = _independent(k, lower, upper)
    exact = _independent(k, t, t)
    wider = estimate.upper - estimate.lower > exact.upper - exact.lower
    assert wider or estimate.lower <= 0.3 <= estimate.upper, estimate


@pytest.mark.parametrize("cap", [20_000, 5_000])  # three, then two frequencies measured
def test_right_censoring_with_two_measured_frequencies_recovers_the_exponent(cap):
    k, t = _power_law(3.0, 0.05, seeds=3, seed=0)
    censored = t > cap
    assert len(np.unique(k[~censored])) == (3 if cap == 20_000 else 2)
    lower = np.where(censored, cap + 1, t)
    upper = np.where(censored, np.inf, t)
    estimate = _independent(k, lower, upper, replicates=100)
    assert estimate.bound == "exact"
    assert estimate.value == pytest.approx(3.0, abs=0.1)
    assert estimate.lower < 3.0 < estimate.upper
    naive = np.polyfit(np.log(k), np.log(np.minimum(t, cap)), 1)[0]
    assert naive < 2.0  # capped times read as measurements flatten the fit


def test_right_censoring_with_one_measured_frequency_gives_a_lower_bound():
    k, t = _power_law(3.0, 0.05, seeds=5, seed=0, base=3000.0)
    cap = 20_000
    censored = t > cap
    assert set(k[~censored]) == {1.0}
    lower = np.where(censored, cap + 1, t)
    upper = np.where(censored, np.inf, t)
    estimate = _independent(k, lower, upper)
    assert estimate.bound == "lower"
    assert math.isnan(estimate.value) and estimate.upper == math.inf
    assert np.isfinite(estimate.lower) and 0 < estimate.lower < 3.0
    # from the slowest measured run at k = 1 to the cap at k = 2
    assert estimate.lower == pytest.approx(math.log((cap + 1) / t[k == 1].max()) / math.log(2))


@pytest.mark.parametrize("theta", [(4.0, 0.5, -0.5), (5.0, 1.5, 0.2), (3.0, -0.3, -1.5)])
def test_likelihood_gradient_matches_finite_differences(theta):
    x = np.log(np.array([1.0, 2.0, 4.0, 8.0, 16.0, 1.0, 2.0, 32.0]))
    # exact, exact, interval, interval, right-censored, left-censored (lower 0), interval, right
    lower = np.array([60.0, 90.0, 101.0, 301.0, 20001.0, 0.0, 1.0, 5001.0])
    upper = np.array([60.0, 90.0, 200.0, 400.0, np.inf, 100.0, 100.0, np.inf])
    a, b = log_bounds(lower, upper)
    assert a[5] == -np.inf and b[4] == np.inf
    theta = np.array(theta)
    value, gradient = interval_log_likelihood(theta, x, a, b)
    assert np.isfinite(value) and np.isfinite(gradient).all()
    step, numeric = 1e-6, np.empty(3)
    for i in range(3):
        shift = np.zeros(3)
        shift[i] = step
        forward = interval_log_likelihood(theta + shift, x, a, b)[0]
        backward = interval_log_likelihood(theta - shift, x, a, b)[0]
        numeric[i] = (forward - backward) / (2 * step)
    np.testing.assert_allclose(gradient, numeric, rtol=1e-5, atol=1e-7)


# --- the exponent table: divergence and unbounded replicates -----------------------------


def _summary(k, lower, upper, seeds):
    return pd.DataFrame(
        {
            "activation": "relu",
            "optimizer": "sgd",
            "frequency": k,
            "seed": np.tile(np.arange(seeds), len(k) // seeds),
            "lower": lower,
            "upper": upper,
        }
    )


def test_diverged_runs_are_left_out_of_the_exponent_and_counted():
    k, t = _power_law(1.0, 0.2, seeds=5, seed=3)
    clean = _summary(k, t, t, 5).assign(diverged=False)
    # diverged runs, censored late at k = 1: kept, they would steepen the intercept's side
    broken = _summary(np.array([1.0, 1.0, 2.0]), 5001.0, np.inf, 1).assign(seed=[5, 6, 5])
    table = pd.concat([clean, broken.assign(diverged=True)], ignore_index=True)
    with_diverged = learning_time_exponents(table, replicates=100).iloc[0]
    without = learning_time_exponents(clean.drop(columns="diverged"), replicates=100).iloc[0]
    assert with_diverged["exponent"] == pytest.approx(without["exponent"], rel=1e-9)
    assert with_diverged["diverged_runs"] == 3 and without["diverged_runs"] == 0
    assert with_diverged["runs"] == len(clean)
    assert with_diverged["censored_runs"] == 0  # nor counted as censored
    # counted as censored runs instead, they would change the fit
    kept = learning_time_exponents(table.assign(diverged=False), replicates=100).iloc[0]
    assert kept["exponent"] != pytest.approx(without["exponent"], abs=1e-3)


def test_unbounded_bootstrap_replicates_are_kept_at_infinity():
    seeds, cap = 5, 20_000
    k = np.repeat([1.0, 2.0, 4.0], seeds)
    lower = np.array([100, 120, 90, 110, 105, 800] + [cap + 1] * 9, dtype=float)
    upper = np.where(lower > cap, np.inf, lower)
    # the full data measure k = 1 and k = 2 (one run): the slope is bounded ...
    estimate = _independent(k, lower, upper, replicates=100)
    assert estimate.bound == "exact" and np.isfinite(estimate.value)
    # ... but about a third of the resamples miss that run at k = 2
    assert estimate.unbounded > 10
    assert estimate.upper == math.inf and np.isfinite(estimate.lower)
    row = learning_time_exponents(_summary(k, lower, upper, seeds), replicates=100).iloc[0]
    assert row["unbounded_replicates"] == estimate.unbounded
    assert row["upper"] == math.inf
    assert row["censored_runs"] == 9


def test_percentile_interval_keeps_infinite_draws():
    finite = np.linspace(0.0, 1.0, 97)
    assert percentile_interval(np.concatenate([finite, [np.inf] * 3]), 0.95)[1] == math.inf
    low, high = percentile_interval(np.concatenate([finite, [np.inf]]), 0.95)
    assert np.isfinite(high) and low == pytest.approx(finite[2])
    assert percentile_interval(np.concatenate([[-np.inf] * 3, finite]), 0.95)[0] == -math.inf
    assert percentile_interval(np.arange(1.0, 101.0), 0.9) == (5.0, 95.0)
    assert all(math.isnan(v) for v in percentile_interval(np.array([]), 0.95))


@pytest.mark.parametrize(
    ("values", "below_", "expected"),
    [
        ([0.05, 0.01, 0.01], True, (0.0, 0.0)),  # already below at the first record
        ([1.0, 0.05, 0.01], True, (1.0, 100.0)),  # before the first record after 0
        ([1.0, 0.5, 0.05], True, (101.0, 200.0)),  # between two records
        ([1.0, 0.5, 0.2], True, (201.0, math.inf)),  # never
        ([0.05, 0.5, 2.0], False, (101.0, 200.0)),  # a magnitude reaching the threshold
        ([0.05, 0.5, 0.2], False, (201.0, math.inf)),
        ([0.5, 1.0, 0.5], False, (1.0, 100.0)),  # at the threshold counts as reached
    ],
)
def test_crossing_interval_cases(values, below_, expected):
    threshold = 0.1 if below_ else 1.0
    assert crossing_interval(np.array([0, 100, 200]), values, threshold, below_) == expected


def test_crossing_interval_on_consecutive_records_is_exact():
    assert crossing_interval(np.array([0, 1, 2, 3]), [1.0, 1.0, 0.01, 0.01], 0.1) == (2.0, 2.0)


def test_log_bounds_put_times_below_one_step_at_minus_infinity():
    a, b = log_bounds(np.array([0.0, 1.0, 101.0]), np.array([0.0, 100.0, np.inf]))
    assert a[0] == -np.inf and b[0] == 0.0
    np.testing.assert_allclose(a[1:], [0.0, math.log(101)])
    assert b[1] == pytest.approx(math.log(100)) and b[2] == np.inf


# --- ratios of learning times --------------------------------------------------------------


def test_ratio_interval_on_equal_distributions_contains_one():
    rng = np.random.default_rng(0)
    numerator = 100 * np.exp(0.3 * rng.normal(size=10))
    denominator = 100 * np.exp(0.3 * rng.normal(size=10))
    estimate = ratio_interval([((numerator, numerator), (denominator, denominator))], 200)
    assert estimate.bound == "exact"
    assert estimate.lower < 1.0 < estimate.upper
    assert estimate.lower < estimate.value < estimate.upper


def test_ratio_interval_on_a_ten_times_slower_numerator_excludes_small_ratios():
    rng = np.random.default_rng(1)
    numerator = 1000 * np.exp(0.3 * rng.normal(size=10))
    denominator = 100 * np.exp(0.3 * rng.normal(size=10))
    estimate = ratio_interval([((numerator, numerator), (denominator, denominator))], 200)
    assert 2.0 < estimate.lower < estimate.value < estimate.upper
    assert above(estimate.lower, estimate.upper, 2.0).verdict == "holds"


def test_ratio_interval_with_a_censored_numerator_is_a_lower_bound():
    rng = np.random.default_rng(2)
    cap = 20_000
    numerator = (np.full(10, cap + 1.0), np.full(10, np.inf))
    denominator = 100 * np.exp(0.3 * rng.normal(size=10))
    estimate = ratio_interval([(numerator, (denominator, denominator))], 200)
    assert estimate.bound == "lower"
    assert estimate.upper == math.inf
    assert estimate.value == pytest.approx((cap + 1) / np.median(denominator))
    assert 0 < estimate.lower <= estimate.value


def test_ratio_interval_carries_the_record_resolution():
    # both known only to within their record intervals: the bounds hold the extremes
    numerator = (np.full(5, 301.0), np.full(5, 400.0))
    denominator = (np.full(5, 91.0), np.full(5, 100.0))
    estimate = ratio_interval([(numerator, denominator)], 100)
    assert estimate.lower == pytest.approx(3.01)
    assert estimate.upper == pytest.approx(400 / 91)
    assert estimate.value == pytest.approx(math.sqrt(3.01 * 400 / 91))


# --- proportions and the three-way tests ---------------------------------------------------


def test_newcombe_interval_around_zero_and_away_from_it():
    near = newcombe_interval(0.99, 1.0, 107, 107)
    assert near.lower < 0.0 < near.upper
    assert near.value == pytest.approx(-0.01)
    far = newcombe_interval(0.95, 0.6, 500, 500)
    assert 0.0 < far.lower < far.value < far.upper


def test_newcombe_interval_matches_the_worked_example():
    # Newcombe (1998), Statist. Med. 17:873, example (a): 56/70 - 48/80, method 10
    estimate = newcombe_interval(56 / 70, 48 / 80, 70, 80)
    assert estimate.value == pytest.approx(0.2000, abs=5e-4)
    assert estimate.lower == pytest.approx(0.0524, abs=5e-4)
    assert estimate.upper == pytest.approx(0.3339, abs=5e-4)


@pytest.mark.parametrize(
    ("interval", "verdict"),
    [((1.2, 2.0), "holds"), ((0.2, 0.8), "does not hold"), ((0.5, 1.5), "undetermined")],
)
def test_above(interval, verdict):
    assert above(*interval, 1.0).verdict == verdict


def test_above_at_the_threshold():
    assert above(1.0, 2.0, 1.0).verdict == "undetermined"
    assert above(1.0, 2.0, 1.0, strict=False).verdict == "holds"


@pytest.mark.parametrize(
    ("interval", "verdict"),
    [
        ((0.2, 1.0), "holds"),  # at the threshold counts
        ((1.2, 2.0), "does not hold"),
        ((0.5, 1.5), "undetermined"),
    ],
)
def test_below(interval, verdict):
    assert below(*interval, 1.0).verdict == verdict


@pytest.mark.parametrize(
    ("interval", "verdict", "word"),
    [
        ((-0.1, 0.2), "holds", ""),
        ((0.4, 0.9), "does not hold", "above"),
        ((-0.9, -0.4), "does not hold", "below"),
        ((-0.1, 0.5), "undetermined", "not inside"),
        ((-0.5, 0.5), "undetermined", "not inside"),
    ],
)
def test_inside(interval, verdict, word):
    outcome = inside(*interval, -0.3, 0.3)
    assert outcome.verdict == verdict
    assert word in outcome.reason


@pytest.mark.parametrize("interval", [(math.nan, 1.0), (0.0, math.nan), (math.nan, math.nan)])
def test_nan_intervals_are_undetermined(interval):
    assert above(*interval, 0.5).verdict == "undetermined"
    assert below(*interval, 0.5).verdict == "undetermined"
    assert inside(*interval, -0.3, 0.3).verdict == "undetermined"
    assert "no interval" in inside(*interval, -0.3, 0.3).reason


def test_each_distinct_resample_is_fitted_once_and_row_order_does_not_matter(monkeypatch):
    """Three seeds as clusters give ten distinct resamples: 1 + 2 x 10 fits for any number of
    replicates; and the interval is the one of the rows in any order (rounding aside)."""
    import hatlib.statistics as statistics

    k, times = _power_law(1.0, 0.3, seeds=3, seed=5)
    seeds = np.tile(np.arange(3), len(FREQUENCIES))
    calls = []
    original = statistics.censored_regression

    def counted(*args):
        calls.append(1)
        return original(*args)

    monkeypatch.setattr(statistics, "censored_regression", counted)
    estimate = exponent_interval(k, times, times, seeds, replicates=300, seed=2)
    assert len(calls) == 1 + 2 * 10
    monkeypatch.undo()
    order = np.random.default_rng(0).permutation(len(k))
    shuffled = exponent_interval(
        k[order], times[order], times[order], seeds[order], replicates=300, seed=2
    )
    assert estimate.lower < estimate.value < estimate.upper
    assert shuffled.value == pytest.approx(estimate.value, rel=1e-9)
    assert (shuffled.lower, shuffled.upper) == pytest.approx(
        (estimate.lower, estimate.upper), rel=1e-9
    )


def test_a_time_at_the_mean_log_k_does_not_depend_on_rounding():
    """Modes 1, 4, 16: log 4 is the mean log k, and which side rounding put it on moved the
    Poisson interval's ends by 1 %. It keeps its interval now: any row order, one answer."""
    modes = np.repeat([1.0, 4.0, 16.0], 3)
    lower = np.repeat([251.0, 201.0, 5001.0], 3)
    upper = np.repeat([272.0, 217.0, np.inf], 3)
    seeds = np.tile(np.arange(3), 3)
    # two row orders whose sums round the mean log k to either side of log 4
    orders = [np.array([4, 5, 2, 6, 3, 8, 7, 0, 1]), np.array([8, 0, 5, 4, 2, 7, 6, 1, 3])]
    sides = [(np.log(modes[o]) > np.log(modes[o]).mean())[modes[o] == 4.0].any() for o in orders]
    assert sides == [True, False]
    from hatlib.statistics import _extreme_slopes

    a, b = log_bounds(lower, upper)
    widths = np.isfinite(a) & np.isfinite(b) & (a < b)
    slopes = [_extreme_slopes(np.log(modes[o]), a[o], b[o], widths[o]) for o in orders]
    assert slopes[1] == pytest.approx(slopes[0], rel=1e-9)
    assert 1.3 < slopes[0][0] < slopes[0][1] < 1.5
    estimate = exponent_interval(modes, lower, upper, seeds, replicates=100)
    assert estimate.lower == pytest.approx(slopes[0][0]) and estimate.upper == pytest.approx(
        slopes[0][1]
    )

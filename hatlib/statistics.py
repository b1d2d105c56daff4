"""Learning times as censored observations, and the statistics and tests built on them.

A learning time is the first step at which an error falls below a tolerance.
It is known as an interval ``[lower, upper]`` of steps: exact when the engine
checked every step (``lower == upper``), between two records when it was read
off recorded errors (``lower`` is one past the last record above the
tolerance), or right-censored when the run never got there (``upper = inf``,
``lower`` one past its last step). A learning time of 0 (below the tolerance
before training) is known only as "at most one step" on a log scale.

On these observations: the exponent ``alpha`` of ``t(k) ~ k^alpha`` by an
interval-censored normal regression of ``log t`` on ``log k``
(:func:`censored_regression`) with a cluster bootstrap interval
(:func:`exponent_interval`); ratios of median learning times with bounds that
carry the measurement's resolution and a bootstrap interval
(:func:`ratio_interval`); and the three-way tests of :class:`Test` that turn an
interval into ``holds``, ``does not hold`` or ``undetermined``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special, stats

#: Floor on the regression's residual scale, in log steps (identical times give zero).
MIN_SCALE = 0.01

#: Slopes beyond this are treated as unidentified (the likelihood has no finite maximum).
MAX_SLOPE = 100.0


def crossing_interval(
    steps: np.ndarray, values: np.ndarray, threshold: float, below: bool = True
) -> tuple[float, float]:
    """When ``values`` first crossed ``threshold``, from records at ``steps`` (increasing).

    ``below``: the first record with ``value < threshold`` (an error learned);
    otherwise the first with ``value >= threshold`` (a magnitude reached).
    Returns ``(lower, upper)``: ``(s_j, s_j)`` when the first such record is the
    first record or directly follows the previous one; ``(s_{j-1} + 1, s_j)``
    between two records; ``(s_last + 1, inf)`` when no record crossed.
    """
    steps, values = np.asarray(steps), np.asarray(values, dtype=np.float64)
    hit = np.flatnonzero(values < threshold if below else values >= threshold)
    if not len(hit):
        return float(steps[-1] + 1), math.inf
    j = int(hit[0])
    upper = float(steps[j])
    return (upper if j == 0 else float(steps[j - 1] + 1)), upper


def log_bounds(lower: np.ndarray, upper: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``log`` of learning-time bounds: below one step the lower end is ``-inf``."""
    lower, upper = np.asarray(lower, dtype=np.float64), np.asarray(upper, dtype=np.float64)
    with np.errstate(divide="ignore"):
        a = np.where(lower >= 1, np.log(np.maximum(lower, 1)), -np.inf)
        b = np.log(np.maximum(upper, 1))
    return a, b


def _log_diff_ndtr(zb: np.ndarray, za: np.ndarray) -> np.ndarray:
    """``log(Phi(zb) - Phi(za))`` for ``za < zb``, accurate in both tails."""
    upper_tail = za > 0  # both in the upper tail: use Phi(-za) - Phi(-zb)
    hi = np.where(upper_tail, special.log_ndtr(-za), special.log_ndtr(zb))
    lo = np.where(upper_tail, special.log_ndtr(-zb), special.log_ndtr(za))
    with np.errstate(divide="ignore", invalid="ignore"):
        return hi + np.log1p(-np.exp(lo - hi))


def _log_phi(z: np.ndarray) -> np.ndarray:
    """Log of the standard normal density; ``-inf`` at infinite arguments."""
    with np.errstate(invalid="ignore", over="ignore"):
        return -0.5 * z**2 - 0.5 * math.log(2 * math.pi)


def interval_log_likelihood(
    theta: np.ndarray, x: np.ndarray, a: np.ndarray, b: np.ndarray
) -> tuple[float, np.ndarray]:
    """Negative log-likelihood of ``y ~ N(c + slope x, sigma^2)`` seen in ``[a, b]``, and gradient.

    ``theta = (c, slope, log sigma)``. Exact observations (``a == b``) enter
    with their density, the others with ``P(a <= y <= b)`` (``a = -inf`` or
    ``b = inf`` allowed). Returns ``(value, gradient)`` for :func:`scipy.optimize.minimize`.
    """
    c, slope, log_sigma = theta
    sigma = math.exp(log_sigma)
    mean = c + slope * x
    exact = a == b
    value, d_mean, d_log_sigma = 0.0, np.zeros_like(x), 0.0
    if exact.any():
        z = (a[exact] - mean[exact]) / sigma
        value += float(np.sum(log_sigma + 0.5 * z**2))
        d_mean[exact] = -z / sigma
        d_log_sigma += float(np.sum(1.0 - z**2))
    if (~exact).any():
        za = (a[~exact] - mean[~exact]) / sigma
        zb = (b[~exact] - mean[~exact]) / sigma
        log_p = _log_diff_ndtr(zb, za)
        value -= float(np.sum(log_p))
        with np.errstate(over="ignore", invalid="ignore"):
            ratio_a = np.exp(_log_phi(za) - log_p)  # phi(za) / P
            ratio_b = np.exp(_log_phi(zb) - log_p)
            d_mean[~exact] = np.nan_to_num((ratio_b - ratio_a) / sigma)
            za_term = np.where(np.isfinite(za), za, 0.0) * ratio_a
            zb_term = np.where(np.isfinite(zb), zb, 0.0) * ratio_b
            d_log_sigma += float(np.nan_to_num(np.sum(zb_term - za_term)))
    gradient = np.array([d_mean.sum(), (d_mean * x).sum(), d_log_sigma])
    return value, gradient


@dataclass(frozen=True)
class RegressionFit:
    """An interval-censored regression: ``slope`` is ``NaN`` when the data do not bound it."""

    slope: float
    intercept: float
    scale: float
    bounded_above: bool
    bounded_below: bool


def censored_regression(x: np.ndarray, a: np.ndarray, b: np.ndarray) -> RegressionFit:
    """Maximum-likelihood line through observations ``y`` known to lie in ``[a, b]``.

    The slope is bounded above only when at least two distinct ``x`` have an
    observation with a finite upper end, and below when two have a finite
    lower end; otherwise (or when the maximum runs off beyond
    :data:`MAX_SLOPE`) ``slope`` is ``NaN``. The scale is floored at
    :data:`MIN_SCALE`.
    """
    x, a, b = (np.asarray(v, dtype=np.float64) for v in (x, a, b))
    above = np.unique(x[np.isfinite(b)]).size >= 2
    below = np.unique(x[np.isfinite(a)]).size >= 2
    if not (above and below):
        return RegressionFit(math.nan, math.nan, math.nan, above, below)
    # start from a line through the midpoints of the bounded observations
    finite = np.isfinite(a) & np.isfinite(b)
    middle = np.where(finite, (a + b) / 2, np.where(np.isfinite(b), b, a))
    slope, intercept = np.polyfit(x, middle, 1) if np.ptp(x) > 0 else (0.0, middle.mean())
    scale = max(float(np.std(middle - intercept - slope * x)), MIN_SCALE)
    fit = optimize.minimize(
        interval_log_likelihood,
        np.array([intercept, slope, math.log(scale)]),
        args=(x, a, b),
        jac=True,
        method="L-BFGS-B",
        bounds=[(None, None), (-MAX_SLOPE, MAX_SLOPE), (math.log(MIN_SCALE), None)],
    )
    c, slope, log_sigma = fit.x
    if not np.isfinite(slope) or abs(slope) >= MAX_SLOPE * (1 - 1e-6):
        return RegressionFit(math.nan, math.nan, math.nan, above, below)
    return RegressionFit(float(slope), float(c), math.exp(log_sigma), above, below)


def exponent_lower_bound(x: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    """A lower bound on the exponent when right-censoring leaves it unbounded above.

    Take ``k0``, the highest ``x`` none of whose observations is censored, and
    its largest upper end; every higher ``x`` all of whose observations are
    right-censored took at least its smallest lower end. The largest slope
    through such a pair is returned (``NaN`` when there is none).
    """
    x, a, b = (np.asarray(v, dtype=np.float64) for v in (x, a, b))
    levels = np.unique(x)
    measured = [level for level in levels if np.isfinite(b[x == level]).all()]
    if not measured:
        return math.nan
    base = max(measured)
    slowest = b[x == base].max()
    bounds = [
        (a[x == level].min() - slowest) / (level - base)
        for level in levels
        if level > base and not np.isfinite(b[x == level]).any()
    ]
    return float(max(bounds)) if bounds else math.nan


def _resample(clusters: np.ndarray, strata: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Row indices of one bootstrap sample: clusters drawn with replacement within each stratum."""
    chosen = []
    for stratum in np.unique(strata):
        members = np.unique(clusters[strata == stratum])
        for cluster in rng.choice(members, size=members.size, replace=True):
            chosen.append(np.flatnonzero((clusters == cluster) & (strata == stratum)))
    return np.concatenate(chosen)


def percentile_interval(draws: np.ndarray, level: float) -> tuple[float, float]:
    """Percentile interval of bootstrap ``draws``; infinite draws count, at their end."""
    draws = np.sort(np.asarray(draws, dtype=np.float64))
    if not len(draws):
        return math.nan, math.nan
    tail = (1 - level) / 2
    # order statistics (the "inverted_cdf" rule) keep +-inf where they fall
    low = np.quantile(draws, tail, method="inverted_cdf")
    high = np.quantile(draws, 1 - tail, method="inverted_cdf")
    return float(low), float(high)


@dataclass(frozen=True)
class Estimate:
    """A statistic with its interval; ``bound`` says whether the value is only a bound."""

    value: float
    lower: float
    upper: float
    bound: str = "exact"  # "exact", "lower" (the value is at least this), "upper"
    replicates: int = 0
    unbounded: int = 0


def exponent_interval(
    x: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    clusters: np.ndarray,
    strata: np.ndarray | None = None,
    replicates: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> Estimate:
    """Exponent of ``t ~ k^alpha`` (``x = k``, times in ``[lower, upper]``), bootstrap interval.

    The point estimate is :func:`censored_regression` of ``log t`` on ``log k``.
    The interval is the percentile interval of ``replicates`` refits on
    cluster resamples (``clusters``, e.g. seeds, drawn with replacement within
    each of ``strata``). The records' resolution enters as bounds: in each
    replicate the slope is fitted twice, with every time known between two
    records put at the end of its interval that makes the slope smallest, and
    at the end that makes it largest (lower ends below the mean ``log k``,
    upper ends above it, and the reverse; a time at the mean keeps its
    interval); the interval runs from the lower percentile of the smallest
    slopes to the upper percentile of the largest, so times that all fall in
    one wide interval give a wide interval;
    right- and left-censored times stay censored. A replicate whose slope is
    unbounded above counts as ``+inf`` (and below as ``-inf``): none is
    dropped. When the full data leave the slope unbounded above, the value is
    ``NaN`` with ``bound="lower"`` and ``lower`` is :func:`exponent_lower_bound`.
    """
    log_x = np.log(np.asarray(x, dtype=np.float64))
    a, b = log_bounds(lower, upper)
    clusters = np.asarray(clusters)
    strata = np.zeros(len(log_x), dtype=int) if strata is None else np.asarray(strata)
    fit = censored_regression(log_x, a, b)
    if not fit.bounded_above:
        return Estimate(math.nan, exponent_lower_bound(log_x, a, b), math.inf, "lower")
    rng = np.random.default_rng(seed)
    draws = np.empty(replicates)
    finite = np.isfinite(a) & np.isfinite(b) & (a < b)
    highs = np.empty(replicates)
    # A replicate is a multiset of rows, its fits do not depend on their order: rows are
    # taken in index order, and each distinct resample is fitted once (with three seeds
    # as clusters there are ten).
    fitted: dict[bytes, tuple[float, float]] = {}
    for i in range(replicates):
        index = np.sort(_resample(clusters, strata, rng))
        key = index.tobytes()
        if key not in fitted:
            fitted[key] = _extreme_slopes(log_x[index], a[index], b[index], finite[index])
        draws[i], highs[i] = fitted[key]
    low = percentile_interval(draws, level)[0]
    high = percentile_interval(highs, level)[1]
    unbounded = int(np.sum(~np.isfinite(draws) | ~np.isfinite(highs)))
    return Estimate(fit.slope, low, high, "exact", replicates, unbounded)


def _extreme_slopes(
    x: np.ndarray, a: np.ndarray, b: np.ndarray, widths: np.ndarray
) -> tuple[float, float]:
    """The smallest and largest slopes of one replicate (:func:`exponent_interval`).

    Every time known between two records (``widths``) is put at the end of its
    interval that makes the slope smallest, then largest; a time at the mean
    ``log k`` itself (modes 1, 4, 16: the middle one) pulls neither way and keeps
    its interval, rather than a side that rounding of the mean would choose. An
    unbounded slope is ``-inf`` or ``+inf``.
    """
    mean = x.mean()
    right = x > mean
    moved = widths & ~np.isclose(x, mean, rtol=1e-12, atol=1e-12)
    slopes = []
    for sign in (1, -1):
        y = np.where(right == (sign > 0), a, b)  # sign 1: smallest slope
        refit = censored_regression(x, np.where(moved, y, a), np.where(moved, y, b))
        if np.isfinite(refit.slope):
            slopes.append(refit.slope)
        else:
            slopes.append(-math.inf if refit.bounded_above else math.inf)
    return slopes[0], slopes[1]


def median_bounds(lower: np.ndarray, upper: np.ndarray) -> tuple[float, float]:
    """Bounds on the median of values known to lie in ``[lower, upper]`` (it is monotone)."""
    return float(np.median(lower)), float(np.median(upper))


def _ratio_bounds(cells: list[tuple[tuple, tuple]]) -> tuple[float, float]:
    """Geometric mean over cells of the ratio of two medians, as ``(lowest, highest)`` possible."""
    logs_low, logs_high = [], []
    for (num_lower, num_upper), (den_lower, den_upper) in cells:
        num = median_bounds(num_lower, num_upper)
        den = median_bounds(den_lower, den_upper)
        logs_low.append(math.log(max(num[0], 1.0)) - math.log(max(den[1], 1.0)))
        logs_high.append(math.log(max(num[1], 1.0)) - math.log(max(den[0], 1.0)))
    return math.exp(np.mean(logs_low)), math.exp(np.mean(logs_high))


def ratio_interval(
    cells: list[tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]],
    replicates: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> Estimate:
    """Geometric mean over cells of (median numerator time) / (median denominator time).

    Each cell is ``((num_lower, num_upper), (den_lower, den_upper))``: the
    bounds of one sample's learning times per seed (times below one step
    count as one). The lowest and highest possible values follow from the
    bounds (interval and right censoring included); the interval runs from
    the lower percentile of the lowest values to the upper percentile of the
    highest ones over ``replicates`` resamples of the seeds of every sample.
    ``value`` is the geometric midpoint of the bounds, or the lowest value
    with ``bound="lower"`` when the highest is infinite (``"upper"`` when the
    lowest is 0).
    """
    low, high = _ratio_bounds(cells)
    rng = np.random.default_rng(seed)
    lows, highs = np.empty(replicates), np.empty(replicates)
    for i in range(replicates):
        resampled = []
        for numerator, denominator in cells:
            pick_n = rng.integers(0, len(numerator[0]), len(numerator[0]))
            pick_d = rng.integers(0, len(denominator[0]), len(denominator[0]))
            resampled.append(
                (
                    (np.asarray(numerator[0])[pick_n], np.asarray(numerator[1])[pick_n]),
                    (np.asarray(denominator[0])[pick_d], np.asarray(denominator[1])[pick_d]),
                )
            )
        lows[i], highs[i] = _ratio_bounds(resampled)
    lower = percentile_interval(lows, level)[0]
    upper = percentile_interval(highs, level)[1]
    if math.isinf(high):
        return Estimate(low, lower, upper, "lower", replicates)
    if low == 0:
        return Estimate(high, lower, upper, "upper", replicates)
    return Estimate(math.sqrt(low * high), lower, upper, "exact", replicates)


def paired_ratio_interval(
    numerator: tuple[np.ndarray, np.ndarray],
    denominator: tuple[np.ndarray, np.ndarray],
    replicates: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> Estimate:
    """Median over seeds of a within-run ratio of two learning times, with a seed bootstrap.

    ``numerator`` and ``denominator`` are ``(lower, upper)`` arrays with one
    entry per seed, paired (the same run). Bounds and value as in :func:`ratio_interval`.
    """
    num_lower, num_upper = (np.maximum(np.asarray(v, float), 1.0) for v in numerator)
    den_lower, den_upper = (np.maximum(np.asarray(v, float), 1.0) for v in denominator)
    lows, highs = num_lower / den_upper, num_upper / den_lower
    low, high = float(np.median(lows)), float(np.median(highs))
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(lows), (replicates, len(lows)))
    lower = percentile_interval(np.median(lows[picks], axis=1), level)[0]
    upper = percentile_interval(np.median(highs[picks], axis=1), level)[1]
    if math.isinf(high):
        return Estimate(low, lower, upper, "lower", replicates)
    return Estimate(math.sqrt(low * high), lower, upper, "exact", replicates)


def fem_ratio_interval(
    errors: np.ndarray, reference: float, replicates: int = 1000, level: float = 0.95, seed: int = 0
) -> Estimate:
    """Median over seeds of ``errors`` over a fixed ``reference`` error, with a seed bootstrap."""
    ratios = np.asarray(errors, dtype=np.float64) / float(reference)
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(ratios), (replicates, len(ratios)))
    lower, upper = percentile_interval(np.median(ratios[picks], axis=1), level)
    return Estimate(float(np.median(ratios)), lower, upper, "exact", replicates)


def newcombe_interval(p1: float, p2: float, n1: int, n2: int, level: float = 0.95) -> Estimate:
    """Difference ``p1 - p2`` of two proportions with Newcombe's hybrid score interval.

    Newcombe (1998), method 10: the Wilson score intervals ``[l_i, u_i]`` of
    each proportion combine into ``d - sqrt((p1 - l1)^2 + (u2 - p2)^2)`` and
    ``d + sqrt((u1 - p1)^2 + (p2 - l2)^2)``.
    """
    z = stats.norm.ppf((1 + level) / 2)

    def wilson(p: float, n: int) -> tuple[float, float]:
        centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
        half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
        return centre - half, centre + half

    (l1, u1), (l2, u2) = wilson(p1, n1), wilson(p2, n2)
    difference = p1 - p2
    return Estimate(
        difference,
        difference - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
        difference + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2),
    )


@dataclass(frozen=True)
class Outcome:
    """A test's verdict on an interval, and why when it is not ``holds``."""

    verdict: str  # "holds", "does not hold" or "undetermined"
    reason: str = ""


def _undecided(lower: float, upper: float) -> Outcome | None:
    if math.isnan(lower) or math.isnan(upper):
        return Outcome("undetermined", "the data give no interval")
    return None


def _interval(lower: float, upper: float) -> str:
    return f"[{lower:.3g}, {upper:.3g}]"


def above(lower: float, upper: float, threshold: float, strict: bool = True) -> Outcome:
    """Holds when the interval lies above ``threshold``; does not hold when it lies below."""
    if (undecided := _undecided(lower, upper)) is not None:
        return undecided
    if lower > threshold or (not strict and lower >= threshold):
        return Outcome("holds")
    if upper < threshold:
        return Outcome("does not hold", f"interval {_interval(lower, upper)} below {threshold:g}")
    return Outcome("undetermined", f"interval {_interval(lower, upper)} contains {threshold:g}")


def below(lower: float, upper: float, threshold: float) -> Outcome:
    """Holds when the interval lies at or below ``threshold``; does not hold when above."""
    if (undecided := _undecided(lower, upper)) is not None:
        return undecided
    if upper <= threshold:
        return Outcome("holds")
    if lower > threshold:
        return Outcome("does not hold", f"interval {_interval(lower, upper)} above {threshold:g}")
    return Outcome("undetermined", f"interval {_interval(lower, upper)} contains {threshold:g}")


def inside(lower: float, upper: float, low: float, high: float) -> Outcome:
    """Equivalence: holds when the interval lies inside ``[low, high]``; fails when outside it."""
    if (undecided := _undecided(lower, upper)) is not None:
        return undecided
    if low <= lower and upper <= high:
        return Outcome("holds")
    if lower > high or upper < low:
        side = "above" if lower > high else "below"
        return Outcome(
            "does not hold", f"interval {_interval(lower, upper)} {side} [{low:.3g}, {high:.3g}]"
        )
    return Outcome(
        "undetermined",
        f"interval {_interval(lower, upper)} not inside [{low:.3g}, {high:.3g}]",
    )

"""Summaries of training runs and Gram spectra, as tidy tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

RUN_KEYS = ["initialisation", "activation", "optimizer", "frequency", "seed"]


def iterations_to_tolerance(history: pd.DataFrame, tolerance: float) -> tuple[int, bool]:
    """First logged step whose relative L2 error is below ``tolerance``.

    ``history`` has columns ``step`` and ``relative_l2_error``. Returns
    ``(step, censored)``: when no logged step reaches the tolerance, the last
    logged step and ``censored=True`` (a lower bound, not a measurement).
    """
    ordered = history.sort_values("step")
    below = ordered.loc[ordered["relative_l2_error"] < tolerance, "step"]
    if below.empty:
        return int(ordered["step"].iloc[-1]), True
    return int(below.iloc[0]), False


def summarise_runs(history: pd.DataFrame, tolerance: float) -> pd.DataFrame:
    """One row per run: final error, iterations to ``tolerance`` and censoring.

    ``history`` is the aggregated history table (columns :data:`RUN_KEYS`,
    ``status``, ``step``, ``relative_l2_error``). The result has columns
    :data:`RUN_KEYS`, ``status``, ``steps``, ``final_error``,
    ``iterations_to_tolerance`` and ``censored``.
    """
    rows = []
    for keys, run in history.groupby(RUN_KEYS, sort=True):
        iterations, censored = iterations_to_tolerance(run, tolerance)
        last = run.sort_values("step").iloc[-1]
        rows.append(
            {
                **dict(zip(RUN_KEYS, keys, strict=True)),
                "status": run["status"].iloc[0],
                "steps": int(last["step"]),
                "final_error": float(last["relative_l2_error"]),
                "iterations_to_tolerance": iterations,
                "censored": censored or run["status"].iloc[0] == "diverged",
            }
        )
    return pd.DataFrame(rows)


def censored_slope(
    log_frequency: np.ndarray, log_iterations: np.ndarray, censored: np.ndarray
) -> float:
    """Slope of a censored normal regression (Tobit) of ``log_iterations`` on ``log_frequency``.

    A censored run's value is its cap, known only as a lower bound: it enters
    the likelihood as ``P(log iterations >= log cap)``, not as a measurement and
    not dropped. Residual scale is floored at :data:`MIN_SCALE` (iterations are
    logged on a grid, and identical counts would make the scale zero). Returns
    ``NaN`` when fewer than two distinct frequencies have an uncensored run: the
    data then put no upper limit on the slope.
    """
    from scipy.optimize import minimize
    from scipy.special import log_ndtr

    x = np.asarray(log_frequency, dtype=np.float64)
    y = np.asarray(log_iterations, dtype=np.float64)
    cut = np.asarray(censored, dtype=bool)
    if np.unique(x[~cut]).size < 2:
        return float("nan")
    slope, intercept = np.polyfit(x[~cut], y[~cut], 1)
    scale = max(float(np.std(y[~cut] - intercept - slope * x[~cut])), MIN_SCALE)

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        a, b, s = theta
        sigma = np.exp(s)
        mean = a + b * x
        z = (y - mean) / sigma
        u = -z  # (mean - cap) / sigma for censored runs
        log_survival = log_ndtr(u[cut])
        mills = np.exp(-0.5 * u[cut] ** 2 - 0.5 * np.log(2 * np.pi) - log_survival)
        value = np.sum(s + 0.5 * z[~cut] ** 2) - np.sum(log_survival)
        d_mean = np.zeros_like(x)
        d_mean[~cut] = -z[~cut] / sigma
        d_mean[cut] = -mills / sigma
        d_s = np.sum(1.0 - z[~cut] ** 2) + np.sum(mills * u[cut])
        return float(value), np.array([d_mean.sum(), (d_mean * x).sum(), d_s])

    fit = minimize(
        objective,
        np.array([intercept, slope, np.log(scale)]),
        jac=True,
        method="L-BFGS-B",
        bounds=[(None, None), (None, None), (np.log(MIN_SCALE), None)],
    )
    return float(fit.x[1]) if fit.success and np.isfinite(fit.x[1]) else float("nan")


def censored_lower_bound(
    log_frequency: np.ndarray, log_iterations: np.ndarray, censored: np.ndarray
) -> float:
    """A lower bound on the slope when too few frequencies have uncensored runs to fit it.

    Take ``k0``, the highest frequency at which no run is censored, and the
    slowest of its runs; every run at a higher frequency ``k`` whose runs are
    all censored took at least its cap ``c``. A power law through both then
    has slope at least ``(log c - log it0) / (log k - log k0)``; the largest
    such value over those ``k`` is returned (``NaN`` when there is no pair).
    """
    x = np.asarray(log_frequency, dtype=np.float64)
    y = np.asarray(log_iterations, dtype=np.float64)
    cut = np.asarray(censored, dtype=bool)
    levels = np.unique(x)
    measured = [level for level in levels if not cut[x == level].any()]
    if not measured:
        return float("nan")
    base = max(measured)
    slowest = y[x == base].max()
    bounds = [
        (y[x == level].min() - slowest) / (level - base)
        for level in levels
        if level > base and cut[x == level].all()
    ]
    return float(max(bounds)) if bounds else float("nan")


#: Floor on the residual scale of :func:`censored_slope`, in log iterations.
MIN_SCALE = 0.01

#: Bootstrap replicates and confidence level of the learning-time exponents.
BOOTSTRAP_REPLICATES = 1000
EXPONENT_CONFIDENCE = 0.95


def learning_time_exponents(
    summary: pd.DataFrame,
    replicates: int = BOOTSTRAP_REPLICATES,
    level: float = EXPONENT_CONFIDENCE,
    seed: int = 0,
) -> pd.DataFrame:
    """Slope of log(iterations to tolerance) against log(frequency), per model and optimizer.

    ``summary`` has one row per run (:func:`summarise_runs`). Per
    ``initialisation`` (when present), ``activation`` and ``optimizer``: the
    censored-regression slope over every run (:func:`censored_slope`) and a
    percentile bootstrap interval at ``level``, resampling the seeds of each
    frequency with replacement ``replicates`` times (seeded by ``seed``).
    Columns: the group keys, ``exponent``, ``lower``, ``upper``, ``runs``,
    ``censored_runs`` and ``valid_replicates`` (replicates whose slope was
    identified). A slope the data cannot bound above is ``NaN``; its ``lower``
    is then the bound of :func:`censored_lower_bound` (``NaN`` if none).
    """
    keys = [key for key in ("initialisation", "activation", "optimizer") if key in summary]
    rng = np.random.default_rng(seed)
    rows = []
    for group_keys, group in summary.groupby(keys, sort=True):
        group = group.sort_values(["frequency", "seed"] if "seed" in group else ["frequency"])
        x = np.log(group["frequency"].to_numpy(dtype=np.float64))
        y = np.log(np.maximum(group["iterations_to_tolerance"].to_numpy(dtype=np.float64), 1.0))
        cut = group["censored"].to_numpy(dtype=bool)
        exponent = censored_slope(x, y, cut)
        blocks = [np.flatnonzero(x == value) for value in np.unique(x)]
        draws = []
        if np.isfinite(exponent):
            for _ in range(replicates):
                index = np.concatenate([rng.choice(b, size=b.size, replace=True) for b in blocks])
                draws.append(censored_slope(x[index], y[index], cut[index]))
        draws = np.asarray(draws)
        valid = draws[np.isfinite(draws)]
        enough = valid.size >= 0.9 * replicates and valid.size > 0
        tail = 100 * (1 - level) / 2
        lower, upper = np.percentile(valid, [tail, 100 - tail]) if enough else (np.nan, np.nan)
        if not np.isfinite(exponent):
            lower = censored_lower_bound(x, y, cut)
        rows.append(
            {
                **dict(zip(keys, np.atleast_1d(group_keys), strict=True)),
                "exponent": exponent,
                "lower": float(lower),
                "upper": float(upper),
                "runs": len(group),
                "censored_runs": int(cut.sum()),
                "valid_replicates": int(valid.size),
            }
        )
    return pd.DataFrame(rows)


def _censored_median(values: np.ndarray, censored: np.ndarray) -> tuple[float, bool]:
    """Median of values some of which are only lower bounds: ``(median, is_lower_bound)``.

    Censored values are ranked above every measured one (their true value is at
    least the cap, which is the largest step a run logs); the median is a lower
    bound when the middle element is censored.
    """
    order = np.lexsort((values, censored))
    values, censored = values[order], censored[order]
    middle = (len(values) - 1) / 2
    low, high = int(np.floor(middle)), int(np.ceil(middle))
    return float((values[low] + values[high]) / 2), bool(censored[high])


def speedups(summary: pd.DataFrame, fast: str = "hat", slow: str = "relu") -> pd.DataFrame:
    """Ratio of median iterations to tolerance, ``slow`` over ``fast``, per optimizer and frequency.

    Columns ``optimizer``, ``frequency``, ``slow_iterations``, ``fast_iterations``
    (medians over seeds), ``speedup`` and ``bound``: ``"exact"``, ``"lower"`` (the
    slow median is censored, so the speed-up is at least this), ``"upper"`` (the
    fast one is) or ``"none"`` (both censored: ``speedup`` is ``NaN``).
    """
    rows = []
    for (optimizer, frequency), group in summary.groupby(["optimizer", "frequency"], sort=True):
        medians = {}
        for name in (slow, fast):
            runs = group[group["activation"] == name]
            if runs.empty:
                break
            medians[name] = _censored_median(
                runs["iterations_to_tolerance"].to_numpy(dtype=np.float64),
                runs["censored"].to_numpy(dtype=bool),
            )
        if len(medians) < 2:
            continue
        (slow_value, slow_cut), (fast_value, fast_cut) = medians[slow], medians[fast]
        bound = {(False, False): "exact", (True, False): "lower", (False, True): "upper"}.get(
            (slow_cut, fast_cut), "none"
        )
        ratio = slow_value / max(fast_value, 1.0) if bound != "none" else float("nan")
        rows.append(
            {
                "optimizer": optimizer,
                "frequency": int(frequency),
                "slow_iterations": slow_value,
                "fast_iterations": fast_value,
                "speedup": ratio,
                "bound": bound,
            }
        )
    return pd.DataFrame(rows)


def choose_learning_rate(search: pd.DataFrame) -> float:
    """The learning rate the selection rule picks from a search table.

    ``search`` has one row per candidate and seed: ``learning_rate``,
    ``final_error`` (relative L2 error after the selection run) and ``status``.
    Rule: among candidates none of whose seeds diverged, the lowest median
    final error; ties go to the smaller rate. When every candidate diverged,
    the smallest rate (its runs then report their divergence).
    """
    stable = search.groupby("learning_rate").filter(
        lambda runs: (runs["status"] != "diverged").all() and np.isfinite(runs["final_error"]).all()
    )
    if stable.empty:
        return float(search["learning_rate"].min())
    medians = stable.groupby("learning_rate")["final_error"].median().sort_index()
    return float(medians.idxmin())


SEARCH_MEASURES = ("learning_rate", "seed", "final_error", "status", "chosen", "chosen_rate")


def selection_edges(search: pd.DataFrame) -> pd.DataFrame:
    """Where each selection's chosen learning rate lies in its grid of candidates.

    ``search`` is a learning-rate search table, one row per candidate and seed:
    ``learning_rate``, ``seed``, ``final_error``, ``status`` and either
    ``chosen`` (True on the chosen candidate's rows) or ``chosen_rate``; every
    other column identifies a selection (activation, optimizer, setting...).
    Returns one row per selection: those columns, ``learning_rate`` (the
    chosen one), ``candidates`` (how many) and ``position``: ``"smallest"`` or
    ``"largest"`` when it is an end of the grid (a better rate may lie beyond
    it), ``"inside"`` otherwise or when the grid has one candidate.
    """
    if "chosen" not in search.columns and "chosen_rate" not in search.columns:
        raise ValueError("a search table needs a 'chosen' or a 'chosen_rate' column")
    keys = [c for c in search.columns if c not in SEARCH_MEASURES]
    rows = []
    for group_keys, group in search.groupby(keys, sort=True) if keys else [((), search)]:
        if "chosen" in group.columns:
            chosen = group.loc[group["chosen"].astype(bool), "learning_rate"].unique()
        else:
            chosen = group["chosen_rate"].unique()
        if len(chosen) != 1:
            raise ValueError(f"selection {group_keys!r} has {len(chosen)} chosen rates, not one")
        rate, candidates = float(chosen[0]), np.sort(group["learning_rate"].unique())
        position = "inside"
        if len(candidates) > 1 and np.isclose(rate, candidates[-1]):
            position = "largest"
        elif len(candidates) > 1 and np.isclose(rate, candidates[0]):
            position = "smallest"
        rows.append(
            {
                **dict(zip(keys, np.atleast_1d(group_keys), strict=True)),
                "learning_rate": rate,
                "candidates": len(candidates),
                "position": position,
            }
        )
    return pd.DataFrame(rows, columns=[*keys, "learning_rate", "candidates", "position"])


def condition_numbers(spectra: pd.DataFrame) -> pd.DataFrame:
    """Condition number ``lambda_max / lambda_min`` per basis and grid, from mode tables.

    ``spectra`` has columns ``basis``, ``mesh_ratio``, ``num_elements`` and
    ``eigenvalue``; so has the result, with ``condition_number`` for the last.
    """
    keys = ["basis", "mesh_ratio", "num_elements"]
    grouped = spectra.groupby(keys)["eigenvalue"]
    table = (grouped.max() / grouped.min()).rename("condition_number").reset_index()
    return table.sort_values(keys, ignore_index=True)


def decay_exponents(spectra: pd.DataFrame) -> pd.DataFrame:
    """Eigenvalue decay exponent per basis and uniform grid (:func:`hatlib.modes.decay_exponent`).

    Columns ``basis``, ``num_elements``, ``exponent``, ``lower``, ``upper``
    (95% interval) and ``points`` (modes in the fit).
    """
    from hatlib.modes import decay_exponent

    rows = []
    uniform = spectra[spectra["mesh_ratio"] == 1]
    for (basis, size), modes in uniform.groupby(["basis", "num_elements"]):
        fit = decay_exponent(modes, int(size))
        rows.append({"basis": basis, "num_elements": int(size), **vars(fit)})
    return pd.DataFrame(rows)


def compare_gd_steps(predicted: pd.DataFrame, measured: pd.DataFrame) -> pd.DataFrame:
    """Join predicted and measured steps per activation and target.

    Adds ``relative_difference = |measured - predicted| / predicted``, ``NaN``
    where the measured run was censored (the prediction exceeded its cap).
    """
    table = predicted.merge(
        measured[["activation", "target", "measured_steps", "censored"]],
        on=["activation", "target"],
        how="inner",
        validate="one_to_one",
    )
    difference = (table["measured_steps"] - table["predicted_steps"]).abs()
    table["relative_difference"] = (difference / table["predicted_steps"]).where(~table["censored"])
    return table.sort_values(["activation", "kind", "index"], ignore_index=True)


def combine_runs(tables: list[pd.DataFrame], metadata: list[dict]) -> pd.DataFrame:
    """Stack per-job tables (one row block per seed), tagged with the run keys and status.

    ``metadata[i]`` is the description written beside ``tables[i]`` (see
    :func:`hatlib.experiments.run_sine_fit`); ``tables[i]`` has a ``seed``
    column. The result has the columns :data:`RUN_KEYS`, ``status`` and the
    rest of the tables', sorted by run and step.
    """
    if len(tables) != len(metadata):
        raise ValueError(f"{len(tables)} tables but {len(metadata)} metadata records")
    tagged = []
    for table, job in zip(tables, metadata, strict=True):
        keys = {
            "initialisation": job["model"]["initialisation"],
            "activation": job["model"]["activation"],
            "optimizer": job["training"]["optimizer"],
            "frequency": int(job["frequency"]),
        }
        status = table["seed"].astype(str).map(job["status"])
        if status.isna().any():
            raise ValueError(f"seeds {sorted(set(table['seed']))} do not match the metadata")
        rest = [column for column in table.columns if column != "seed"]
        tagged.append(table.assign(**keys, status=status)[[*RUN_KEYS, "status", *rest]])
    combined = pd.concat(tagged, ignore_index=True)
    return combined.sort_values([*RUN_KEYS, "step"], kind="stable", ignore_index=True)


def learning_iterations(spectrum: pd.DataFrame, tolerance: float, keys: list[str]) -> pd.DataFrame:
    """First logged step at which each component's error is below ``tolerance``, per run.

    ``spectrum`` has the columns ``keys`` (identifying a run and a component),
    ``step`` and ``relative_error``. Returns one row per ``keys``:
    ``iterations`` and ``censored`` (never below: ``iterations`` is the last
    logged step, a lower bound).
    """
    rows = []
    for group_keys, run in spectrum.groupby(keys, sort=True):
        frame = run.rename(columns={"relative_error": "relative_l2_error"})
        iterations, censored = iterations_to_tolerance(frame, tolerance)
        rows.append(
            {
                **dict(zip(keys, np.atleast_1d(group_keys), strict=True)),
                "iterations": iterations,
                "censored": censored,
            }
        )
    return pd.DataFrame(rows)


def spectral_bias_ratios(learned: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """How much later the highest frequency is learned than the lowest, per group.

    ``learned`` (:func:`learning_iterations`) has the columns ``keys``, ``seed``,
    ``frequency`` (the component's frequency magnitude), ``iterations`` and
    ``censored``. Per group and seed the ratio ``max(iterations at the highest
    frequency, 1) / max(iterations at the lowest, 1)``; the result has per
    group ``ratio`` (median over seeds), ``bound`` (``"lower"`` when the median
    seed's highest frequency was censored: the ratio is at least this;
    ``"none"`` when its lowest was too) and ``seeds``.
    """
    rows = []
    for group_keys, group in learned.groupby(keys, sort=True):
        ratios, lower, unknown = [], [], []
        for _, run in group.groupby("seed"):
            run = run.sort_values("frequency")
            low, high = run.iloc[0], run.iloc[-1]
            ratios.append(max(high["iterations"], 1) / max(low["iterations"], 1))
            lower.append(bool(high["censored"]))
            unknown.append(bool(low["censored"]))
        ratios, lower, unknown = map(np.asarray, (ratios, lower, unknown))
        median, is_lower = _censored_median(ratios, lower)
        bound = "none" if unknown.sum() * 2 >= len(ratios) else ("lower" if is_lower else "exact")
        rows.append(
            {
                **dict(zip(keys, np.atleast_1d(group_keys), strict=True)),
                "ratio": median if bound != "none" else float("nan"),
                "bound": bound,
                "seeds": len(ratios),
            }
        )
    return pd.DataFrame(rows)


def stack_tagged(tables: list[pd.DataFrame], tags: list[dict]) -> pd.DataFrame:
    """Stack ``tables``, each with the columns of its ``tags`` record prepended."""
    if len(tables) != len(tags):
        raise ValueError(f"{len(tables)} tables but {len(tags)} tag records")
    tagged = [
        table.assign(**tag)[[*tag, *table.columns]] for table, tag in zip(tables, tags, strict=True)
    ]
    return pd.concat(tagged, ignore_index=True)


def final_errors(spectrum: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per ``keys`` (a run and component): the error at the last logged step."""
    last = spectrum.sort_values("step").groupby(keys, sort=True).tail(1)
    return last[[*keys, "relative_error"]].sort_values(keys, ignore_index=True)


def method_comparison(learned: pd.DataFrame, final: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Final error and iterations until every frequency is learned, per method.

    ``learned`` (:func:`learning_iterations`) has the columns ``keys``, ``seed``,
    ``frequency``, ``iterations`` and ``censored``; ``final`` the columns
    ``keys``, ``seed`` and ``relative_l2_error`` (at the last step). Per run the
    iterations until every frequency is learned are the largest over its
    frequencies (censored when any is). Returns per ``keys``: ``final_error``
    (median over seeds), ``iterations`` (median over seeds, censored runs ranked
    last), ``censored`` (the median is only a lower bound) and ``seeds``.
    """
    per_run = (
        learned.groupby([*keys, "seed"], sort=True)
        .agg(iterations=("iterations", "max"), censored=("censored", "any"))
        .reset_index()
    )
    rows = []
    for group_keys, runs in per_run.groupby(keys, sort=True):
        median, lower = _censored_median(
            runs["iterations"].to_numpy(dtype=float), runs["censored"].to_numpy(dtype=bool)
        )
        rows.append(
            {
                **dict(zip(keys, np.atleast_1d(group_keys), strict=True)),
                "iterations": median,
                "censored": lower,
                "seeds": len(runs),
            }
        )
    table = pd.DataFrame(rows)
    errors = final.groupby(keys, sort=True)["relative_l2_error"].median().rename("final_error")
    table = table.merge(errors.reset_index(), on=keys, how="left")
    return table[[*keys, "final_error", "iterations", "censored", "seeds"]]


def error_summary(
    history: pd.DataFrame, error: str, tolerance: float, keys: list[str]
) -> pd.DataFrame:
    """Final error and iterations until ``error`` is below ``tolerance``, per ``keys``.

    ``history`` has the columns ``keys``, ``seed``, ``step`` and ``error``.
    Returns per ``keys``: ``final_error`` (median over seeds of the last
    logged value), ``iterations`` (median over seeds, runs that never reach the
    tolerance ranked last at their last step), ``censored`` (the median is a
    lower bound) and ``seeds``.
    """
    rows = []
    for group_keys, group in history.groupby(keys, sort=True):
        steps, censored, finals = [], [], []
        for _, run in group.groupby("seed", sort=True):
            run = run.sort_values("step")
            values = pd.DataFrame({"step": run["step"], "relative_l2_error": run[error]})
            step, is_censored = iterations_to_tolerance(values, tolerance)
            steps.append(step)
            censored.append(is_censored)
            finals.append(float(run[error].iloc[-1]))
        median, lower = _censored_median(np.asarray(steps, float), np.asarray(censored, bool))
        rows.append(
            {
                **dict(zip(keys, np.atleast_1d(group_keys), strict=True)),
                "final_error": float(np.median(finals)),
                "iterations": median,
                "censored": lower,
                "seeds": len(steps),
            }
        )
    return pd.DataFrame(rows)

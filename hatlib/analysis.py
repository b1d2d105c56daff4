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


def summarise_runs(
    history: pd.DataFrame, tolerance: float, crossings: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per run: final error, learning time (bounds) at ``tolerance`` and censoring.

    ``history`` is the aggregated history table (columns :data:`RUN_KEYS`,
    ``status``, ``step``, ``relative_l2_error``); ``crossings`` (columns
    :data:`RUN_KEYS`, ``tolerance``, ``first_step``) the exact first steps
    below each tolerance the engine found (-1: never). A run with a crossing
    at ``tolerance`` gets its exact learning time (``lower == upper``), or
    ``lower`` one past its last step and ``upper = inf`` when it never got
    there; otherwise the bounds come from its records
    (:func:`hatlib.statistics.crossing_interval`). The result has columns
    :data:`RUN_KEYS`, ``status``, ``steps``, ``final_error``, ``lower``,
    ``upper``, ``iterations_to_tolerance`` (``upper``, or the last step when
    censored), ``censored`` and ``diverged`` (diverged before learning: no
    learning time, left out of every statistic).
    """
    from hatlib.statistics import crossing_interval

    exact = {}
    if crossings is not None and len(crossings):
        chosen = crossings[np.isclose(crossings["tolerance"], tolerance)]
        exact = {tuple(row[:-1]): int(row[-1]) for row in chosen[[*RUN_KEYS, "first_step"]].values}
    rows = []
    for keys, run in history.groupby(RUN_KEYS, sort=True):
        run = run.sort_values("step")
        last = run.iloc[-1]
        status = run["status"].iloc[0]
        first = exact.get(tuple(keys))
        if first is None:
            lower, upper = crossing_interval(run["step"], run["relative_l2_error"], tolerance)
        elif first >= 0:
            lower = upper = float(first)
        else:
            lower, upper = float(last["step"] + 1), np.inf
        censored = bool(np.isinf(upper))
        rows.append(
            {
                **dict(zip(RUN_KEYS, keys, strict=True)),
                "status": status,
                "steps": int(last["step"]),
                "final_error": float(last["relative_l2_error"]),
                "lower": lower,
                "upper": upper,
                "iterations_to_tolerance": int(last["step"]) if censored else int(upper),
                "censored": censored,
                "diverged": censored and status == "diverged",
            }
        )
    return pd.DataFrame(rows)


#: Bootstrap replicates and confidence level of the learning-time exponents.
BOOTSTRAP_REPLICATES = 1000
EXPONENT_CONFIDENCE = 0.95


def learning_time_exponents(
    summary: pd.DataFrame,
    replicates: int = BOOTSTRAP_REPLICATES,
    level: float = EXPONENT_CONFIDENCE,
    seed: int = 0,
    keys: list[str] | None = None,
    cluster: str | None = None,
    workers: int = 1,
) -> pd.DataFrame:
    """Exponent of learning time against frequency, ``t ~ k^alpha``, per group, with an interval.

    ``summary`` has one row per learning time: the group ``keys`` (default:
    ``initialisation`` when present, ``activation``, ``optimizer``),
    ``frequency``, ``seed``, ``lower``, ``upper`` (bounds in steps) and
    optionally ``diverged``. Diverged rows are left out and counted. The
    exponent is :func:`hatlib.statistics.exponent_interval`: without
    ``cluster``, runs are independent and resampled within each frequency
    (the single-frequency grid); with ``cluster`` (e.g. ``"seed"``: one run
    holds every frequency) whole clusters are resampled. Columns: the keys,
    ``exponent``, ``lower``, ``upper``, ``bound`` (``"lower"``: censoring
    leaves the exponent unbounded above and ``lower`` is a bound), ``runs``,
    ``censored_runs``, ``diverged_runs`` and ``unbounded_replicates``. Groups are
    bootstrapped in up to ``workers`` processes (the same numbers, bit for bit).
    """
    from hatlib.runtime import map_in_processes
    from hatlib.statistics import exponent_interval

    if keys is None:
        keys = [k for k in ("initialisation", "activation", "optimizer") if k in summary]
    rows, tasks = [], []
    for group_keys, group in summary.groupby(keys, sort=True):
        diverged = (
            group["diverged"].to_numpy(bool) if "diverged" in group else np.zeros(len(group), bool)
        )
        used = group[~diverged].sort_values(["frequency", "seed"])
        upper = used["upper"].to_numpy(dtype=np.float64)
        if cluster is None:
            clusters, strata = np.arange(len(used)), used["frequency"].to_numpy()
        else:
            clusters, strata = used[cluster].to_numpy(), None
        tasks.append(
            (
                used["frequency"].to_numpy(dtype=np.float64),
                used["lower"].to_numpy(dtype=np.float64),
                upper,
                clusters,
                strata,
                replicates,
                level,
                seed,
            )
        )
        rows.append(
            {
                **dict(zip(keys, np.atleast_1d(group_keys), strict=True)),
                "runs": len(used),
                "censored_runs": int(np.isinf(upper).sum()),
                "diverged_runs": int(diverged.sum()),
            }
        )
    for row, estimate in zip(
        rows, map_in_processes(exponent_interval, tasks, workers), strict=True
    ):
        row.update(
            exponent=estimate.value,
            lower=estimate.lower,
            upper=estimate.upper,
            bound=estimate.bound,
            unbounded_replicates=estimate.unbounded,
        )
    columns = [*keys, "exponent", "lower", "upper", "bound", "runs", "censored_runs"]
    return pd.DataFrame(rows, columns=[*columns, "diverged_runs", "unbounded_replicates"])


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


def _bounds(runs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    return runs["lower"].to_numpy(dtype=np.float64), runs["upper"].to_numpy(dtype=np.float64)


def speedup_cells(
    summary: pd.DataFrame, optimizer: str, fast: str = "hat", slow: str = "relu"
) -> dict[int, tuple]:
    """Per frequency, the learning-time bounds of ``slow`` and ``fast`` (diverged runs left out)."""
    diverged = summary["diverged"] if "diverged" in summary else False
    used = summary[(summary["optimizer"] == optimizer) & ~np.asarray(diverged, dtype=bool)]
    cells = {}
    for frequency, group in used.groupby("frequency", sort=True):
        slow_runs, fast_runs = (
            group[group["activation"] == slow],
            group[group["activation"] == fast],
        )
        if len(slow_runs) and len(fast_runs):
            cells[int(frequency)] = (_bounds(slow_runs), _bounds(fast_runs))
    return cells


def speedups(
    summary: pd.DataFrame,
    fast: str = "hat",
    slow: str = "relu",
    replicates: int = BOOTSTRAP_REPLICATES,
    level: float = EXPONENT_CONFIDENCE,
    seed: int = 0,
) -> pd.DataFrame:
    """Hat's speed-up over ReLU: median learning time of ``slow`` over ``fast``, per optimizer, k.

    ``summary`` (:func:`summarise_runs`) has ``activation``, ``optimizer``,
    ``frequency``, ``lower`` and ``upper``. Per optimizer and frequency, and
    over all frequencies (``frequency = 0``: the geometric mean of the
    per-frequency ratios), :func:`hatlib.statistics.ratio_interval`: columns
    ``optimizer``, ``frequency``, ``slow_iterations`` and ``fast_iterations``
    (medians of the upper ends), ``speedup``, ``lower``, ``upper`` (interval)
    and ``bound``: ``"exact"``, ``"lower"`` (a censored ``slow`` time: the
    speed-up is at least this), ``"upper"`` (a censored ``fast`` one) or
    ``"none"`` (both: ``speedup`` is ``NaN``).
    """
    from hatlib.statistics import ratio_interval

    rows = []
    for optimizer in sorted(summary["optimizer"].unique()):
        cells = speedup_cells(summary, optimizer, fast, slow)
        for frequency in [*cells, *([0] if cells and 0 not in cells else [])]:
            chosen = list(cells.values()) if frequency == 0 else [cells[frequency]]
            estimate = ratio_interval(chosen, replicates, level, seed)
            bound = estimate.bound
            if np.isinf(estimate.upper) and estimate.lower == 0:
                bound = "none"
            rows.append(
                {
                    "optimizer": optimizer,
                    "frequency": frequency,
                    "slow_iterations": float(np.median([np.median(c[0][1]) for c in chosen])),
                    "fast_iterations": float(np.median([np.median(c[1][1]) for c in chosen])),
                    "speedup": estimate.value if bound != "none" else float("nan"),
                    "lower": estimate.lower,
                    "upper": estimate.upper,
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
    :func:`hatlib.experiments.single_frequency.run_sine_fit`); ``tables[i]`` has a ``seed``
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


def learning_iterations(
    spectrum: pd.DataFrame,
    tolerance: float,
    keys: list[str],
    value: str = "relative_error",
    below: bool = True,
) -> pd.DataFrame:
    """When each component's ``value`` first crossed ``tolerance``, per run, from its records.

    ``spectrum`` has the columns ``keys`` (identifying a run and a component),
    ``step`` and ``value``; ``below`` looks for the first record under the
    tolerance (an error), otherwise at or above it (a magnitude). Returns one
    row per ``keys``: ``lower`` and ``upper``
    (:func:`hatlib.statistics.crossing_interval`), ``iterations`` (``upper``,
    or the last recorded step when never crossed) and ``censored``.
    """
    from hatlib.statistics import crossing_interval

    rows = []
    for group_keys, run in spectrum.sort_values("step").groupby(keys, sort=True):
        lower, upper = crossing_interval(run["step"], run[value], tolerance, below)
        censored = bool(np.isinf(upper))
        rows.append(
            {
                **dict(zip(keys, np.atleast_1d(group_keys), strict=True)),
                "lower": lower,
                "upper": upper,
                "iterations": int(lower - 1) if censored else int(upper),
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


def paired_ratios(
    learned: pd.DataFrame,
    keys: list[str],
    replicates: int = BOOTSTRAP_REPLICATES,
    level: float = EXPONENT_CONFIDENCE,
    seed: int = 0,
) -> pd.DataFrame:
    """High- over low-frequency learning time within each run, median over seeds, with an interval.

    ``learned`` (:func:`learning_iterations`) has the columns ``keys``,
    ``seed``, ``frequency`` (the component's order: lowest and highest are
    compared), ``lower`` and ``upper``. Per group
    :func:`hatlib.statistics.paired_ratio_interval`: ``ratio``, ``lower``,
    ``upper``, ``bound`` and ``seeds``.
    """
    from hatlib.statistics import paired_ratio_interval

    rows = []
    for group_keys, group in learned.groupby(keys, sort=True):
        ends = group.sort_values(["seed", "frequency"]).groupby("seed")
        low, high = ends.head(1), ends.tail(1)
        estimate = paired_ratio_interval(
            (high["lower"].to_numpy(), high["upper"].to_numpy()),
            (low["lower"].to_numpy(), low["upper"].to_numpy()),
            replicates,
            level,
            seed,
        )
        rows.append(
            {
                **dict(zip(keys, np.atleast_1d(group_keys), strict=True)),
                "ratio": estimate.value,
                "lower": estimate.lower,
                "upper": estimate.upper,
                "bound": estimate.bound,
                "seeds": len(low),
            }
        )
    return pd.DataFrame(rows)


def time_to_all(learned: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per run (``keys`` and ``seed``): bounds on the step by which every component is learned."""
    return (
        learned.groupby([*keys, "seed"], sort=True)
        .agg(lower=("lower", "max"), upper=("upper", "max"))
        .reset_index()
    )


def alternatives_ratios(
    learned: pd.DataFrame,
    comparison: pd.DataFrame,
    tolerance: float,
    optimizer: str = "adam",
    replicates: int = BOOTSTRAP_REPLICATES,
    level: float = EXPONENT_CONFIDENCE,
    seed: int = 0,
) -> pd.DataFrame:
    """Hat's iterations until every frequency is learned over the best alternative's, per dimension.

    ``learned`` (:func:`learning_iterations`, ``frequency`` the magnitude) and
    ``comparison`` (:func:`method_comparison`) have ``setting``
    (``"1d-shallow"``, ``"1d-fourier"``...), ``activation`` and ``optimizer``.
    Only methods whose median final error is below ``tolerance`` take part;
    of those, the Hat network and the alternative (Fourier features, SIREN)
    with the fewest median iterations are compared by
    :func:`hatlib.statistics.ratio_interval`. Columns: ``dimension``, ``hat``
    and ``alternative`` (their settings), ``ratio``, ``lower``, ``upper``, ``bound``.
    """
    from hatlib.statistics import ratio_interval

    keys = ["setting", "activation", "optimizer"]
    runs = time_to_all(learned[learned["optimizer"] == optimizer], keys)
    fitted = comparison[(comparison["optimizer"] == optimizer)]
    fitted = fitted[fitted["final_error"] < tolerance].sort_values("iterations", kind="stable")
    rows = []
    for dimension in ("1d", "2d"):
        inside = fitted[fitted["setting"].str.startswith(dimension)]
        hat = inside[
            (inside["activation"] == "hat") & ~inside["setting"].str.contains("fourier|siren")
        ]
        others = inside[inside["setting"].isin([f"{dimension}-fourier", f"{dimension}-siren"])]
        if hat.empty or others.empty:
            continue
        pick = []
        for chosen in (hat.iloc[0], others.iloc[0]):
            cell = runs[
                (runs["setting"] == chosen["setting"])
                & (runs["activation"] == chosen["activation"])
            ]
            pick.append((cell["lower"].to_numpy(float), cell["upper"].to_numpy(float)))
        estimate = ratio_interval([(pick[0], pick[1])], replicates, level, seed)
        rows.append(
            {
                "dimension": dimension,
                "hat": hat.iloc[0]["setting"],
                "alternative": others.iloc[0]["setting"],
                "ratio": estimate.value,
                "lower": estimate.lower,
                "upper": estimate.upper,
                "bound": estimate.bound,
            }
        )
    columns = ["dimension", "hat", "alternative", "ratio", "lower", "upper", "bound"]
    return pd.DataFrame(rows, columns=columns)

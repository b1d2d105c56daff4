"""Summaries of training runs and Gram spectra, as tidy tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

RUN_KEYS = ["activation", "optimizer", "frequency", "seed"]


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


def learning_time_exponents(summary: pd.DataFrame) -> pd.DataFrame:
    """Slope of log(iterations to tolerance) against log(frequency), per activation and optimizer.

    A least-squares fit over every run (one point per seed and frequency).
    Censored runs enter at their cap, which understates the slope, so a group
    with censored runs gives a lower bound (``lower_bound``). A group whose
    runs are all censored, or that has fewer than two distinct frequencies,
    gets ``NaN``: it carries no information about the slope.
    """
    rows = []
    for (activation, optimizer), group in summary.groupby(["activation", "optimizer"]):
        log_frequency = np.log(group["frequency"].to_numpy(dtype=np.float64))
        log_iterations = np.log(np.maximum(group["iterations_to_tolerance"].to_numpy(), 1))
        censored = int(group["censored"].sum())
        if np.unique(log_frequency).size < 2 or censored == len(group):
            exponent = float("nan")
        else:
            exponent = float(np.polyfit(log_frequency, log_iterations, 1)[0])
        rows.append(
            {
                "activation": activation,
                "optimizer": optimizer,
                "exponent": exponent,
                "lower_bound": censored > 0,
                "runs": len(group),
                "censored_runs": censored,
            }
        )
    return pd.DataFrame(rows)


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

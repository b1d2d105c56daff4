"""The Poisson problem by the Ritz method, beside the finite element solution."""

from __future__ import annotations

import pandas as pd
import torch

from hatlib.models import build_shallow_network
from hatlib.runtime import environment_metadata, resolve_device
from hatlib.training import DTYPES


def run_pde(
    activation: str, settings: dict, device: str = "auto"
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame, dict[str, object]]:
    """Shallow networks of ``activation`` solving the Poisson problem by the Ritz method.

    ``settings`` is the ``pde`` configuration section. For each optimizer a
    learning rate is chosen from ``learning_rates`` (:func:`hatlib.analysis.choose_learning_rate`
    on ``selection_iterations`` steps), then ``seeds`` networks of ``width``
    units (``fem_grid`` inner layer, trained as ``trainable`` says) minimise
    the energy for ``iterations`` steps. The error-against-width runs train
    every width of ``widths`` with Adam at its rate chosen for ``width`` (or
    the first optimizer's when Adam is not listed). Returns the history
    (``optimizer``, ``seed``, ``step``, ``energy``, ``energy_gap``,
    ``relative_l2_error``, ``relative_h1_error``), the per-mode errors
    (``optimizer``, ``seed``, ``step``, ``mode``, ``relative_error``), the
    final errors against width (``optimizer``, ``width``, ``seed``,
    ``relative_l2_error``, ``relative_h1_error``), the learning-rate searches
    and the metadata.
    """
    from hatlib.analysis import choose_learning_rate
    from hatlib.pde import PoissonProblem, ritz_learning_rate_search, solve_ritz

    used_device = resolve_device(device)
    problem = PoissonProblem(tuple(settings["modes"]), tuple(settings["coefficients"]))
    seeds = tuple(range(settings["seeds"]))
    dtype = DTYPES[settings["dtype"]]
    trainable = settings["trainable"]
    cells = settings["quadrature_cells"]

    def build(width: int) -> torch.nn.Module:
        return build_shallow_network(activation, width, "fem_grid", seeds, dtype, used_device)

    def tagged(result, optimizer: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        members = dict(enumerate(seeds))
        history = result.history.assign(seed=result.history["member"].map(members))
        modes = result.modes.assign(seed=result.modes["member"].map(members))
        return (
            history.drop(columns="member").assign(optimizer=optimizer),
            modes.drop(columns="member").assign(optimizer=optimizer),
        )

    def final_rows(history: pd.DataFrame, width: int) -> pd.DataFrame:
        last = history.sort_values("step").groupby("seed").tail(1)
        columns = ["optimizer", "seed", "relative_l2_error", "relative_h1_error"]
        return last[columns].assign(width=width)

    histories, modes, widths, searches, runs = [], [], [], [], {}
    for optimizer in settings["optimizers"]:
        search = ritz_learning_rate_search(
            problem,
            lambda: build(settings["width"]),
            optimizer,
            settings["learning_rates"][optimizer],
            settings["selection_iterations"],
            cells,
            seeds,
            used_device,
            trainable,
        )
        rate = choose_learning_rate(search)
        searches.append(search.assign(optimizer=optimizer, chosen=search["learning_rate"] == rate))
        result = solve_ritz(
            problem,
            build(settings["width"]),
            optimizer,
            rate,
            settings["iterations"],
            settings["log_every"],
            cells,
            device=used_device,
            trainable=trainable,
        )
        history, mode_table = tagged(result, optimizer)
        histories.append(history)
        modes.append(mode_table)
        runs[optimizer] = {
            "learning_rate": rate,
            "status": dict(zip(map(str, seeds), result.status, strict=True)),
            "wall_seconds": result.wall_seconds,
        }
    sweep = "adam" if "adam" in runs else settings["optimizers"][0]
    for width in settings["widths"]:
        if width == settings["width"]:  # the main run of that optimizer is this run
            main = pd.concat(histories, ignore_index=True)
            widths.append(final_rows(main[main["optimizer"] == sweep], width))
            continue
        result = solve_ritz(
            problem,
            build(width),
            sweep,
            runs[sweep]["learning_rate"],
            settings["iterations"],
            settings["iterations"],
            cells,
            device=used_device,
            trainable=trainable,
            records_per_decade=0,
        )
        widths.append(final_rows(tagged(result, sweep)[0], width))
    order = ["optimizer", "seed", "step"]
    history = pd.concat(histories, ignore_index=True)
    history = history[[*order, *[c for c in history.columns if c not in order]]]
    mode_table = pd.concat(modes, ignore_index=True)[[*order, "mode", "relative_error"]]
    width_table = pd.concat(widths, ignore_index=True)[
        ["optimizer", "width", "seed", "relative_l2_error", "relative_h1_error"]
    ]
    search = pd.concat(searches, ignore_index=True)
    metadata = {
        "activation": activation,
        "settings": dict(settings),
        "runs": runs,
        "requested_device": device,
        "environment": environment_metadata(used_device),
    }
    return history, mode_table, width_table, search, metadata

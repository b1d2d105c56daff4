"""The learning-rate selection of the single-frequency grid."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import torch

from hatlib.experiments.common import learning_rate_search
from hatlib.experiments.single_frequency import ModelConfig
from hatlib.models import build_shallow_network
from hatlib.runtime import resolve_device
from hatlib.training import DTYPES


def select_learning_rates(
    data: pd.DataFrame,
    model_config: ModelConfig,
    optimizers: Sequence[str],
    candidates: dict[str, Sequence[float]],
    iterations: int,
    device: str = "auto",
) -> pd.DataFrame:
    """The learning-rate rule of the single-frequency grid, for one model and each optimizer.

    Every candidate of ``candidates[optimizer]`` trains ``model_config``'s
    networks on ``data`` (columns ``x``, ``y``) for ``iterations`` steps.
    Returns the search table (:func:`learning_rate_search`) with columns
    ``optimizer`` first and ``chosen`` (the rate
    :func:`hatlib.analysis.choose_learning_rate` picks).
    """
    from hatlib.analysis import choose_learning_rate

    used_device = resolve_device(device, ("shallow", model_config.activation))

    def build() -> torch.nn.Module:
        return build_shallow_network(
            model_config.activation,
            model_config.width,
            model_config.initialisation,
            seeds=model_config.seeds,
            dtype=DTYPES[model_config.dtype],
            device=used_device,
        )

    tables = []
    for optimizer in optimizers:
        search = learning_rate_search(
            build,
            data["x"].to_numpy(),
            data["y"].to_numpy(),
            optimizer,
            candidates[optimizer],
            iterations,
            model_config.seeds,
            used_device,
        )
        chosen = choose_learning_rate(search)
        tables.append(search.assign(optimizer=optimizer, chosen=search["learning_rate"] == chosen))
    table = pd.concat(tables, ignore_index=True)
    return table[["optimizer", *[c for c in table.columns if c != "optimizer"]]]


def chosen_learning_rate(search: pd.DataFrame, optimizer: str) -> float:
    """The rate marked ``chosen`` for ``optimizer`` in a :func:`select_learning_rates` table."""
    rates = search.loc[search["chosen"] & (search["optimizer"] == optimizer), "learning_rate"]
    if rates.nunique() != 1:
        raise ValueError(f"the selection table has no single chosen rate for {optimizer!r}")
    return float(rates.iloc[0])

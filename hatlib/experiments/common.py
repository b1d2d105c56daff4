"""What every fitted experiment shares: the networks of a setting, the learning-rate
search, and one probed training run.

This package composes :mod:`hatlib.models` and :mod:`hatlib.training`; neither
of those knows about the other.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from hatlib.models import (
    build_deep_network,
    build_fourier_network,
    build_shallow_network,
    build_siren,
)
from hatlib.ridge_grid import RidgeGrid, ridge_layer
from hatlib.runtime import environment_metadata, resolve_device
from hatlib.training import DTYPES, LearnedStop, TrainingConfig, TrainingResult, train


def seed_column(table: pd.DataFrame, seeds: list[int]) -> pd.DataFrame:
    """Replace the batch index ``member`` by the member's ``seed``."""
    seed = np.asarray(seeds, dtype=np.int64)[table["member"].to_numpy()]
    return table.drop(columns="member").assign(seed=seed)[["seed", *table.columns[1:]]]


def learning_rate_search(
    build: Callable[[], torch.nn.Module],
    inputs: np.ndarray,
    targets: np.ndarray,
    optimizer: str,
    candidates: Sequence[float],
    iterations: int,
    seeds: Sequence[int],
    device: torch.device | str = "cpu",
) -> pd.DataFrame:
    """Train a fresh batch from ``build()`` with each candidate learning rate.

    ``build`` returns the batch of networks (one per seed in ``seeds``, on
    ``device``), anew at every call. Returns one row per candidate and seed:
    ``learning_rate``, ``seed``, ``final_error`` (relative L2 error after
    ``iterations`` steps), ``status`` (:class:`hatlib.training.TrainingResult`);
    :func:`hatlib.analysis.choose_learning_rate` applies the selection rule.
    """
    rows = []
    for rate in candidates:
        config = TrainingConfig(
            optimizer, float(rate), iterations, log_every=iterations, records_per_decade=0
        )
        result = train(build(), inputs, targets, config, [0], device, probe=_no_components)
        last = result.history.groupby("member")["relative_l2_error"].last()
        for member, seed in enumerate(seeds):
            rows.append(
                {
                    "learning_rate": float(rate),
                    "seed": int(seed),
                    "final_error": float(last.get(member, np.nan)),
                    "status": result.status[member],
                }
            )
    return pd.DataFrame(rows)


def _no_components(residual: torch.Tensor) -> torch.Tensor:
    """A probe that records nothing (a zero column): selection runs need the error only."""
    return residual[:, :1] * 0


@dataclass(frozen=True)
class FitSetting:
    """One network family trained with one optimizer in the multi-frequency experiments.

    Attributes
    ----------
    activation, optimizer:
        Registry names.
    depth, width:
        Hidden layers and units per hidden layer.
    resolution:
        Feature widths across the input cube of a random ridge first layer
        (:func:`hatlib.models.init_first_layer`), for inputs of dimension above
        one when ``grid`` is not given.
    seeds:
        One network per seed, trained as one batch.
    iterations, log_every:
        Optimizer steps, and steps between recorded errors.
    candidates:
        Learning rates tried for ``selection_iterations`` steps on the same
        target; the rule of :func:`hatlib.analysis.choose_learning_rate` picks one.
    dtype:
        ``"float32"`` or ``"float64"``.
    family:
        ``"mlp"`` (a FEM-like first layer, :func:`hatlib.models.build_deep_network`),
        ``"fourier"`` (Gaussian Fourier features of scale ``sigma``, ``features``
        of them, then an MLP of ``activation``) or ``"siren"`` (sine layers
        ``sin(omega0 z)`` with SIREN's initialisation; ``activation`` is a label).
    grid:
        The ridge grid of an ``mlp``'s first layer on inputs of dimension above
        one (:mod:`hatlib.ridge_grid`); ``None`` for random ridges.
    stop_learned:
        Stop a network once its recorded per-component errors have stayed
        learned (:class:`hatlib.training.LearnedStop`); ``None`` trains every step.
    """

    activation: str
    optimizer: str
    depth: int
    width: int
    resolution: float
    seeds: tuple[int, ...]
    iterations: int
    log_every: int
    candidates: tuple[float, ...]
    selection_iterations: int
    dtype: str = "float32"
    family: str = "mlp"
    features: int = 0
    sigma: float = 0.0
    omega0: float = 0.0
    grid: RidgeGrid | None = None
    stop_learned: LearnedStop | None = None


def fit_setting(
    activation: str,
    optimizer: str,
    network: dict,
    settings: dict,
    candidates: dict[str, Sequence[float]],
    grid: RidgeGrid | None = None,
) -> FitSetting:
    """The :class:`FitSetting` of one activation and optimizer from a configuration section.

    ``network`` holds ``depth`` and ``width`` (and for the alternatives
    ``family`` with ``features`` and ``sigma``, or ``omega0``); ``settings`` (the
    ``multifrequency`` or ``digits`` section) ``seeds`` (a count),
    ``iterations``, ``log_every``, ``selection_iterations`` and, for random
    ridges, ``resolution``. With ``grid`` the first layer is that ridge grid and
    the width is the grid's. With ``stop_after_learned`` (steps) in ``settings``
    a network stops once every component's error has stayed below
    ``settings["tolerance"]`` for that many steps.
    """
    hold = settings.get("stop_after_learned")
    stop = None if hold is None else LearnedStop(settings["tolerance"], above=False, hold=hold)
    return FitSetting(
        family=network.get("family", "mlp"),
        features=network.get("features", 0),
        sigma=network.get("sigma", 0.0),
        omega0=network.get("omega0", 0.0),
        activation=activation,
        optimizer=optimizer,
        depth=network["depth"],
        width=network["width"] if grid is None else grid.width,
        resolution=settings.get("resolution", 0.0) if grid is None else 0.0,
        seeds=tuple(range(settings["seeds"])),
        iterations=settings["iterations"],
        log_every=settings["log_every"],
        candidates=tuple(candidates[optimizer]),
        selection_iterations=settings["selection_iterations"],
        grid=grid,
        stop_learned=stop,
    )


def build_network(
    setting: FitSetting,
    input_dim: int,
    device: torch.device | str,
    data: np.ndarray | None = None,
) -> torch.nn.Module:
    """The batch of networks of ``setting``: the fused shallow network on scalar inputs.

    ``data`` (training inputs ``(N, d)``) adapts a multi-dimensional first layer
    to the data (:func:`hatlib.models.init_first_layer`).
    """
    dtype = DTYPES[setting.dtype]
    if setting.family == "fourier":
        return build_fourier_network(
            input_dim,
            setting.features,
            setting.sigma,
            setting.width,
            setting.depth,
            setting.activation,
            setting.seeds,
            dtype,
            device,
        )
    if setting.family == "siren":
        return build_siren(
            input_dim, setting.width, setting.depth, setting.omega0, setting.seeds, dtype, device
        )
    if setting.family != "mlp":
        raise ValueError(f"unknown network family {setting.family!r}; valid: fourier, mlp, siren")
    if setting.depth == 1 and input_dim == 1:
        return build_shallow_network(
            setting.activation, setting.width, "fem_grid", setting.seeds, dtype, device
        )
    return build_deep_network(
        setting.activation,
        input_dim,
        setting.width,
        setting.depth,
        setting.resolution,
        setting.seeds,
        dtype,
        device,
        None if data is None else torch.as_tensor(data, dtype=torch.float64),
        None if setting.grid is None else ridge_layer(setting.activation, setting.grid),
    )


def run_probed_fit(
    inputs: np.ndarray,
    targets: np.ndarray,
    probe: Callable,
    components: int,
    setting: FitSetting,
    device: str = "auto",
    data_dependent: bool = False,
) -> tuple[TrainingResult, pd.DataFrame, dict[str, object], torch.nn.Module]:
    """Select a learning rate, then train ``setting``'s networks on ``(inputs, targets)``.

    ``inputs`` ``(N,)`` or ``(N, d)``; ``probe`` maps residuals to the
    ``components`` per-component errors recorded every ``log_every`` steps
    (column ``component``, ``0..components-1``, in the spectrum table). Returns
    the training result with ``seed`` columns, the learning-rate search table,
    the run's metadata, and the trained batch of networks. With
    ``data_dependent`` the first layer adapts to ``inputs``.
    """
    input_dim = 1 if np.ndim(inputs) == 1 else np.shape(inputs)[1]
    # the benchmark table measures the 1-D multi-frequency networks (hatlib.bench_deep)
    family = setting.family
    if family == "mlp":
        family = "deep" if setting.depth > 1 else "shallow"
    used_device = resolve_device(device, (family, setting.activation) if input_dim == 1 else None)
    data = inputs if data_dependent and input_dim > 1 else None
    search = learning_rate_search(
        lambda: build_network(setting, input_dim, used_device, data),
        inputs,
        targets,
        setting.optimizer,
        setting.candidates,
        setting.selection_iterations,
        setting.seeds,
        used_device,
    )
    from hatlib.analysis import choose_learning_rate

    rate = choose_learning_rate(search)
    model = build_network(setting, input_dim, used_device, data)
    config = TrainingConfig(
        setting.optimizer,
        rate,
        setting.iterations,
        setting.log_every,
        stop_learned=setting.stop_learned,
    )
    result = train(
        model, inputs, targets, config, list(range(components)), used_device, probe=probe
    )
    seeds = list(setting.seeds)
    spectrum = seed_column(result.spectrum, seeds).rename(columns={"dft_frequency": "component"})
    result = dataclasses.replace(
        result, history=seed_column(result.history, seeds), spectrum=spectrum
    )
    metadata = {
        "setting": dataclasses.asdict(setting),
        "learning_rate": rate,
        "num_points": len(inputs),
        "status": dict(zip(map(str, seeds), result.status, strict=True)),
        "wall_seconds": result.wall_seconds,
        "requested_device": device,
        "environment": environment_metadata(used_device),
    }
    return result, search, metadata, model

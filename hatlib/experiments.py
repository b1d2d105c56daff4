"""One experiment run: build a network, train it on a target, describe what ran.

This module composes :mod:`hatlib.models` and :mod:`hatlib.training`; neither
of those knows about the other.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from hatlib.models import build_shallow_network
from hatlib.runtime import environment_metadata, resolve_device
from hatlib.training import DTYPES, TrainingConfig, TrainingResult, train


@dataclass(frozen=True)
class ModelConfig:
    """The networks of one run: one per seed, trained as one batch.

    Attributes
    ----------
    activation:
        Registry name (:data:`hatlib.activations.ACTIVATIONS`).
    width:
        Hidden units.
    initialisation:
        Registry name (:data:`hatlib.models.INITIALISATIONS`).
    seeds:
        Seeds of the initialisations' random draws, one network each.
    dtype:
        ``"float32"`` or ``"float64"``.
    """

    activation: str
    width: int
    initialisation: str
    seeds: tuple[int, ...]
    dtype: str = "float32"

    def __post_init__(self) -> None:
        object.__setattr__(self, "seeds", tuple(int(seed) for seed in self.seeds))
        if not self.seeds or len(set(self.seeds)) != len(self.seeds):
            raise ValueError(f"seeds must be distinct and non-empty, got {self.seeds}")


def run_sine_fit(
    data: pd.DataFrame,
    frequency: int,
    model_config: ModelConfig,
    training_config: TrainingConfig,
    device: str = "auto",
    checkpoint: str | None = None,
    checkpoint_every: int = 0,
) -> tuple[TrainingResult, dict[str, object]]:
    """Fit one shallow network per seed to the samples ``data`` (columns ``x``, ``y``).

    The target is ``sin(2 pi k x)`` with ``k = frequency``. Returns the training
    result, its tables tagged with a ``seed`` column in place of the batch
    index, and the run's metadata: both configurations, the target frequency,
    each seed's status and steps, the device and library versions. With
    ``checkpoint``, training saves and resumes there (:func:`hatlib.training.train`).
    """
    used_device = resolve_device(device)
    model = build_shallow_network(
        model_config.activation,
        model_config.width,
        model_config.initialisation,
        seeds=model_config.seeds,
        dtype=DTYPES[model_config.dtype],
        device=used_device,
    )
    result = train(
        model,
        data["x"].to_numpy(),
        data["y"].to_numpy(),
        training_config,
        frequencies=[frequency],
        device=used_device,
        checkpoint=checkpoint,
        checkpoint_every=checkpoint_every,
    )
    seeds = list(model_config.seeds)
    result = dataclasses.replace(
        result,
        history=_seed_column(result.history, seeds),
        spectrum=_seed_column(result.spectrum, seeds),
    )
    metadata = {
        "model": dataclasses.asdict(model_config),
        "training": dataclasses.asdict(training_config),
        "frequency": frequency,
        "num_points": len(data),
        "status": dict(zip(map(str, seeds), result.status, strict=True)),
        "steps": dict(zip(map(str, seeds), result.steps, strict=True)),
        "wall_seconds": result.wall_seconds,
        "requested_device": device,
        "environment": environment_metadata(used_device),
        "deterministic_algorithms": torch.are_deterministic_algorithms_enabled(),
    }
    return result, metadata


def _seed_column(table: pd.DataFrame, seeds: list[int]) -> pd.DataFrame:
    """Replace the batch index ``member`` by the member's ``seed``."""
    seed = np.asarray(seeds, dtype=np.int64)[table["member"].to_numpy()]
    return table.drop(columns="member").assign(seed=seed)[["seed", *table.columns[1:]]]


@dataclass(frozen=True)
class GradientDescentSetup:
    """The fixed-feature gradient-descent experiment of the theory stage.

    Attributes
    ----------
    activation:
        Registry name; the hidden layer is the ``fem_grid`` initialisation, frozen.
    width:
        Hidden units (grid nodes).
    num_points:
        Samples of the uniform grid of [0, 1) the loss is a mean over.
    reduction:
        Factor by which the error of the best-fit component must shrink.
    max_steps:
        Cap on the steps of a measured run (longer runs are censored).
    """

    activation: str
    width: int
    num_points: int
    reduction: float = 10.0
    max_steps: int = 100_000


def frozen_features(setup: GradientDescentSetup):
    """The network (float64, output layer zeroed), the sample grid and its feature matrix.

    Returns ``(model, x, features)`` with ``x`` of shape ``(N,)`` and
    ``features`` of shape ``(N, width)``.
    """
    from hatlib.targets import uniform_grid

    model = build_shallow_network(setup.activation, setup.width, "fem_grid", dtype=torch.float64)
    with torch.no_grad():
        model.outer_weight.zero_()
        model.outer_bias.zero_()
    x = uniform_grid(setup.num_points)
    features = model.features(torch.from_numpy(x)).detach()[0].numpy()  # (N, width)
    return model, x, features


def predict_gd_steps(setup: GradientDescentSetup, targets: list[str]) -> pd.DataFrame:
    """Steps predicted from the eigen-decomposition, one row per target.

    Columns: ``activation``, ``target``, ``kind`` (sine or mode), ``index``,
    ``frequency`` (``k`` for sines; DFT peak for modes), ``learning_rate``
    and ``predicted_steps`` (``NaN`` past ``10^9``).
    """
    from hatlib.modes import dft_peak_frequency
    from hatlib.theory import least_squares_problem, parse_target, steps_to_reduce, target_values

    _, x, features = frozen_features(setup)
    rows = []
    for name in targets:
        kind, index = parse_target(name)
        values = target_values(name, x, features)
        problem = least_squares_problem(features, values)
        steps = steps_to_reduce(problem, setup.reduction)
        rows.append(
            {
                "activation": setup.activation,
                "target": name,
                "kind": kind,
                "index": index,
                "frequency": float(
                    index if kind == "sine" else dft_peak_frequency(values[:, None])[0]
                ),
                "learning_rate": problem.learning_rate,
                "predicted_steps": float("nan") if steps is None else float(steps),
            }
        )
    return pd.DataFrame(rows)


def measure_gd_steps(setup: GradientDescentSetup, target: str) -> dict[str, object]:
    """Train the output weights on the best fit of ``target`` and count the steps.

    Plain gradient descent at ``1/(2 lambda_max)`` on the mean squared error
    (``eta = 1/lambda_max``), float64, from zero output weights: the logged
    relative error is the error of the best-fit component, which starts at 1;
    the run stops once it is below ``1/reduction``.
    """
    from hatlib.theory import least_squares_problem, parse_target, target_values

    model, x, features = frozen_features(setup)
    problem = least_squares_problem(features, target_values(target, x, features))
    config = TrainingConfig(
        "sgd",
        problem.learning_rate,
        setup.max_steps,
        log_every=setup.max_steps,
        trainable="outer_weight",
        stop_below=1.0 / setup.reduction,
    )
    kind, index = parse_target(target)
    frequency = index if kind == "sine" else 1  # the bin Delta(k) is logged for
    result = train(model, x, problem.best_fit, config, frequencies=[frequency])
    return {
        "activation": setup.activation,
        "target": target,
        "learning_rate": problem.learning_rate,
        "measured_steps": result.steps[0],
        "censored": result.status[0] != "converged",
        "status": result.status[0],
        "wall_seconds": result.wall_seconds,
    }

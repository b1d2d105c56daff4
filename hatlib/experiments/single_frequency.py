"""The single-frequency grid: shallow networks fitted to sin(2 pi k x), one job per
activation x optimizer x frequency."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pandas as pd
import torch

from hatlib.experiments.common import seed_column
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
    used_device = resolve_device(device, ("shallow", model_config.activation))
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
        history=seed_column(result.history, seeds),
        spectrum=seed_column(result.spectrum, seeds),
    )
    metadata = {
        "model": dataclasses.asdict(model_config),
        "training": dataclasses.asdict(training_config),
        "frequency": frequency,
        "num_points": len(data),
        "status": dict(zip(map(str, seeds), result.status, strict=True)),
        "steps": dict(zip(map(str, seeds), result.steps, strict=True)),
        "crossings": [
            {
                "seed": int(seeds[int(row.member)]),
                "tolerance": float(row.tolerance),
                "first_step": int(row.first_step),
            }
            for row in result.crossings.itertuples()
        ],
        "wall_seconds": result.wall_seconds,
        "requested_device": device,
        "environment": environment_metadata(used_device),
        "deterministic_algorithms": torch.are_deterministic_algorithms_enabled(),
    }
    return result, metadata

"""One experiment run: build a network, train it on a target, describe what ran.

This module composes :mod:`hatlib.models` and :mod:`hatlib.training`; neither
of those knows about the other.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pandas as pd
import torch

from hatlib.models import build_shallow_network
from hatlib.runtime import environment_metadata, resolve_device
from hatlib.training import DTYPES, TrainingConfig, TrainingResult, train


@dataclass(frozen=True)
class ModelConfig:
    """The network of one run.

    Attributes
    ----------
    activation:
        Registry name (:data:`hatlib.activations.ACTIVATIONS`).
    width:
        Hidden units.
    initialisation:
        Registry name (:data:`hatlib.models.INITIALISATIONS`).
    seed:
        Seed of the initialisation's random draws.
    dtype:
        ``"float32"`` or ``"float64"``.
    """

    activation: str
    width: int
    initialisation: str
    seed: int
    dtype: str = "float32"


def run_sine_fit(
    data: pd.DataFrame,
    frequency: int,
    model_config: ModelConfig,
    training_config: TrainingConfig,
    device: str = "auto",
) -> tuple[TrainingResult, dict[str, object]]:
    """Fit a shallow network to the samples ``data`` (columns ``x``, ``y``) of ``sin(2 pi k x)``.

    Returns the training result and the run's metadata: both configurations,
    the target frequency, the status, the device and library versions.
    """
    used_device = resolve_device(device)
    model = build_shallow_network(
        model_config.activation,
        model_config.width,
        model_config.initialisation,
        seed=model_config.seed,
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
    )
    metadata = {
        "model": dataclasses.asdict(model_config),
        "training": dataclasses.asdict(training_config),
        "frequency": frequency,
        "num_points": len(data),
        "status": result.status,
        "steps": result.steps,
        "wall_seconds": result.wall_seconds,
        "requested_device": device,
        "environment": environment_metadata(used_device),
        "deterministic_algorithms": torch.are_deterministic_algorithms_enabled(),
    }
    return result, metadata

"""The spectral-bias experiment of Rahaman et al. (2019), "On the spectral bias of neural networks".

A deep network is fitted by full-batch Adam to ``sum_i A_i sin(2 pi k_i x + phi_i)``
sampled at ``N`` points of a uniform grid of [0, 1) without its endpoint, and
the normalised spectrum of its output, ``2 |f~(k_i)| / (N A_i)`` (1 when the
component ``k_i`` is fitted in amplitude), is recorded along training.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import torch

from hatlib.models import build_deep_network, build_default_deep_network
from hatlib.runtime import environment_metadata, resolve_device
from hatlib.targets import multi_sine, random_phases, uniform_grid
from hatlib.training import DTYPES, TrainingConfig, train

#: Initialisations of the deep networks of this experiment.
CLASSIC_INITIALISATIONS = ("torch_default", "fem_deep")


def classic_dataset(
    num_points: int, frequencies: Sequence[int], amplitudes: Sequence[float], phase_seed: int
) -> pd.DataFrame:
    """Samples ``x`` (``j/N``) and ``y`` of the target, phases drawn from ``phase_seed``."""
    frequencies, amplitudes = np.asarray(frequencies), np.asarray(amplitudes, dtype=np.float64)
    if len(frequencies) != len(amplitudes):
        raise ValueError(f"{len(frequencies)} frequencies but {len(amplitudes)} amplitudes")
    if np.any(frequencies < 1) or np.any(frequencies >= num_points / 2):
        raise ValueError(
            f"frequencies must lie in [1, {num_points / 2}) for {num_points} points, "
            f"got {frequencies.tolist()}"
        )
    x = uniform_grid(num_points)
    phases = random_phases(len(frequencies), phase_seed)
    return pd.DataFrame({"x": x, "y": multi_sine(x, frequencies, amplitudes, phases)})


class SpectrumProbe:
    """Normalised output spectrum ``2 |F(k_i)| / (N A_i)`` from a batch of residuals.

    ``target`` ``(N,)`` are the target's samples; the network's output is the
    residual plus the target. Calling it on float64 residuals ``(S, N)`` returns
    ``(S, len(frequencies))``, 1 where the output's component matches the
    target's amplitude, 0 where the output has none.
    """

    def __init__(
        self, target: np.ndarray, frequencies: Sequence[int], amplitudes: Sequence[float]
    ) -> None:
        self.target = torch.tensor(np.asarray(target, dtype=np.float64))
        self.index = torch.tensor([int(k) for k in frequencies])
        scale = len(target) * np.asarray(amplitudes, dtype=np.float64) / 2.0
        if np.any(scale <= 0):
            raise ValueError(f"amplitudes must be positive, got {list(amplitudes)}")
        self.scale = torch.tensor(scale)

    def __call__(self, residual: torch.Tensor) -> torch.Tensor:
        output = residual + self.target.to(residual.device)
        spectrum = torch.fft.rfft(output, dim=1)[:, self.index.to(residual.device)]
        return torch.abs(spectrum) / self.scale.to(residual.device)


def build_classic_network(
    activation: str,
    initialisation: str,
    width: int,
    depth: int,
    seeds: Sequence[int],
    dtype: torch.dtype = torch.float32,
    device: torch.device | str = "cpu",
) -> torch.nn.Module:
    """A batch of deep networks on a scalar input, ``depth`` hidden layers of ``width`` units.

    ``torch_default``: ``nn.Linear``'s initialisation in every layer (the
    protocol's ReLU network); ``fem_deep``: :func:`hatlib.models.build_deep_network`
    (first layer on the FEM grid of [0, 1], later hidden biases at the
    activation's centre).
    """
    if initialisation == "torch_default":
        return build_default_deep_network(activation, 1, width, depth, seeds, dtype, device)
    if initialisation == "fem_deep":
        return build_deep_network(
            activation, 1, width, depth, seeds=seeds, dtype=dtype, device=device
        )
    valid = ", ".join(CLASSIC_INITIALISATIONS)
    raise ValueError(f"unknown initialisation {initialisation!r}; valid choices: {valid}")


def run_classic(
    data: pd.DataFrame,
    frequencies: Sequence[int],
    amplitudes: Sequence[float],
    activation: str,
    initialisation: str,
    settings: dict,
    device: str = "auto",
    checkpoint: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, object]]:
    """Train the protocol's networks on ``data`` (columns ``x``, ``y``) with full-batch Adam.

    ``settings`` (the ``classic`` configuration section) holds ``width``,
    ``depth``, ``seeds`` (a count), ``learning_rate``, ``iterations``,
    ``log_every``, ``dtype`` and ``checkpoint_every``. Returns the history
    (``seed``, ``step``, ``loss``, ``relative_l2_error``), the spectrum
    (``seed``, ``step``, ``frequency`` ``k_i``, ``amplitude`` ``A_i``,
    ``magnitude`` the normalised ``2 |f~(k_i)| / (N A_i)``) and metadata.
    """
    used_device = resolve_device(device)
    seeds = list(range(settings["seeds"]))
    model = build_classic_network(
        activation,
        initialisation,
        settings["width"],
        settings["depth"],
        seeds,
        DTYPES[settings["dtype"]],
        used_device,
    )
    targets = data["y"].to_numpy()
    probe = SpectrumProbe(targets, frequencies, amplitudes)
    config = TrainingConfig(
        "adam", settings["learning_rate"], settings["iterations"], settings["log_every"]
    )
    result = train(
        model,
        data["x"].to_numpy(),
        targets,
        config,
        list(frequencies),
        used_device,
        checkpoint=checkpoint,
        checkpoint_every=settings["checkpoint_every"] if checkpoint else 0,
        probe=probe,
    )
    members = dict(enumerate(seeds))
    history = result.history.assign(seed=result.history["member"].map(members))
    spectrum = result.spectrum.assign(seed=result.spectrum["member"].map(members))
    spectrum = spectrum.rename(
        columns={"dft_frequency": "frequency", "relative_error": "magnitude"}
    )
    spectrum["amplitude"] = spectrum["frequency"].map(
        dict(zip(frequencies, amplitudes, strict=True))
    )
    metadata = {
        "activation": activation,
        "initialisation": initialisation,
        "settings": dict(settings),
        "status": dict(zip(map(str, seeds), result.status, strict=True)),
        "wall_seconds": result.wall_seconds,
        "requested_device": device,
        "environment": environment_metadata(used_device),
    }
    history = history[["seed", "step", "loss", "relative_l2_error"]]
    spectrum = spectrum[["seed", "step", "frequency", "amplitude", "magnitude"]]
    return history, spectrum, metadata


def first_reaching(
    spectrum: pd.DataFrame, thresholds: Sequence[float], keys: list[str]
) -> pd.DataFrame:
    """First logged step at which each frequency's normalised magnitude reaches each threshold.

    ``spectrum`` has the columns ``keys`` (identifying a run and a frequency),
    ``step`` and ``magnitude``. Returns one row per ``keys`` and threshold:
    ``threshold``, ``iterations`` and ``censored`` (never reached: ``iterations``
    is the last logged step, a lower bound).
    """
    rows = []
    for group_keys, run in spectrum.sort_values("step").groupby(keys, sort=True):
        steps, magnitude = run["step"].to_numpy(), run["magnitude"].to_numpy()
        for threshold in thresholds:
            reached = np.flatnonzero(magnitude >= threshold)
            rows.append(
                {
                    **dict(zip(keys, np.atleast_1d(group_keys), strict=True)),
                    "threshold": float(threshold),
                    "iterations": int(steps[reached[0]] if len(reached) else steps[-1]),
                    "censored": not len(reached),
                }
            )
    return pd.DataFrame(rows)

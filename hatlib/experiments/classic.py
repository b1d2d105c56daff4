"""The spectral-bias experiment of Rahaman et al. (2019), "On the spectral bias of neural networks".

A deep network is fitted by full-batch Adam to ``sum_i A_i sin(2 pi k_i x + phi_i)``
sampled at ``N`` points of a uniform grid of [0, 1) without its endpoint, and
the normalised spectrum of its output, ``2 |f~(k_i)| / (N A_i)`` (1 when the
component ``k_i`` is fitted in amplitude), is recorded along training.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from hatlib.runtime import environment_metadata, resolve_device
from hatlib.targets import multi_sine, random_phases, uniform_grid

if TYPE_CHECKING:
    import torch

# PyTorch is imported by the functions that train: the data and summary jobs of this
# experiment start without it (1.5-2 s of each job's start).

#: Initialisations of the deep networks of this experiment.
CLASSIC_INITIALISATIONS = ("torch_default", "fem_deep")


def classic_phase_seed(phase_seed: int, seed: int) -> int | np.random.SeedSequence:
    """The seed of the random phases of training seed ``seed``, for :func:`random_phases`.

    ``phase_seed`` itself for seed 0 (the phases of a single-seed run), and
    ``numpy.random.SeedSequence([phase_seed, seed])`` for ``seed > 0``: distinct
    for every pair ``(phase_seed, seed)``, and independent streams. (NumPy pads
    the entropy with zeros, so ``SeedSequence([phase_seed, 0])`` draws what
    ``phase_seed`` draws: the rule is ``SeedSequence([phase_seed, seed])`` for
    every seed.)
    """
    if seed < 0 or phase_seed < 0:
        raise ValueError(f"phase_seed and seed must be non-negative, got {phase_seed}, {seed}")
    return phase_seed if seed == 0 else np.random.SeedSequence([phase_seed, seed])


def classic_phases(count: int, phase_seed: int, seed: int) -> np.ndarray:
    """The ``count`` phases (radians) of training seed ``seed`` (:func:`classic_phase_seed`)."""
    return random_phases(count, classic_phase_seed(phase_seed, seed))


def classic_dataset(
    num_points: int,
    frequencies: Sequence[int],
    amplitudes: Sequence[float],
    phase_seed: int,
    seeds: int,
) -> pd.DataFrame:
    """Samples of the target of each training seed: columns ``seed``, ``x`` (``j/N``), ``y``.

    Seeds ``0..seeds-1`` each have their own random phases, drawn by
    :func:`classic_phases` from ``(phase_seed, seed)``; seed 0's are those of
    ``random_phases(len(frequencies), phase_seed)``. Rows are sorted by seed,
    then ``x``.
    """
    frequencies, amplitudes = np.asarray(frequencies), np.asarray(amplitudes, dtype=np.float64)
    if len(frequencies) != len(amplitudes):
        raise ValueError(f"{len(frequencies)} frequencies but {len(amplitudes)} amplitudes")
    if np.any(frequencies < 1) or np.any(frequencies >= num_points / 2):
        raise ValueError(
            f"frequencies must lie in [1, {num_points / 2}) for {num_points} points, "
            f"got {frequencies.tolist()}"
        )
    if int(seeds) != seeds or seeds < 1:
        raise ValueError(f"seeds must be a positive integer, got {seeds}")
    x = uniform_grid(num_points)
    tables = [
        pd.DataFrame(
            {
                "seed": np.full(num_points, seed, dtype=np.int64),
                "x": x,
                "y": multi_sine(
                    x, frequencies, amplitudes, classic_phases(len(frequencies), phase_seed, seed)
                ),
            }
        )
        for seed in range(int(seeds))
    ]
    return pd.concat(tables, ignore_index=True)


class SpectrumProbe:
    """Normalised output spectrum ``2 |F(k_i)| / (N A_i)`` from a batch of residuals.

    ``target`` ``(N,)`` are the target's samples, shared by all members, or
    ``(S, N)`` those of each member; the network's output is the residual plus
    the target. Calling it on float64 residuals ``(S, N)`` returns
    ``(S, len(frequencies))``, 1 where the output's component matches the
    target's amplitude, 0 where the output has none.
    """

    def __init__(
        self, target: np.ndarray, frequencies: Sequence[int], amplitudes: Sequence[float]
    ) -> None:
        import torch

        target = np.ascontiguousarray(target, dtype=np.float64)
        if target.ndim not in (1, 2):
            raise ValueError(f"target must have shape (N,) or (S, N), got {target.shape}")
        self.target = torch.tensor(target)
        self.index = torch.tensor([int(k) for k in frequencies])
        scale = target.shape[-1] * np.asarray(amplitudes, dtype=np.float64) / 2.0
        if np.any(scale <= 0):
            raise ValueError(f"amplitudes must be positive, got {list(amplitudes)}")
        self.scale = torch.tensor(scale)
        self._rfft = torch.fft.rfft  # held here: PyTorch is not a module-level import

    def __call__(self, residual: torch.Tensor) -> torch.Tensor:
        output = residual + self.target.to(residual.device)
        spectrum = self._rfft(output, dim=1)[:, self.index.to(residual.device)]
        return spectrum.abs() / self.scale.to(residual.device)


def build_classic_network(
    activation: str,
    initialisation: str,
    width: int,
    depth: int,
    seeds: Sequence[int],
    dtype: torch.dtype | None = None,
    device: torch.device | str = "cpu",
) -> torch.nn.Module:
    """A batch of deep networks on a scalar input, ``depth`` hidden layers of ``width`` units.

    ``torch_default``: ``nn.Linear``'s initialisation in every layer (the
    protocol's ReLU network); ``fem_deep``: :func:`hatlib.models.build_deep_network`
    (first layer on the FEM grid of [0, 1], later hidden biases at the
    activation's centre). ``dtype`` defaults to float32.
    """
    import torch

    from hatlib.models import build_deep_network, build_default_deep_network

    dtype = torch.float32 if dtype is None else dtype
    if initialisation == "torch_default":
        return build_default_deep_network(activation, 1, width, depth, seeds, dtype, device)
    if initialisation == "fem_deep":
        return build_deep_network(
            activation, 1, width, depth, seeds=seeds, dtype=dtype, device=device
        )
    valid = ", ".join(CLASSIC_INITIALISATIONS)
    raise ValueError(f"unknown initialisation {initialisation!r}; valid choices: {valid}")


def _per_seed_targets(data: pd.DataFrame, seeds: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """The grid ``(N,)`` and the targets ``(S, N)``, in seed order, of the long table ``data``."""
    found = sorted(pd.unique(data["seed"]).tolist())
    if found != seeds:
        raise ValueError(
            f"the data holds seeds {found} but classic.seeds = {len(seeds)} asks for "
            f"seeds {seeds}; regenerate the data with the same classic.seeds"
        )
    groups = [data[data["seed"] == seed].sort_values("x") for seed in seeds]
    x = groups[0]["x"].to_numpy()
    for seed, group in zip(seeds, groups, strict=True):
        if not np.array_equal(group["x"].to_numpy(), x):
            raise ValueError(f"seed {seed} is sampled on other points than seed {seeds[0]}")
    return x, np.stack([group["y"].to_numpy() for group in groups])


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
    """Train the protocol's networks on ``data`` with full-batch Adam, each seed on its own target.

    ``data`` is :func:`classic_dataset`'s long table (``seed``, ``x``, ``y``);
    its seeds must be exactly ``0..settings["seeds"]-1``, and network seed
    ``s`` is trained on the rows of seed ``s``. ``settings`` (the ``classic``
    configuration section) holds ``width``, ``depth``, ``seeds`` (a count),
    ``phase_seed``, ``learning_rate``, ``iterations``, ``log_every``, ``dtype``,
    ``checkpoint_every`` and ``stop_after_learned`` (a network stops once every
    frequency has stayed at or above the highest of ``thresholds`` for that
    many steps; ``None`` trains every step); ``data`` must be the target drawn from
    ``phase_seed`` (checked). Returns the history (``seed``, ``step``,
    ``loss``, ``relative_l2_error``), the spectrum (``seed``, ``step``,
    ``frequency`` ``k_i``, ``amplitude`` ``A_i``, ``magnitude`` the normalised
    ``2 |f~(k_i)| / (N A_i)`` of that seed's output) and metadata, whose
    ``phases`` maps each seed to its phases (radians).
    """
    from hatlib.training import DTYPES, LearnedStop, TrainingConfig, train

    used_device = resolve_device(device, ("classic", activation))
    seeds = list(range(settings["seeds"]))
    x, targets = _per_seed_targets(data, seeds)  # (N,), (S, N)
    phases = {
        seed: classic_phases(len(frequencies), settings["phase_seed"], seed) for seed in seeds
    }
    expected = np.stack(
        [
            multi_sine(x, np.asarray(frequencies), np.asarray(amplitudes), phases[seed])
            for seed in seeds
        ]
    )
    if not np.allclose(targets, expected, rtol=0.0, atol=1e-9 * max(map(abs, amplitudes))):
        raise ValueError(
            "the data is not the target of these frequencies and amplitudes with the phases "
            f"of classic.phase_seed = {settings['phase_seed']}; regenerate the data"
        )
    model = build_classic_network(
        activation,
        initialisation,
        settings["width"],
        settings["depth"],
        seeds,
        DTYPES[settings["dtype"]],
        used_device,
    )
    probe = SpectrumProbe(targets, frequencies, amplitudes)
    hold = settings.get("stop_after_learned")
    config = TrainingConfig(
        "adam",
        settings["learning_rate"],
        settings["iterations"],
        settings["log_every"],
        stop_learned=None
        if hold is None
        else LearnedStop(max(settings["thresholds"]), above=True, hold=hold),
    )
    result = train(
        model,
        x,
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
        "phases": {str(seed): phases[seed].tolist() for seed in seeds},
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
    """When each frequency's normalised magnitude first reached each threshold, from the records.

    ``spectrum`` has the columns ``keys`` (identifying a run and a frequency),
    ``step`` and ``magnitude``. Returns one row per ``keys`` and threshold:
    ``threshold``, ``lower`` and ``upper`` (the first step at or above the
    threshold lies in between: :func:`hatlib.statistics.crossing_interval`;
    ``upper = inf`` when never reached), ``iterations`` (``upper``, or the last
    recorded step) and ``censored``.
    """
    from hatlib.analysis import learning_iterations

    tables = [
        learning_iterations(spectrum, threshold, keys, value="magnitude", below=False).assign(
            threshold=float(threshold)
        )
        for threshold in thresholds
    ]
    table = pd.concat(tables, ignore_index=True).sort_values([*keys, "threshold"], kind="stable")
    return table[[*keys, "threshold", "lower", "upper", "iterations", "censored"]].reset_index(
        drop=True
    )

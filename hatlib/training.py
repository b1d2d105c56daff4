"""The training engine: full-batch gradient descent or Adam on a mean-squared loss.

The engine trains a batch of ``S`` independent models at once: any
``torch.nn.Module`` mapping inputs of shape ``(N,)`` to outputs of shape
``(S, N)`` whose parameters have the member dimension first, so that member
``s`` only ever touches slice ``s``. It knows no activation. Models that
provide ``loss_and_gradients(x, y)`` (fused kernels) are trained without
autograd; others through autograd on the summed per-member losses, whose
gradient with respect to member ``s``'s parameters is member ``s``'s own.

It records each member's loss, relative L2 error and per-frequency error
``Delta(k)`` (:mod:`hatlib.spectral`) in tidy tables at the steps of
:func:`record_steps`: every ``log_every`` steps, and on a geometric schedule
(every step up to 10, then ``records_per_decade`` records per decade) so that a
per-frequency learning time read off the records is known to within a factor
``10 ** (1 / records_per_decade)``. For each tolerance of ``tolerances`` it also
finds the exact first step at which a member's relative L2 error falls below
it, from the loss computed at every step.

With a :class:`LearnedStop` a member also stops once every recorded
per-frequency value has been on the learned side of a threshold, at every
record, for a given number of steps: the first crossings, and so every
learning time read off the records, are those of a run that goes on.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import torch

from hatlib.activations import lookup
from hatlib.capture import StepBlocks, capturable, loss_gradients_output
from hatlib.optimizers import OPTIMIZERS
from hatlib.runtime import seconds_since_process_start

logger = logging.getLogger(__name__)


DTYPES: dict[str, torch.dtype] = {"float32": torch.float32, "float64": torch.float64}

#: Which parameters a run trains: all, the output layer (weights and bias), or
#: the output weights alone (a least-squares problem in the hidden features).
TRAINABLE = ("all", "outer", "outer_weight")

#: Seconds between progress lines in the log.
PROGRESS_SECONDS = 5.0

#: Records per decade of the geometric schedule (consecutive records at most 12.2% apart).
RECORDS_PER_DECADE = 20

#: The geometric schedule records every step up to this one.
EVERY_STEP_UNTIL = 10


def geometric_steps(iterations: int, per_decade: int = RECORDS_PER_DECADE) -> np.ndarray:
    """Steps ``0..iterations`` of a geometric schedule, sorted.

    Every step up to :data:`EVERY_STEP_UNTIL`, then ``s' = max(s + 1,
    floor(s * 10 ** (1 / per_decade)))`` until ``iterations``, which always ends
    the schedule. Consecutive records ``s < s'`` satisfy ``s' / s <= 10 **
    (1 / per_decade)`` for ``s >= 10`` (and at least ``per_decade`` records fall
    in each decade): a first crossing between them is known to within that
    factor. ``per_decade = 0`` gives no geometric records (only 0 and the end).
    """
    if iterations < 0:
        raise ValueError(f"iterations must be non-negative, got {iterations}")
    if per_decade < 0:
        raise ValueError(f"records_per_decade must be non-negative, got {per_decade}")
    if per_decade == 0:
        return np.unique([0, iterations])
    ratio = 10.0 ** (1.0 / per_decade)
    steps = list(range(min(EVERY_STEP_UNTIL, iterations) + 1))
    step = steps[-1]
    while step < iterations:
        step = min(max(step + 1, math.floor(step * ratio)), iterations)
        steps.append(step)
    return np.asarray(steps, dtype=np.int64)


def record_steps(iterations: int, log_every: int, per_decade: int = RECORDS_PER_DECADE):
    """The steps a run records: multiples of ``log_every``, the end and :func:`geometric_steps`."""
    linear = np.arange(0, iterations + 1, log_every, dtype=np.int64)
    return np.union1d(np.union1d(linear, [iterations]), geometric_steps(iterations, per_decade))


@dataclass(frozen=True)
class LearnedStop:
    """Stop a member once all its recorded per-frequency values have stayed learned.

    A record is *learned* when every value the probe returns for the member is
    at or above ``threshold`` (``above = True``, e.g. the normalised output
    spectrum) or below it (``above = False``, e.g. the relative error
    ``Delta(k)``). The member stops at the first record at which every record
    of the last ``hold`` steps (at least two records) has been learned. No
    record before the stop changes, so neither does any first crossing.
    """

    threshold: float
    above: bool
    hold: int

    def __post_init__(self) -> None:
        if not math.isfinite(self.threshold):
            raise ValueError(f"stop threshold must be finite, got {self.threshold}")
        if self.hold < 1:
            raise ValueError(f"stop hold must be at least 1 step, got {self.hold}")

    def learned(self, values: np.ndarray) -> np.ndarray:
        """Per row of ``values`` ``(S, F)``: whether every value is on the learned side."""
        with np.errstate(invalid="ignore"):
            side = values >= self.threshold if self.above else values < self.threshold
        return np.all(side, axis=1)


@dataclass(frozen=True)
class TrainingConfig:
    """How to train one batch of models.

    Attributes
    ----------
    optimizer:
        ``"sgd"`` (full-batch gradient descent) or ``"adam"``.
    learning_rate:
        Step size, dimensionless (the loss is a mean over sample points).
    iterations:
        Maximum number of optimizer steps.
    log_every:
        Record the metrics every this many steps (and at step 0 and the end).
    trainable:
        One of :data:`TRAINABLE`: ``"all"`` parameters, the ``"outer"`` layer, or
        the ``"outer_weight"`` alone (the last two need a model with
        ``outer_parameters()`` and ``outer_weight``).
    stop_below:
        A member stops once its relative L2 error falls below this value;
        ``None`` runs all ``iterations``.
    tolerances:
        Relative L2 errors whose exact first crossing is recorded per member
        (:attr:`TrainingResult.crossings`).
    records_per_decade:
        Records per decade of the geometric schedule (:func:`geometric_steps`);
        0 records at multiples of ``log_every`` only.
    stop_learned:
        Stop a member once its recorded per-frequency values have stayed
        learned (:class:`LearnedStop`); ``None`` never does.
    """

    optimizer: str
    learning_rate: float
    iterations: int
    log_every: int
    trainable: Literal["all", "outer", "outer_weight"] = "all"
    stop_below: float | None = None
    tolerances: tuple[float, ...] = ()
    records_per_decade: int = RECORDS_PER_DECADE
    stop_learned: LearnedStop | None = None

    def __post_init__(self) -> None:
        lookup(OPTIMIZERS, "optimizer", self.optimizer)
        if not (self.learning_rate > 0 and math.isfinite(self.learning_rate)):
            raise ValueError(f"learning_rate must be positive, got {self.learning_rate}")
        if self.iterations < 0:
            raise ValueError(f"iterations must be non-negative, got {self.iterations}")
        if self.log_every < 1:
            raise ValueError(f"log_every must be at least 1, got {self.log_every}")
        if self.trainable not in TRAINABLE:
            raise ValueError(f"trainable must be one of {TRAINABLE}, got {self.trainable!r}")
        object.__setattr__(self, "tolerances", tuple(float(t) for t in self.tolerances))
        if any(not (t > 0 and math.isfinite(t)) for t in self.tolerances):
            raise ValueError(f"tolerances must be positive, got {list(self.tolerances)}")
        if self.records_per_decade < 0:
            raise ValueError(
                f"records_per_decade must be non-negative, got {self.records_per_decade}"
            )


@dataclass(frozen=True)
class TrainingResult:
    """What one batched training run produced.

    Attributes
    ----------
    history:
        One row per member and logged step: ``member`` (index in the batch),
        ``step``, ``loss`` (mean squared error) and ``relative_l2_error``
        (``||f - y|| / ||y||`` on the sample grid).
    spectrum:
        One row per member, logged step and frequency: ``member``, ``step``,
        ``dft_frequency`` (cycles per unit length) and ``relative_error``
        (``Delta(k)``).
    status:
        Per member: ``"completed"`` (ran all iterations), ``"converged"``
        (stopped below ``stop_below``), ``"learned"`` (stopped by
        ``stop_learned``) or ``"diverged"`` (its loss became NaN or infinite).
    steps:
        Per member: optimizer steps taken before it stopped.
    wall_seconds:
        Wall-clock time of the loop, in seconds.
    crossings:
        One row per member and tolerance of ``config.tolerances``: ``member``,
        ``tolerance`` and ``first_step``, the first step at which the member's
        relative L2 error was below the tolerance (checked at every step; -1
        when it never was while the member trained: the learning time is then
        right-censored at the member's ``steps``).
    """

    history: pd.DataFrame
    spectrum: pd.DataFrame
    status: list[str]
    steps: list[int]
    wall_seconds: float
    crossings: pd.DataFrame = dataclasses.field(
        default_factory=lambda: pd.DataFrame(columns=["member", "tolerance", "first_step"])
    )


def _trainable_parameters(model: torch.nn.Module, trainable: str) -> list[torch.nn.Parameter]:
    if trainable == "all":
        return list(model.parameters())
    chosen = model.outer_parameters() if trainable == "outer" else [model.outer_weight]
    for parameter in model.parameters():
        if not any(parameter is c for c in chosen):
            parameter.requires_grad_(False)
    return chosen


def _step_checks(losses, active, num_points, target_norm, config):
    """Relative L2 errors, finiteness and who stops (diverged or converged), for the losses
    ``(..., S)`` of one step or of a block of steps."""
    errors = np.sqrt(losses * num_points) / target_norm
    finite = np.isfinite(losses)
    converged = np.zeros_like(finite)
    if config.stop_below is not None:
        converged = finite & (errors < config.stop_below)
    return errors, finite, active & (~finite | converged)


def _next_boundary(step: int, schedule: np.ndarray, checkpoint_every: int) -> int:
    """The first step from ``step`` on that the engine must see: a record or a checkpoint."""
    boundary = int(schedule[np.searchsorted(schedule, step)])
    if checkpoint_every > 0:
        boundary = min(boundary, -(-step // checkpoint_every) * checkpoint_every)
    return boundary


def _run_block(
    blocks, step, count, active, target_norm, num_points, config, tolerances, first_below
) -> int:
    """Run steps ``step .. step + count - 1`` as a block; return the step the engine resumes at.

    The block's losses are checked as the engine checks each step's: tolerance
    crossings are recorded in ``first_below``; at the first step where an
    active member converges or diverges, the block is rewound and replayed up
    to that step, which the engine then computes itself.
    """
    blocks.snapshot()
    losses = blocks.advance(count)  # (count, S)
    errors, finite, stopping = _step_checks(losses, active, num_points, target_norm, config)
    events = np.flatnonzero(stopping.any(axis=1))
    end = count if events.size == 0 else int(events[0])
    if len(tolerances) and end > 0:
        ok = active[None, :] & finite[:end]
        crossed = ok[:, :, None] & (errors[:end, :, None] < tolerances[None, None, :])
        first = step + np.argmax(crossed, axis=0)  # (S, T)
        new = crossed.any(axis=0) & (first_below < 0)
        first_below[new] = first[new]
    if end < count:
        blocks.rewind()
        if end > 0:
            blocks.advance(end)
    return step + end


def _fingerprint(config: TrainingConfig, frequencies, model, x, y) -> dict:
    """What a checkpoint must match to be resumed: the run it belongs to."""
    return {
        "config": dataclasses.asdict(config),
        "frequencies": [int(k) for k in frequencies],
        "shapes": {name: list(p.shape) for name, p in model.named_parameters()},
        "dtype": str(x.dtype),
        "data": hashlib.sha256(x.cpu().numpy().tobytes() + y.cpu().numpy().tobytes()).hexdigest(),
    }


def _save_checkpoint(path, fingerprint, step, model, optimizer, progress) -> None:
    from hatlib.io import atomic_output

    state = {
        "fingerprint": fingerprint,
        "step": step,
        "model": {k: v.detach().cpu().clone() for k, v in model.state_dict().items()},
        "optimizer": {
            k: [t.detach().cpu().clone() for t in v] if isinstance(v, list) else v
            for k, v in optimizer.state_dict().items()
        },
        "rng": torch.get_rng_state(),
        **progress,
    }
    with atomic_output(path) as temporary:
        torch.save(state, temporary)


def _load_checkpoint(path, fingerprint):
    """The saved state, or ``None`` when there is none or it belongs to another run."""
    if path is None or not os.path.exists(path):
        return None
    try:
        state = torch.load(path, weights_only=False)
    except Exception as error:  # a checkpoint is a cache: a bad one is discarded
        logger.warning("ignoring unreadable checkpoint %s: %s", path, error)
        return None
    if state.get("fingerprint") != fingerprint:
        logger.warning("ignoring checkpoint %s: it belongs to another run", path)
        return None
    return state


def train(
    model: torch.nn.Module,
    inputs: np.ndarray,
    targets: np.ndarray,
    config: TrainingConfig,
    frequencies: list[int],
    device: torch.device | str = "cpu",
    checkpoint: str | os.PathLike | None = None,
    checkpoint_every: int = 0,
    on_step: Callable[[int], None] | None = None,
    probe: Callable[[torch.Tensor], torch.Tensor] | None = None,
    blocks: bool | None = None,
) -> TrainingResult:
    """Train every member of ``model`` on the samples ``(inputs, targets)``.

    ``inputs`` has shape ``(N,)`` on a uniform grid of [0, 1) without the
    endpoint, so that ``frequencies`` index DFT bins; ``targets`` has shape
    ``(N,)`` (shared) or ``(S, N)``. The model must already be on ``device``
    in the dtype it is to be trained in.

    With ``checkpoint`` and ``checkpoint_every > 0`` the state (parameters,
    optimizer state, RNG state, step and everything logged so far) is saved
    to ``checkpoint`` every ``checkpoint_every`` steps, atomically; a run that
    finds a checkpoint of the same run there resumes from it, and ends with
    the same results as a run never interrupted. ``on_step(step)`` is called
    before each step's computation (progress reporting, tests).

    ``inputs`` may also have shape ``(N, d)`` (any model that accepts it). The
    per-frequency errors are then, or whenever ``probe`` is given, what
    ``probe(residual)`` returns for float64 residuals ``(S, N)``: a tensor
    ``(S, len(frequencies))`` whose column ``j`` is recorded under
    ``frequencies[j]`` (for example :class:`hatlib.spectral.DFTProbe`).

    ``blocks`` runs the steps between records in blocks whose losses the host
    reads once, with the same records, crossings and statuses as step by step:
    a block is one call of the CPU kernel where it trains the model
    (:meth:`hatlib.kernels.FusedShallowStep.advance`), else
    :class:`hatlib.capture.StepBlocks` (captured as CUDA graphs on CUDA).
    ``None`` uses blocks on CUDA and with the CPU kernel; ``False`` runs step
    by step. ``on_step`` is then called for a block's steps before the block
    runs.
    """
    first = next(model.parameters())
    members = first.shape[0]
    x = torch.tensor(np.asarray(inputs), dtype=first.dtype, device=device)
    y = torch.tensor(np.asarray(targets), dtype=first.dtype, device=device)
    y = y.expand(members, -1).contiguous()  # (S, N)
    y64 = y.to(torch.float64)
    target_norm = torch.linalg.vector_norm(y64, dim=1).cpu().numpy()  # (S,)
    if probe is None:
        target_dft = torch.abs(torch.fft.rfft(y64, dim=1)[:, frequencies])  # (S, F)

        def probe(residual: torch.Tensor) -> torch.Tensor:
            return torch.abs(torch.fft.rfft(residual, dim=1)[:, frequencies]) / target_dft

    parameters = _trainable_parameters(model, config.trainable)
    optimizer = OPTIMIZERS[config.optimizer](parameters, config.learning_rate)
    # the CPU kernel's steps, optimizer inside (None where the kernel cannot train the model)
    fused = model.fused_step(parameters, optimizer, x, y) if hasattr(model, "fused_step") else None
    in_blocks = (fused is not None or x.device.type == "cuda") if blocks is None else blocks
    if fused is None and in_blocks:
        capture = x.device.type == "cuda" and capturable(optimizer)
        fused = StepBlocks(model, parameters, optimizer, x, y, capture=capture)
    num_points = x.shape[0]

    history: list[tuple[int, int, float, float]] = []
    spectrum: list[tuple[int, int, np.ndarray]] = []
    status = ["completed"] * members
    steps = [config.iterations] * members
    active = np.ones(members, dtype=bool)
    tolerances = np.asarray(config.tolerances, dtype=np.float64)
    first_below = np.full((members, len(tolerances)), -1, dtype=np.int64)
    # Per member: the step of the first record of its current run of learned records (-1: none).
    learned_since = np.full(members, -1, dtype=np.int64)
    schedule = record_steps(config.iterations, config.log_every, config.records_per_decade)
    scheduled = {int(s) for s in schedule}
    step = 0
    fingerprint = _fingerprint(config, frequencies, model, x, y)
    saved = _load_checkpoint(checkpoint, fingerprint)
    if saved is not None:
        with torch.no_grad():
            for name, parameter in model.named_parameters():
                parameter.copy_(saved["model"][name])
        optimizer.load_state_dict(saved["optimizer"])
        torch.set_rng_state(saved["rng"])
        step, history, spectrum = saved["step"], saved["history"], saved["spectrum"]
        status, steps, active = saved["status"], saved["steps"], saved["active"]
        first_below = saved["first_below"]
        learned_since = saved.get("learned_since", learned_since)
        logger.info("resumed from checkpoint %s at step %d", checkpoint, step)
    start = last_report = time.perf_counter()
    age = seconds_since_process_start()
    if age is not None:
        logger.info("first training step %.2f s after the process started", age)
    while True:
        if checkpoint is not None and checkpoint_every > 0 and step > 0:
            if step % checkpoint_every == 0 and (saved is None or step != saved["step"]):
                if fused is not None:
                    fused.flush()
                progress = {"history": history, "spectrum": spectrum, "status": status}
                progress.update(steps=steps, active=active.copy(), first_below=first_below.copy())
                progress.update(learned_since=learned_since.copy())
                _save_checkpoint(checkpoint, fingerprint, step, model, optimizer, progress)
        if on_step is not None:
            on_step(step)
        if fused is not None:
            loss, output = fused.compute()
        else:
            loss, gradients, output = loss_gradients_output(model, x, y, parameters)
        loss_values = loss.cpu().numpy().astype(np.float64)  # (S,), a copy
        errors, finite, stopping = _step_checks(
            loss_values, active, num_points, target_norm, config
        )
        if len(tolerances):
            crossed = (active & finite)[:, None] & (errors[:, None] < tolerances[None, :])
            first_below[crossed & (first_below < 0)] = step
        last = step == config.iterations
        log_all = step in scheduled or last
        record = active & (log_all | stopping)
        if record.any():
            residual = output.to(torch.float64) - y64  # (S, N)
            delta = probe(residual).cpu().numpy()  # (S, F)
            for member in np.flatnonzero(record):
                history.append((member, step, loss_values[member], errors[member]))
                spectrum.append((member, step, delta[member]))
            if config.stop_learned is not None:
                learned = record & ~stopping & config.stop_learned.learned(delta)
                learned_since[record & ~learned] = -1
                learned_since[learned & (learned_since < 0)] = step
                settled = learned & (step - learned_since >= config.stop_learned.hold)
                for member in np.flatnonzero(settled):
                    status[member] = "learned"
                    steps[member] = step
                active &= ~settled
        for member in np.flatnonzero(stopping):
            status[member] = "diverged" if not finite[member] else "converged"
            steps[member] = step
        active &= ~stopping
        if last or not active.any():
            break
        if fused is not None:
            fused.step()
        else:
            optimizer.step(gradients)
        step += 1
        if in_blocks:
            boundary = _next_boundary(step, schedule, checkpoint_every if checkpoint else 0)
            if boundary > step:
                if on_step is not None:
                    for block_step in range(step, boundary):
                        on_step(block_step)
                step = _run_block(
                    fused,
                    step,
                    boundary - step,
                    active,
                    target_norm,
                    num_points,
                    config,
                    tolerances,
                    first_below,
                )
        now = time.perf_counter()
        if now - last_report > PROGRESS_SECONDS:
            last_report = now
            logger.info(
                "step %d/%d  loss %.3e  rate %.0f steps/s  (%d of %d members active)",
                step,
                config.iterations,
                float(np.nanmean(np.where(active, loss_values, np.nan))),
                step / (now - start),
                int(active.sum()),
                members,
            )
    wall = time.perf_counter() - start
    logger.info("finished after %d steps in %.2f s: %s", step, wall, ", ".join(status))

    history_frame = pd.DataFrame(
        history, columns=["member", "step", "loss", "relative_l2_error"]
    ).sort_values(["member", "step"], kind="stable", ignore_index=True)
    spectrum_frame = pd.DataFrame(
        {
            "member": np.repeat([row[0] for row in spectrum], len(frequencies)),
            "step": np.repeat([row[1] for row in spectrum], len(frequencies)),
            "dft_frequency": np.tile(np.asarray(frequencies, dtype=np.int64), len(spectrum)),
            "relative_error": np.concatenate([row[2] for row in spectrum])
            if spectrum
            else np.array([]),
        }
    ).sort_values(["member", "step", "dft_frequency"], kind="stable", ignore_index=True)
    crossings = pd.DataFrame(
        {
            "member": np.repeat(np.arange(members), len(tolerances)),
            "tolerance": np.tile(tolerances, members),
            "first_step": first_below.reshape(-1),
        }
    )
    return TrainingResult(history_frame, spectrum_frame, status, steps, wall, crossings)

"""The training engine: full-batch gradient descent or Adam on a mean-squared loss.

The engine knows no activation: it trains any ``torch.nn.Module`` mapping
inputs of shape ``(N,)`` to outputs of shape ``(N,)``. Every ``log_every``
steps it records the loss, the relative L2 error and the per-frequency error
``Delta(k)`` of :mod:`hatlib.spectral` into tidy tables.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import torch

from hatlib.activations import lookup

logger = logging.getLogger(__name__)

OPTIMIZERS: dict[str, type[torch.optim.Optimizer]] = {
    "sgd": torch.optim.SGD,
    "adam": torch.optim.Adam,
}

DTYPES: dict[str, torch.dtype] = {"float32": torch.float32, "float64": torch.float64}

#: Which parameters a run trains: all, the output layer (weights and bias), or
#: the output weights alone (a least-squares problem in the hidden features).
TRAINABLE = ("all", "outer", "outer_weight")


@dataclass(frozen=True)
class TrainingConfig:
    """How to train one model.

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
        End the run early once the relative L2 error falls below this value;
        ``None`` runs all ``iterations``.
    """

    optimizer: str
    learning_rate: float
    iterations: int
    log_every: int
    trainable: Literal["all", "outer", "outer_weight"] = "all"
    stop_below: float | None = None

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


@dataclass(frozen=True)
class TrainingResult:
    """What one training run produced.

    Attributes
    ----------
    history:
        One row per logged step: ``step``, ``loss`` (mean squared error) and
        ``relative_l2_error`` (``||f - y|| / ||y||`` on the sample grid).
    spectrum:
        One row per logged step and frequency: ``step``, ``dft_frequency``
        (cycles per unit length) and ``relative_error`` (``Delta(k)``).
    status:
        ``"completed"`` (ran all iterations), ``"converged"`` (stopped below
        ``stop_below``) or ``"diverged"`` (the loss became NaN or infinite).
    steps:
        Optimizer steps taken.
    wall_seconds:
        Wall-clock time of the loop, in seconds.
    """

    history: pd.DataFrame
    spectrum: pd.DataFrame
    status: str
    steps: int
    wall_seconds: float


def _trainable_parameters(model: torch.nn.Module, trainable: str) -> list[torch.nn.Parameter]:
    if trainable == "all":
        return list(model.parameters())
    chosen = model.outer_parameters() if trainable == "outer" else [model.outer_weight]
    for parameter in model.parameters():
        if not any(parameter is c for c in chosen):
            parameter.requires_grad_(False)
    return chosen


def train(
    model: torch.nn.Module,
    inputs: np.ndarray,
    targets: np.ndarray,
    config: TrainingConfig,
    frequencies: list[int],
    device: torch.device | str = "cpu",
) -> TrainingResult:
    """Train ``model`` on the samples ``(inputs, targets)`` and record its error.

    ``inputs`` and ``targets`` have shape ``(N,)`` and lie on a uniform grid of
    [0, 1) without the endpoint, so that ``frequencies`` index DFT bins. The
    model must already be on ``device`` in the dtype it is to be trained in.
    """
    dtype = next(model.parameters()).dtype
    x = torch.tensor(np.asarray(inputs), dtype=dtype, device=device)
    y = torch.tensor(np.asarray(targets), dtype=dtype, device=device)
    y64 = y.to(torch.float64)
    target_norm = torch.linalg.vector_norm(y64)
    target_dft = torch.fft.rfft(y64)[frequencies]  # (F,)
    optimizer = OPTIMIZERS[config.optimizer](
        _trainable_parameters(model, config.trainable), lr=config.learning_rate
    )

    history: list[tuple[int, float, float]] = []
    spectrum: list[np.ndarray] = []
    status = "completed"
    start = last_report = time.perf_counter()
    step = 0
    while True:
        optimizer.zero_grad(set_to_none=True)
        prediction = model(x)  # (N,)
        loss = torch.mean((prediction - y) ** 2)
        loss_value = float(loss.detach())
        finite = math.isfinite(loss_value)
        residual = prediction.detach().to(torch.float64) - y64
        error = float(torch.linalg.vector_norm(residual) / target_norm)
        converged = config.stop_below is not None and error < config.stop_below
        if step % config.log_every == 0 or step == config.iterations or converged or not finite:
            delta = torch.abs(torch.fft.rfft(residual)[frequencies]) / torch.abs(target_dft)
            history.append((step, loss_value, error))
            spectrum.append(delta.cpu().numpy())
        if not finite:
            status = "diverged"
            break
        if converged:
            status = "converged"
            break
        if step == config.iterations:
            break
        loss.backward()
        optimizer.step()
        step += 1
        now = time.perf_counter()
        if now - last_report > 5.0:
            last_report = now
            logger.info(
                "step %d/%d  loss %.3e  rate %.0f steps/s",
                step,
                config.iterations,
                loss_value,
                step / (now - start),
            )
    wall = time.perf_counter() - start
    logger.info("finished: %s after %d steps in %.2f s", status, step, wall)

    history_frame = pd.DataFrame(history, columns=["step", "loss", "relative_l2_error"])
    spectrum_frame = pd.DataFrame(
        {
            "step": np.repeat(history_frame["step"].to_numpy(), len(frequencies)),
            "dft_frequency": np.tile(np.asarray(frequencies, dtype=np.int64), len(history)),
            "relative_error": np.concatenate(spectrum) if spectrum else np.array([]),
        }
    )
    return TrainingResult(history_frame, spectrum_frame, status, step, wall)

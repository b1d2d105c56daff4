"""Gradient descent on frozen FEM-grid features: steps predicted from the Gram
matrix's spectrum against steps measured by training the output weights."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import torch

from hatlib.models import build_shallow_network
from hatlib.training import TrainingConfig, train


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

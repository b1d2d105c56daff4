"""Targets with several frequencies, 1-D and 2-D: per-frequency learning times."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from hatlib.experiments.common import fit_setting, run_probed_fit
from hatlib.ridge_grid import (
    RidgeGrid,
    best_fit_error,
    exact_conditioning,
    exact_spectrum,
    feature_conditioning,
    frozen_features,
    ridge_grid,
)


def run_multifrequency(
    data: pd.DataFrame,
    bins: Sequence,
    activation: str,
    network: dict,
    settings: dict,
    candidates: dict[str, Sequence[float]],
    device: str = "auto",
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict[str, object]]:
    """One network family on a multi-frequency target, with every optimizer of ``settings``.

    On 2-D inputs the FEM-like networks (``mlp``) have the ridge grid of
    :func:`first_layer_grid` as first layer and its width.

    ``data`` has columns ``x0`` (, ``x1``) and ``y`` on a uniform grid (1-D:
    ``N`` points; 2-D: ``n x n`` row-major); ``bins`` the target's frequencies
    (integers or vectors). ``network`` holds ``depth`` and ``width``;
    ``settings`` the ``multifrequency`` configuration section. Returns the
    history (``optimizer``, ``seed``, ``step``, ``loss``, ``relative_l2_error``),
    the per-frequency errors (``optimizer``, ``seed``, ``step``, ``frequency``
    label, ``magnitude`` ``|k|``, ``relative_error`` ``Delta(k)``), the
    learning-rate searches and the metadata.
    """
    from hatlib.spectral import DFTProbe
    from hatlib.targets import frequency_label

    columns = [c for c in data.columns if c.startswith("x")]
    inputs = data[columns].to_numpy()
    inputs = inputs[:, 0] if len(columns) == 1 else inputs
    targets = data["y"].to_numpy()
    side = round(len(data) ** (1 / len(columns)))
    shape = (side,) * len(columns)
    vectors = [np.atleast_1d(np.asarray(k, dtype=np.int64)) for k in bins]
    probe = DFTProbe(targets, shape, vectors)
    labels = pd.DataFrame(
        {
            "component": range(len(vectors)),
            "frequency": [frequency_label(k) for k in vectors],
            "magnitude": [float(np.linalg.norm(k)) for k in vectors],
        }
    )
    grid = None
    if len(columns) > 1 and network.get("family", "mlp") == "mlp":
        grid = first_layer_grid(settings["two_d"])
    histories, spectra, searches, runs = [], [], [], {}
    for optimizer in settings["optimizers"]:
        setting = fit_setting(activation, optimizer, network, settings, candidates, grid)
        result, search, metadata, _ = run_probed_fit(
            inputs, targets, probe, len(vectors), setting, device
        )
        histories.append(result.history.assign(optimizer=optimizer))
        spectrum = result.spectrum.merge(labels, on="component").drop(columns="component")
        spectra.append(spectrum.assign(optimizer=optimizer))
        searches.append(search.assign(optimizer=optimizer, chosen_rate=metadata["learning_rate"]))
        runs[optimizer] = metadata
    history = pd.concat(histories, ignore_index=True)
    spectrum = pd.concat(spectra, ignore_index=True)
    order = ["optimizer", "seed", "step", "frequency", "magnitude", "relative_error"]
    spectrum = spectrum[order].sort_values(["optimizer", "seed", "step", "magnitude"])
    history = history[["optimizer", *[c for c in history.columns if c != "optimizer"]]]
    metadata = {"activation": activation, "network": network, "shape": shape, "runs": runs}
    if grid is not None:
        metadata["first_layer"] = grid.table().to_dict(orient="list")
    return history, spectrum.reset_index(drop=True), pd.concat(searches), metadata


def first_layer_grid(two_d: dict) -> RidgeGrid:
    """The ridge grid of the 2-D FEM-like networks: ``two_d`` is that configuration section.

    Directions ``two_d["directions"]`` and those of the target's frequency
    vectors, ``two_d["width"]`` units shared by the design rule of
    :func:`hatlib.ridge_grid.ridge_grid` with ``two_d["elements_per_period"]``.
    """
    return ridge_grid(
        two_d["directions"], two_d["frequencies"], two_d["width"], two_d["elements_per_period"]
    )


def first_layer_table(
    two_d: dict, activations: Sequence[str], phase_seed: int, reduction: float = 10.0
) -> pd.DataFrame:
    """What the frozen 2-D first layer can do, per activation, before any training.

    For the features of :func:`first_layer_grid` and a constant (the output
    bias) on the training grid: the spectrum of the discrete Gram matrix
    (:func:`hatlib.ridge_grid.feature_conditioning`); for every target
    component ``sin(2 pi k . x + phi)``, its best-fit relative error and the
    gradient-descent steps that the Gram's eigen-decomposition predicts for
    shrinking the error of its best fit ``reduction``-fold at ``eta =
    1/lambda_max`` (:func:`hatlib.theory.steps_to_reduce`, the 1-D theory
    stage's prediction). The ``exact_*`` columns describe the exact Gram over
    the square (:func:`hatlib.ridge_grid.exact_conditioning`). One row per
    activation and component.
    """
    from hatlib.targets import frequency_label, random_phases, uniform_grid_2d
    from hatlib.theory import least_squares_problem, steps_to_reduce

    grid = first_layer_grid(two_d)
    points = uniform_grid_2d(two_d["points_per_side"])
    vectors = np.asarray(two_d["frequencies"], dtype=np.float64)
    phases = random_phases(len(vectors), phase_seed)
    rows = []
    for activation in activations:
        features = frozen_features(activation, grid, points)
        conditioning = feature_conditioning(features)
        exact = {f"exact_{k}": v for k, v in exact_conditioning(activation, grid).items()}
        for vector, phase in zip(vectors, phases, strict=True):
            values = np.sin(2.0 * np.pi * points @ vector + phase)
            steps = steps_to_reduce(least_squares_problem(features, values), reduction)
            rows.append(
                {
                    "activation": activation,
                    "width": grid.width,
                    "directions": len(grid.nodes),
                    **conditioning,
                    **exact,
                    "frequency": frequency_label(vector.astype(int)),
                    "magnitude": float(np.linalg.norm(vector)),
                    "best_fit_error": best_fit_error(features, values),
                    "predicted_steps": float("nan") if steps is None else float(steps),
                }
            )
    return pd.DataFrame(rows)


def first_layer_spectrum(two_d: dict, activations: Sequence[str]) -> pd.DataFrame:
    """The exact Gram spectrum of the 2-D first layer (and the output's constant), per activation.

    Columns ``activation``, ``index`` (1 = largest) and ``eigenvalue``
    (:func:`hatlib.ridge_grid.exact_spectrum`); activations that are not
    piecewise linear have no rows.
    """
    grid = first_layer_grid(two_d)
    frames = []
    for activation in activations:
        eigenvalues = exact_spectrum(activation, grid)[::-1]
        frames.append(
            pd.DataFrame(
                {
                    "activation": activation,
                    "index": np.arange(1, len(eigenvalues) + 1),
                    "eigenvalue": eigenvalues,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)

"""One experiment run: build a network, train it on a target, describe what ran.

This module composes :mod:`hatlib.models` and :mod:`hatlib.training`; neither
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
        Feature widths across the input cube of the first layer for inputs of
        dimension above one (:func:`hatlib.models.init_first_layer`).
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


def fit_setting(
    activation: str,
    optimizer: str,
    network: dict,
    settings: dict,
    candidates: dict[str, Sequence[float]],
) -> FitSetting:
    """The :class:`FitSetting` of one activation and optimizer from a configuration section.

    ``network`` holds ``depth`` and ``width`` (and for the alternatives
    ``family`` with ``features`` and ``sigma``, or ``omega0``); ``settings`` (the
    ``multifrequency`` or ``digits`` section) ``resolution``, ``seeds`` (a
    count), ``iterations``, ``log_every`` and ``selection_iterations``.
    """
    return FitSetting(
        family=network.get("family", "mlp"),
        features=network.get("features", 0),
        sigma=network.get("sigma", 0.0),
        omega0=network.get("omega0", 0.0),
        activation=activation,
        optimizer=optimizer,
        depth=network["depth"],
        width=network["width"],
        resolution=settings["resolution"],
        seeds=tuple(range(settings["seeds"])),
        iterations=settings["iterations"],
        log_every=settings["log_every"],
        candidates=tuple(candidates[optimizer]),
        selection_iterations=settings["selection_iterations"],
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
    used_device = resolve_device(device)
    input_dim = 1 if np.ndim(inputs) == 1 else np.shape(inputs)[1]
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
    config = TrainingConfig(setting.optimizer, rate, setting.iterations, setting.log_every)
    result = train(
        model, inputs, targets, config, list(range(components)), used_device, probe=probe
    )
    seeds = list(setting.seeds)
    spectrum = _seed_column(result.spectrum, seeds).rename(columns={"dft_frequency": "component"})
    result = dataclasses.replace(
        result, history=_seed_column(result.history, seeds), spectrum=spectrum
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


def select_learning_rates(
    data: pd.DataFrame,
    model_config: ModelConfig,
    optimizers: Sequence[str],
    candidates: dict[str, Sequence[float]],
    iterations: int,
    device: str = "auto",
) -> pd.DataFrame:
    """The learning-rate rule of the single-frequency grid, for one model and each optimizer.

    Every candidate of ``candidates[optimizer]`` trains ``model_config``'s
    networks on ``data`` (columns ``x``, ``y``) for ``iterations`` steps.
    Returns the search table (:func:`learning_rate_search`) with columns
    ``optimizer`` first and ``chosen`` (the rate
    :func:`hatlib.analysis.choose_learning_rate` picks).
    """
    from hatlib.analysis import choose_learning_rate

    used_device = resolve_device(device)

    def build() -> torch.nn.Module:
        return build_shallow_network(
            model_config.activation,
            model_config.width,
            model_config.initialisation,
            seeds=model_config.seeds,
            dtype=DTYPES[model_config.dtype],
            device=used_device,
        )

    tables = []
    for optimizer in optimizers:
        search = learning_rate_search(
            build,
            data["x"].to_numpy(),
            data["y"].to_numpy(),
            optimizer,
            candidates[optimizer],
            iterations,
            model_config.seeds,
            used_device,
        )
        chosen = choose_learning_rate(search)
        tables.append(search.assign(optimizer=optimizer, chosen=search["learning_rate"] == chosen))
    table = pd.concat(tables, ignore_index=True)
    return table[["optimizer", *[c for c in table.columns if c != "optimizer"]]]


def chosen_learning_rate(search: pd.DataFrame, optimizer: str) -> float:
    """The rate marked ``chosen`` for ``optimizer`` in a :func:`select_learning_rates` table."""
    rates = search.loc[search["chosen"] & (search["optimizer"] == optimizer), "learning_rate"]
    if rates.nunique() != 1:
        raise ValueError(f"the selection table has no single chosen rate for {optimizer!r}")
    return float(rates.iloc[0])


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
    histories, spectra, searches, runs = [], [], [], {}
    for optimizer in settings["optimizers"]:
        setting = fit_setting(activation, optimizer, network, settings, candidates)
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
    return history, spectrum.reset_index(drop=True), pd.concat(searches), metadata


def digits_frame(data) -> pd.DataFrame:
    """A :class:`hatlib.digits.DigitsData` as one table: ``split``, ``target``, ``p0..``."""
    frames = []
    for split in ("train", "test"):
        inputs = getattr(data, f"{split}_inputs")
        pixels = pd.DataFrame(inputs, columns=[f"p{i}" for i in range(inputs.shape[1])])
        frames.append(pixels.assign(split=split, target=getattr(data, f"{split}_targets")))
    table = pd.concat(frames, ignore_index=True)
    return table[["split", "target", *[c for c in table.columns if c.startswith("p")]]]


def run_digits(
    table: pd.DataFrame,
    activation: str,
    settings: dict,
    candidates: dict[str, Sequence[float]],
    device: str = "auto",
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame, dict[str, object]]:
    """Shallow networks on the digits table (:func:`digits_frame`), every optimizer.

    The low- and high-frequency errors on the training set use the Gaussian
    filter of width ``settings["filter_width"]`` times the median distance
    between training inputs. Returns the history, the components table
    (``optimizer``, ``seed``, ``step``, ``part`` low/high, ``relative_error``),
    the test accuracy per optimizer and seed (share of test samples whose
    output has the target's sign), the learning-rate searches and metadata.
    """
    from hatlib.digits import gaussian_filter_matrix, median_distance
    from hatlib.spectral import FilterProbe

    pixels = [c for c in table.columns if c.startswith("p")]
    train_rows, test_rows = table[table["split"] == "train"], table[table["split"] == "test"]
    inputs, targets = train_rows[pixels].to_numpy(), train_rows["target"].to_numpy()
    delta = settings["filter_width"] * median_distance(inputs)
    probe = FilterProbe(targets, gaussian_filter_matrix(inputs, delta))
    histories, components, accuracies, searches, runs = [], [], [], [], {}
    for optimizer in settings["optimizers"]:
        network = {"depth": 1, "width": settings["width"]}
        setting = fit_setting(activation, optimizer, network, settings, candidates)
        result, search, metadata, model = run_probed_fit(
            inputs, targets, probe, 2, setting, device, data_dependent=True
        )
        parameter = next(model.parameters())
        test_inputs = torch.as_tensor(test_rows[pixels].to_numpy(), dtype=parameter.dtype)
        with torch.no_grad():
            output = model(test_inputs.to(parameter.device)).to(torch.float64).cpu().numpy()
        correct = np.sign(output) == test_rows["target"].to_numpy()[None, :]
        accuracies.append(
            pd.DataFrame(
                {
                    "optimizer": optimizer,
                    "seed": list(setting.seeds),
                    "test_accuracy": correct.mean(axis=1),
                    "test_samples": len(test_rows),
                    "status": result.status,
                }
            )
        )
        parts = result.spectrum.assign(part=result.spectrum["component"].map({0: "low", 1: "high"}))
        components.append(parts.drop(columns="component").assign(optimizer=optimizer))
        histories.append(result.history.assign(optimizer=optimizer))
        searches.append(search.assign(optimizer=optimizer, chosen_rate=metadata["learning_rate"]))
        runs[optimizer] = metadata
    metadata = {
        "activation": activation,
        "filter_delta": delta,
        "train_samples": len(train_rows),
        "test_samples": len(test_rows),
        "runs": runs,
    }
    component_table = pd.concat(components, ignore_index=True)
    component_table = component_table[["optimizer", "seed", "step", "part", "relative_error"]]
    return (
        pd.concat(histories, ignore_index=True),
        component_table,
        pd.concat(accuracies, ignore_index=True),
        pd.concat(searches, ignore_index=True),
        metadata,
    )


def run_pde(
    activation: str, settings: dict, device: str = "auto"
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame, dict[str, object]]:
    """Shallow networks of ``activation`` solving the Poisson problem by the Ritz method.

    ``settings`` is the ``pde`` configuration section. For each optimizer a
    learning rate is chosen from ``learning_rates`` (:func:`hatlib.analysis.choose_learning_rate`
    on ``selection_iterations`` steps), then ``seeds`` networks of ``width``
    units (``fem_grid`` inner layer, trained as ``trainable`` says) minimise
    the energy for ``iterations`` steps. The error-against-width runs train
    every width of ``widths`` with Adam at its rate chosen for ``width`` (or
    the first optimizer's when Adam is not listed). Returns the history
    (``optimizer``, ``seed``, ``step``, ``energy``, ``energy_gap``,
    ``relative_l2_error``, ``relative_h1_error``), the per-mode errors
    (``optimizer``, ``seed``, ``step``, ``mode``, ``relative_error``), the
    final errors against width (``optimizer``, ``width``, ``seed``,
    ``relative_l2_error``, ``relative_h1_error``), the learning-rate searches
    and the metadata.
    """
    from hatlib.analysis import choose_learning_rate
    from hatlib.pde import PoissonProblem, ritz_learning_rate_search, solve_ritz

    used_device = resolve_device(device)
    problem = PoissonProblem(tuple(settings["modes"]), tuple(settings["coefficients"]))
    seeds = tuple(range(settings["seeds"]))
    dtype = DTYPES[settings["dtype"]]
    trainable = settings["trainable"]
    cells = settings["quadrature_cells"]

    def build(width: int) -> torch.nn.Module:
        return build_shallow_network(activation, width, "fem_grid", seeds, dtype, used_device)

    def tagged(result, optimizer: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        members = dict(enumerate(seeds))
        history = result.history.assign(seed=result.history["member"].map(members))
        modes = result.modes.assign(seed=result.modes["member"].map(members))
        return (
            history.drop(columns="member").assign(optimizer=optimizer),
            modes.drop(columns="member").assign(optimizer=optimizer),
        )

    def final_rows(history: pd.DataFrame, width: int) -> pd.DataFrame:
        last = history.sort_values("step").groupby("seed").tail(1)
        columns = ["optimizer", "seed", "relative_l2_error", "relative_h1_error"]
        return last[columns].assign(width=width)

    histories, modes, widths, searches, runs = [], [], [], [], {}
    for optimizer in settings["optimizers"]:
        search = ritz_learning_rate_search(
            problem,
            lambda: build(settings["width"]),
            optimizer,
            settings["learning_rates"][optimizer],
            settings["selection_iterations"],
            cells,
            seeds,
            used_device,
            trainable,
        )
        rate = choose_learning_rate(search)
        searches.append(search.assign(optimizer=optimizer, chosen=search["learning_rate"] == rate))
        result = solve_ritz(
            problem,
            build(settings["width"]),
            optimizer,
            rate,
            settings["iterations"],
            settings["log_every"],
            cells,
            device=used_device,
            trainable=trainable,
        )
        history, mode_table = tagged(result, optimizer)
        histories.append(history)
        modes.append(mode_table)
        runs[optimizer] = {
            "learning_rate": rate,
            "status": dict(zip(map(str, seeds), result.status, strict=True)),
            "wall_seconds": result.wall_seconds,
        }
    sweep = "adam" if "adam" in runs else settings["optimizers"][0]
    for width in settings["widths"]:
        if width == settings["width"]:  # the main run of that optimizer is this run
            main = pd.concat(histories, ignore_index=True)
            widths.append(final_rows(main[main["optimizer"] == sweep], width))
            continue
        result = solve_ritz(
            problem,
            build(width),
            sweep,
            runs[sweep]["learning_rate"],
            settings["iterations"],
            settings["iterations"],
            cells,
            device=used_device,
            trainable=trainable,
            records_per_decade=0,
        )
        widths.append(final_rows(tagged(result, sweep)[0], width))
    order = ["optimizer", "seed", "step"]
    history = pd.concat(histories, ignore_index=True)
    history = history[[*order, *[c for c in history.columns if c not in order]]]
    mode_table = pd.concat(modes, ignore_index=True)[[*order, "mode", "relative_error"]]
    width_table = pd.concat(widths, ignore_index=True)[
        ["optimizer", "width", "seed", "relative_l2_error", "relative_h1_error"]
    ]
    search = pd.concat(searches, ignore_index=True)
    metadata = {
        "activation": activation,
        "settings": dict(settings),
        "runs": runs,
        "requested_device": device,
        "environment": environment_metadata(used_device),
    }
    return history, mode_table, width_table, search, metadata

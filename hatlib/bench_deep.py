"""Benchmark of the deep networks: ``python -m hatlib.bench_deep``.

Four families of deep networks are trained here as the workflow trains them
(widths, depths, sample points, seeds, optimizer, float32; the sizes are those
of ``config/config.yaml``):

``classic``
    Rahaman et al.'s protocol (:mod:`hatlib.experiments.classic`): 5 hidden layers of 256
    units and the output layer, 200 points of [0, 1), full-batch Adam at
    ``3e-4``, each seed on its own target; ReLU (``torch_default``) and Hat
    (``fem_deep``).
``deep``
    The multi-frequency experiment's deep FEM-like network
    (:mod:`hatlib.experiments.multifrequency`): 3 hidden layers of 64 units on
    the 1-D target (1024 points); ReLU, Hat and Tanh.
``fourier``
    Gaussian Fourier features (64 of them, ``sigma = 10``) and a ReLU network
    of 3 hidden layers of 64 units, on the same target.
``siren``
    Sine layers ``sin(30 z)``, 3 hidden layers of 64 units, on the same target.

Each family is trained twice on the same workload: by the textbook PyTorch
loop (:func:`plain_loop`: one ``nn.Sequential`` per seed, ``torch.optim``,
seeds one after another) and by the engine (:func:`engine`:
:func:`hatlib.training.train` on the batched network). Both start from the same
parameters, so they perform the same computation; the rates they reach are set
next to the machine's matrix-multiplication rate (:func:`matmul_rate`,
:func:`layer_matmul_rate`). A training step of one network on ``N`` points
counts ``6 N sum_l fan_in_l fan_out_l`` flops (:func:`training_flops`:
forward ``2 N fan_in fan_out`` per linear layer, backward twice that).
"""

from __future__ import annotations

import argparse
import itertools
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

#: The ``classic`` section of ``config/config.yaml`` that the benchmark uses.
CLASSIC = {
    "num_points": 200,
    "frequencies": (5, 10, 15, 20, 25, 30, 35, 40, 45, 50),
    "amplitudes": (1.0,) * 10,  # the "equal" case
    "phase_seed": 0,
    "depth": 5,
    "width": 256,
    "seeds": 3,
    "learning_rate": 3e-4,
    "log_every": 100,
}

#: Initialisation of the classic networks, per activation (``classic.models``).
CLASSIC_INITIALISATION = {"relu": "torch_default", "hat": "fem_deep"}

#: The ``multifrequency`` section of ``config/config.yaml`` (its 1-D target) that the
#: benchmark uses.
MULTIFREQUENCY = {
    "num_points": 1024,
    "frequencies": (1, 4, 8, 16, 32),
    "phase_seed": 0,
    "seeds": 3,
    "log_every": 50,
}

#: The networks of the multi-frequency families (``multifrequency.networks.deep`` and
#: ``multifrequency.alternatives``).
NETWORKS = {
    "deep": {"depth": 3, "width": 64},
    "fourier": {"family": "fourier", "depth": 3, "width": 64, "features": 64, "sigma": 10.0},
    "siren": {"family": "siren", "depth": 3, "width": 64, "omega0": 30.0},
}

#: The families and the activations each is trained with in the workflow.
FAMILIES: dict[str, tuple[str, ...]] = {
    "classic": ("relu", "hat"),
    "deep": ("relu", "hat", "tanh"),
    "fourier": ("relu",),
    "siren": ("sine",),
}

#: Learning rate of the multi-frequency families (the workflow chooses one per run
#: from ``learning_rate_grid``; speed does not depend on it as long as no seed diverges).
LEARNING_RATES = {"adam": 1e-3, "sgd": 1e-2}


@dataclass(frozen=True)
class Workload:
    """One family and activation, trained as the workflow trains it.

    Attributes
    ----------
    family, activation, initialisation:
        What is trained (``initialisation`` only distinguishes the classic networks).
    optimizer, learning_rate:
        ``"adam"`` or ``"sgd"`` (full-batch), and its step size.
    seeds:
        One network per seed.
    inputs:
        The sample points, shape ``(N,)``.
    targets:
        The targets of each seed, shape ``(S, N)``.
    layer_sizes:
        ``fan_in`` of the first trainable linear layer, then the ``fan_out`` of
        each: ``(1, 256, 256, 256, 256, 256, 1)`` for the classic networks.
    log_every:
        The engine's record interval (the experiment's).
    build:
        ``build(device)`` returns the batched networks, freshly initialised.
    probe:
        The experiment's per-frequency probe of the residuals (for the engine).
    components:
        Number of columns ``probe`` returns.
    """

    family: str
    activation: str
    initialisation: str
    optimizer: str
    learning_rate: float
    seeds: tuple[int, ...]
    inputs: np.ndarray
    targets: np.ndarray
    layer_sizes: tuple[int, ...]
    log_every: int
    build: Callable[[torch.device | str], torch.nn.Module]
    probe: Callable[[torch.Tensor], torch.Tensor]
    components: int

    @property
    def num_points(self) -> int:
        """Sample points ``N``."""
        return len(self.inputs)


def workload(
    family: str,
    activation: str | None = None,
    *,
    seeds: int | None = None,
    width: int | None = None,
    depth: int | None = None,
    num_points: int | None = None,
    optimizer: str = "adam",
) -> Workload:
    """The workload of ``family`` with ``activation`` (default: the family's first).

    Sizes default to the configuration's; ``seeds`` (a count), ``width``,
    ``depth`` (hidden layers, at least 2) and ``num_points`` override them
    (tests). ``optimizer`` applies to the multi-frequency families, which the
    workflow trains with both; the classic protocol is Adam's only. Raises
    ``ValueError`` naming an unknown family, an activation the family is not
    built with, or a bad size.
    """
    from hatlib.activations import ACTIVATIONS

    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}; valid choices: {', '.join(FAMILIES)}")
    activation = activation or FAMILIES[family][0]
    valid = ("sine",) if family == "siren" else tuple(ACTIVATIONS)
    if activation not in valid:
        raise ValueError(
            f"family {family!r} cannot be built with activation {activation!r}; "
            f"valid choices: {', '.join(valid)}"
        )
    if optimizer not in LEARNING_RATES:
        raise ValueError(
            f"unknown optimizer {optimizer!r}; valid choices: {', '.join(LEARNING_RATES)}"
        )
    if family == "classic" and optimizer != "adam":
        raise ValueError(f"the classic protocol trains with Adam only, got {optimizer!r}")
    if depth is not None and depth < 2:
        raise ValueError(f"depth must be at least 2 hidden layers, got {depth}")
    if family == "classic":
        return _classic_workload(activation, seeds, width, depth, num_points)
    return _multifrequency_workload(family, activation, seeds, width, depth, num_points, optimizer)


def _classic_workload(activation, seeds, width, depth, num_points) -> Workload:
    from hatlib.experiments.classic import SpectrumProbe, build_classic_network, classic_dataset

    settings = dict(CLASSIC)
    settings.update(
        {
            key: value
            for key, value in (
                ("seeds", seeds),
                ("width", width),
                ("depth", depth),
                ("num_points", num_points),
            )
            if value is not None
        }
    )
    data = classic_dataset(
        settings["num_points"],
        settings["frequencies"],
        settings["amplitudes"],
        settings["phase_seed"],
        settings["seeds"],
    )
    members = tuple(range(settings["seeds"]))
    targets = np.stack([data.loc[data["seed"] == s, "y"].to_numpy() for s in members])
    initialisation = CLASSIC_INITIALISATION.get(activation, "fem_deep")

    def build(device: torch.device | str) -> torch.nn.Module:
        return build_classic_network(
            activation,
            initialisation,
            settings["width"],
            settings["depth"],
            members,
            torch.float32,
            device,
        )

    return Workload(
        family="classic",
        activation=activation,
        initialisation=initialisation,
        optimizer="adam",
        learning_rate=settings["learning_rate"],
        seeds=members,
        inputs=data.loc[data["seed"] == 0, "x"].to_numpy(),
        targets=targets,
        layer_sizes=(1, *[settings["width"]] * settings["depth"], 1),
        log_every=settings["log_every"],
        build=build,
        probe=SpectrumProbe(targets, settings["frequencies"], settings["amplitudes"]),
        components=len(settings["frequencies"]),
    )


def _multifrequency_workload(
    family, activation, seeds, width, depth, num_points, optimizer
) -> Workload:
    from hatlib.experiments.common import build_network, fit_setting
    from hatlib.spectral import DFTProbe
    from hatlib.targets import multifrequency_dataset

    network = dict(NETWORKS[family])
    network.update({k: v for k, v in (("width", width), ("depth", depth)) if v is not None})
    points = num_points or MULTIFREQUENCY["num_points"]
    frequencies = MULTIFREQUENCY["frequencies"]
    data = multifrequency_dataset(
        {"num_points": points, "frequencies": list(frequencies)}, MULTIFREQUENCY["phase_seed"]
    )
    count = seeds or MULTIFREQUENCY["seeds"]
    settings = {
        "seeds": count,
        "iterations": 0,
        "log_every": MULTIFREQUENCY["log_every"],
        "selection_iterations": 0,
    }
    rate = LEARNING_RATES[optimizer]
    setting = fit_setting(activation, optimizer, network, settings, {optimizer: [rate]})
    inputs, target = data["x0"].to_numpy(), data["y"].to_numpy()
    first = 2 * network["features"] if family == "fourier" else 1

    def build(device: torch.device | str) -> torch.nn.Module:
        return build_network(setting, 1, device)

    return Workload(
        family=family,
        activation=activation,
        initialisation={"deep": "fem_deep", "fourier": "torch_default"}.get(family, "siren"),
        optimizer=optimizer,
        learning_rate=rate,
        seeds=setting.seeds,
        inputs=inputs,
        targets=np.tile(target, (count, 1)),
        layer_sizes=(first, *[network["width"]] * network["depth"], 1),
        log_every=MULTIFREQUENCY["log_every"],
        build=build,
        probe=DFTProbe(target, (points,), [[k] for k in frequencies]),
        components=len(frequencies),
    )


def training_flops(layer_sizes: Sequence[int], num_points: int) -> int:
    """Floating-point operations of one training step of one network, by the matmul count.

    ``6 N sum_l fan_in_l fan_out_l`` for ``N`` points and the linear layers
    ``l`` of ``layer_sizes``: the forward pass ``2 N fan_in fan_out`` per layer
    (a multiply and an add per weight and point), the backward pass twice that
    (the gradients of the layer's input and of its weights). Activations,
    biases, the loss, the optimizer and the Fourier features are not counted
    (an undercount of the elementwise work); the first layer's input gradient,
    which autograd does not form, is (an overcount of ``2 N fan_in_0
    fan_out_0``, 1/3 of the Fourier network's first layer and negligible for
    scalar inputs).

    >>> training_flops((1, 256, 1), 200)
    614400
    """
    if num_points < 1 or len(layer_sizes) < 2:
        raise ValueError(f"need points >= 1 and two sizes, got {num_points}, {list(layer_sizes)}")
    return 6 * num_points * sum(a * b for a, b in itertools.pairwise(layer_sizes))


def _synchronise(device: torch.device | str) -> None:
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize(device)


def _rate(work: Callable[[], None], flops: float, device, seconds: float) -> float:
    """GFLOP/s of ``work`` (``flops`` per call): the best of windows of about 0.1 s.

    Calls are repeated for at least ``seconds`` in all; the fastest window is
    reported, as the least disturbed by other processes on a shared machine.
    """
    work()  # first call: allocation, library start-up
    _synchronise(device)
    window = min(0.1, seconds)
    best, begin = 0.0, time.perf_counter()
    while True:
        calls, start = 0, time.perf_counter()
        while True:
            work()
            calls += 1
            _synchronise(device)
            elapsed = time.perf_counter() - start
            if elapsed >= window:
                break
        best = max(best, flops * calls / elapsed / 1e9)
        if time.perf_counter() - begin >= seconds:
            return best


def matmul_rate(
    size: int = 1024,
    dtype: torch.dtype = torch.float32,
    device: torch.device | str = "cpu",
    seconds: float = 0.3,
) -> float:
    """Measured GFLOP/s of one square ``size x size`` ``torch.matmul`` (``2 size^3`` flops).

    The best a dense computation in ``dtype`` reaches on ``device`` with this
    PyTorch and its thread count: the compute bound the training rates are
    compared with.
    """
    if size < 1:
        raise ValueError(f"size must be at least 1, got {size}")
    generator = torch.Generator(device="cpu").manual_seed(0)
    a, b = (
        torch.randn(size, size, generator=generator).to(dtype=dtype, device=device)
        for _ in range(2)
    )
    return _rate(lambda: torch.matmul(a, b), 2.0 * size**3, device, seconds)


def layer_matmul_rate(
    layer_sizes: Sequence[int],
    members: int,
    num_points: int,
    dtype: torch.dtype = torch.float32,
    device: torch.device | str = "cpu",
    seconds: float = 0.3,
) -> float:
    """Measured GFLOP/s of the batched matmuls of one training step of these layers.

    Per layer the three ``torch.bmm`` of a step on ``members`` networks and
    ``num_points`` points: ``(S, N, fan_in) @ (S, fan_in, fan_out)`` (forward),
    the output gradient times the transposed weights (input gradient) and the
    transposed input times the output gradient (weight gradient), with nothing
    in between: :func:`training_flops` per member in the time of these alone,
    the most the engine could reach on these shapes.
    """
    generator = torch.Generator(device="cpu").manual_seed(0)

    def draw(*shape: int) -> torch.Tensor:
        return torch.randn(shape, generator=generator).to(dtype=dtype, device=device)

    layers = [
        (draw(members, num_points, a), draw(members, a, b), draw(members, num_points, b))
        for a, b in itertools.pairwise(layer_sizes)
    ]

    def step() -> None:
        for inputs, weight, gradient in layers:
            torch.bmm(inputs, weight)
            torch.bmm(gradient, weight.transpose(1, 2))
            torch.bmm(inputs.transpose(1, 2), gradient)

    flops = members * training_flops(layer_sizes, num_points)
    return _rate(step, flops, device, seconds)


class FunctionModule(torch.nn.Module):
    """An activation function (the batched network's own) as a module."""

    def __init__(self, function: Callable[[torch.Tensor], torch.Tensor]) -> None:
        super().__init__()
        self.function = function

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.function(x)


class FourierFeatures(torch.nn.Module):
    """``[cos(2 pi B x), sin(2 pi B x)]`` for ``B`` of shape ``(d, m)`` (a fixed buffer)."""

    def __init__(self, frequencies: torch.Tensor) -> None:
        super().__init__()
        self.register_buffer("frequencies", frequencies)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        angles = 2.0 * math.pi * (x @ self.frequencies)
        return torch.cat([torch.cos(angles), torch.sin(angles)], dim=1)


def member_sequential(model: torch.nn.Module, member: int) -> torch.nn.Sequential:
    """Member ``member`` of a batched deep network as a standalone ``nn.Sequential``.

    ``model`` is a :class:`hatlib.models.DeepNetwork` or
    :class:`hatlib.models.FourierFeatureNetwork`; the result holds copies of
    the member's parameters in ``nn.Linear`` layers (weights transposed) and
    the same activation, maps inputs ``(N, d)`` to outputs ``(N, 1)`` and
    computes what the member computes.
    """
    from hatlib.models import DeepNetwork, FourierFeatureNetwork

    layers: list[torch.nn.Module] = []
    body = model
    if isinstance(model, FourierFeatureNetwork):
        layers.append(FourierFeatures(model.frequencies[member].detach().clone()))
        body = model.body
    if not isinstance(body, DeepNetwork):
        raise TypeError(f"expected a DeepNetwork or FourierFeatureNetwork, got {type(model)}")
    last = len(body.weights) - 1
    for index, (weight, bias) in enumerate(zip(body.weights, body.biases, strict=True)):
        fan_in, fan_out = weight.shape[1:]
        linear = torch.nn.Linear(fan_in, fan_out, dtype=weight.dtype, device=weight.device)
        with torch.no_grad():
            linear.weight.copy_(weight[member].T)
            linear.bias.copy_(bias[member])
        layers.append(linear)
        if index < last:
            layers.append(FunctionModule(body.activation.function))
    return torch.nn.Sequential(*layers)


@dataclass(frozen=True)
class Measurement:
    """One timed training run.

    Attributes
    ----------
    model_steps_per_second:
        Networks times steps over the wall-clock time of the loop.
    history:
        Columns ``member``, ``step`` and ``loss`` (mean squared error before
        that step's update): every step of the plain loop, the recorded steps
        of the engine (every step up to 10).
    """

    model_steps_per_second: float
    history: pd.DataFrame


def plain_loop(work: Workload, steps: int, device: torch.device | str = "cpu") -> Measurement:
    """The textbook loop: one ``nn.Sequential`` per seed, trained one seed after another.

    Each seed's network is member ``s`` of ``work.build`` (:func:`member_sequential`,
    the same initial parameters as the engine's), trained on its own targets
    with ``torch.optim.Adam`` (or ``torch.optim.SGD`` without momentum) on the
    mean squared error for ``steps`` full-batch steps. The batched build is not
    timed; copying a member into its ``nn.Sequential`` is.
    """
    model = work.build(device)
    x = torch.tensor(work.inputs, dtype=torch.float32, device=device)[:, None]  # (N, 1)
    y = torch.tensor(work.targets, dtype=torch.float32, device=device)[:, :, None]  # (S, N, 1)
    losses = []
    start = time.perf_counter()
    for member in range(len(work.seeds)):
        network = member_sequential(model, member)
        if work.optimizer == "adam":
            optimizer = torch.optim.Adam(network.parameters(), lr=work.learning_rate)
        else:
            optimizer = torch.optim.SGD(network.parameters(), lr=work.learning_rate)
        target = y[member]
        for _ in range(steps):
            optimizer.zero_grad()
            loss = torch.mean((network(x) - target) ** 2)
            loss.backward()
            optimizer.step()
            losses.append(loss.detach())
    values = torch.stack(losses).cpu().numpy() if losses else np.zeros(0)  # waits for the device
    elapsed = time.perf_counter() - start
    history = pd.DataFrame(
        {
            "member": np.repeat(np.arange(len(work.seeds)), steps),
            "step": np.tile(np.arange(steps), len(work.seeds)),
            "loss": values.astype(np.float64),
        }
    )
    return Measurement(len(work.seeds) * steps / elapsed, history)


def engine(work: Workload, steps: int, device: torch.device | str = "cpu") -> Measurement:
    """:func:`hatlib.training.train` on the batched networks of ``work``, for ``steps`` steps.

    With the experiment's probe and record interval; the rate is over the
    engine's own ``wall_seconds`` (its loop, records included). Raises
    ``RuntimeError`` when a member stops early (diverged): its rate would not
    be that of ``steps`` steps.
    """
    from hatlib.training import TrainingConfig, train

    config = TrainingConfig(work.optimizer, work.learning_rate, steps, work.log_every)
    result = train(
        work.build(device),
        work.inputs,
        work.targets,
        config,
        list(range(work.components)),
        device,
        probe=work.probe,
    )
    if result.steps != [steps] * len(work.seeds):
        raise RuntimeError(
            f"{work.family}/{work.activation}: members stopped early ({result.status}); "
            "the rate would not be that of the requested steps"
        )
    history = result.history[result.history["step"] < steps][["member", "step", "loss"]]
    return Measurement(
        len(work.seeds) * steps / result.wall_seconds, history.reset_index(drop=True)
    )


def bench_deep(
    families: Sequence[str] = tuple(FAMILIES),
    steps: int = 50,
    device: torch.device | str = "cpu",
    optimizer: str = "adam",
    repeats: int = 3,
    matmul_size: int = 1024,
    **sizes: int,
) -> pd.DataFrame:
    """Plain loop and engine on each family's workloads, in this process; one row per activation.

    The measurements run in ``repeats`` rounds, each over every workload (plain
    loop, then engine, ``steps`` steps each) after the matmul rates, and the
    fastest of each measurement is reported: the least disturbed by other
    processes on a shared machine. ``sizes`` (``seeds``, ``width``, ``depth``,
    ``num_points``) override the configuration's (tests).

    Columns: ``family``, ``activation``, ``initialisation``, ``optimizer``,
    ``device``, ``threads``, ``seeds``, ``points``, ``layers`` (the linear
    layers' sizes), ``steps``, ``plain_model_steps_per_second``,
    ``engine_model_steps_per_second``, ``speedup`` (engine over plain),
    ``mflop_per_model_step`` (:func:`training_flops`), ``plain_gflops`` and
    ``engine_gflops`` (achieved, by that count), ``layer_matmul_gflops``
    (:func:`layer_matmul_rate` of the family's shapes), ``matmul_gflops``
    (:func:`matmul_rate` of a square ``matmul_size`` matmul), and
    ``engine_of_matmul`` and ``engine_of_layers``, the engine's rate as a
    fraction of those two.
    """
    if steps < 1 or repeats < 1:
        raise ValueError(f"steps and repeats must be at least 1, got {steps}, {repeats}")
    works = [
        workload(
            family, activation, optimizer=optimizer if family != "classic" else "adam", **sizes
        )
        for family in families
        for activation in FAMILIES.get(family, (None,))
    ]
    for work in works:  # torch.optim's first use, autograd's first graph, each shape once
        plain_loop(work, 2, device)
        engine(work, 2, device)
    shapes = {(work.layer_sizes, len(work.seeds), work.num_points) for work in works}
    square, layer_rates = 0.0, dict.fromkeys(shapes, 0.0)
    plain, batched = [0.0] * len(works), [0.0] * len(works)
    for _ in range(repeats):  # rounds over every workload: a burst of load spoils one round
        square = max(square, matmul_rate(matmul_size, device=device, seconds=0.2))
        for shape in shapes:
            rate = layer_matmul_rate(*shape, device=device, seconds=0.2)
            layer_rates[shape] = max(layer_rates[shape], rate)
        for index, work in enumerate(works):
            rate = plain_loop(work, steps, device).model_steps_per_second
            plain[index] = max(plain[index], rate)
            rate = engine(work, steps, device).model_steps_per_second
            batched[index] = max(batched[index], rate)
    rows = []
    for work, plain_rate, engine_rate in zip(works, plain, batched, strict=True):
        flops = training_flops(work.layer_sizes, work.num_points)
        layers = layer_rates[(work.layer_sizes, len(work.seeds), work.num_points)]
        engine_gflops = engine_rate * flops / 1e9
        rows.append(
            {
                "family": work.family,
                "activation": work.activation,
                "initialisation": work.initialisation,
                "optimizer": work.optimizer,
                "device": str(device),
                "threads": torch.get_num_threads(),
                "seeds": len(work.seeds),
                "points": work.num_points,
                "layers": "-".join(map(str, work.layer_sizes)),
                "steps": steps,
                "plain_model_steps_per_second": plain_rate,
                "engine_model_steps_per_second": engine_rate,
                "speedup": engine_rate / plain_rate,
                "mflop_per_model_step": flops / 1e6,
                "plain_gflops": plain_rate * flops / 1e9,
                "engine_gflops": engine_gflops,
                "layer_matmul_gflops": layers,
                "matmul_gflops": square,
                "engine_of_matmul": engine_gflops / square,
                "engine_of_layers": engine_gflops / layers,
            }
        )
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> None:
    """Command line: run the benchmark and print its table."""
    parser = argparse.ArgumentParser(
        prog="python -m hatlib.bench_deep",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--families", nargs="+", default=list(FAMILIES), choices=list(FAMILIES))
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=3, help="report the fastest of these")
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument(
        "--optimizer",
        default="adam",
        choices=list(LEARNING_RATES),
        help="optimizer of the multi-frequency families (classic: Adam)",
    )
    parser.add_argument("--matmul-size", type=int, default=1024)
    parser.add_argument("--output", help="also write the table to this CSV file")
    arguments = parser.parse_args(argv)
    table = bench_deep(
        arguments.families,
        arguments.steps,
        arguments.device,
        arguments.optimizer,
        arguments.repeats,
        arguments.matmul_size,
    )
    from hatlib.bench import report

    report(table, arguments.output)


if __name__ == "__main__":
    main()

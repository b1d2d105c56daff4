"""Benchmarks that print numbers: ``python -m hatlib.bench fem|training``.

Speed targets are checked here, by measurement, not in timed tests.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
import pandas as pd
import torch


def bench_fem(num_elements: int, bases: list[str]) -> pd.DataFrame:
    """Wall time to assemble, eigendecompose and tabulate the modes of each basis.

    One row per basis: ``assemble_seconds``, ``eigen_seconds``,
    ``modes_seconds`` (frequencies of every eigenfunction) and ``total_seconds``.
    """
    from hatlib.fem import gram_matrix, uniform_nodes
    from hatlib.modes import gram_spectrum, mode_table

    rows = []
    nodes = uniform_nodes(num_elements)
    for basis in bases:
        start = time.perf_counter()
        matrix = gram_matrix(basis, nodes)
        assembled = time.perf_counter()
        spectrum = gram_spectrum(matrix)
        decomposed = time.perf_counter()
        mode_table(basis, nodes, spectrum, uniform=True)
        done = time.perf_counter()
        rows.append(
            {
                "basis": basis,
                "num_elements": num_elements,
                "assemble_seconds": assembled - start,
                "eigen_seconds": decomposed - assembled,
                "modes_seconds": done - decomposed,
                "total_seconds": done - start,
            }
        )
    return pd.DataFrame(rows)


class _Activation(torch.nn.Module):
    """An activation of the registry as a module, for the plain baseline."""

    def __init__(self, name: str) -> None:
        super().__init__()
        from hatlib.activations import get_activation

        self.function = get_activation(name).function

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.function(x)


def plain_loop(
    activation: str, seeds: int, width: int, points: int, steps: int, device: str = "cpu"
) -> float:
    """Model-steps per second of the textbook loop: one ``nn.Sequential`` at a time, Adam."""
    x = torch.arange(points, dtype=torch.float32, device=device)[:, None] / points  # (N, 1)
    y = torch.sin(2 * math.pi * 4 * x)
    start = time.perf_counter()
    for seed in range(seeds):
        torch.manual_seed(seed)
        model = torch.nn.Sequential(
            torch.nn.Linear(1, width), _Activation(activation), torch.nn.Linear(width, 1)
        ).to(device)
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        for _ in range(steps):
            optimizer.zero_grad()
            loss = torch.mean((model(x) - y) ** 2)
            loss.backward()
            optimizer.step()
        float(loss.detach())  # waits for the device
    return seeds * steps / (time.perf_counter() - start)


def engine(
    activation: str,
    seeds: int,
    width: int,
    points: int,
    steps: int,
    device: str = "cpu",
    blocks: bool | None = None,
) -> float:
    """Model-steps per second of :func:`hatlib.training.train` on the same workload
    (``blocks``: as :func:`~hatlib.training.train`'s; ``False`` on CUDA is step by step,
    uncaptured)."""
    from hatlib.models import build_shallow_network
    from hatlib.training import TrainingConfig, train

    x = np.arange(points) / points
    y = np.sin(2 * math.pi * 4 * x)
    model = build_shallow_network(
        activation, width, "torch_default", seeds=range(seeds), device=device
    )
    config = TrainingConfig("adam", 1e-3, steps, log_every=100)  # as in config/config.yaml
    result = train(model, x, y, config, frequencies=[4], device=device, blocks=blocks)
    return seeds * steps / result.wall_seconds


def compiled_engine(activation, seeds, width, points, steps, repeats) -> float:
    """The engine on CUDA with the step compiled by ``torch.compile`` before capture
    (:data:`hatlib.capture.COMPILE_VARIABLE`): the fastest of ``repeats`` runs after one
    that compiles, or NaN (reason printed) where compilation fails."""
    import os

    from hatlib.capture import COMPILE_VARIABLE

    os.environ[COMPILE_VARIABLE] = "1"
    try:
        engine(activation, seeds, width, points, 5, "cuda")
        return max(engine(activation, seeds, width, points, steps, "cuda") for _ in range(repeats))
    except Exception as error:  # an opt-in: its failure is a measurement, not a crash
        print(f"compiled step unavailable for {activation}: {error!r}"[:500])
        return float("nan")
    finally:
        del os.environ[COMPILE_VARIABLE]


def kernel_alone(activation: str, seeds: int, width: int, points: int, steps: int) -> float:
    """Model-steps per second of the fused CPU kernel's loss and gradients alone, called in a
    loop on the engine's workload: the bound the engine's bookkeeping and updates eat into."""
    from hatlib.kernels import KERNEL_CODES, cpu_kernel
    from hatlib.models import build_shallow_network

    kernel = cpu_kernel()
    if kernel is None or activation not in KERNEL_CODES:
        return float("nan")
    model = build_shallow_network(activation, width, "torch_default", seeds=range(seeds))
    x = torch.arange(points, dtype=torch.float32) / points
    y = torch.sin(2 * math.pi * 4 * x).expand(seeds, -1).contiguous()
    tensors = [p.detach().contiguous() for p in model.parameters()]
    empty, code = x.new_empty(0), KERNEL_CODES[activation]
    start = time.perf_counter()
    for _ in range(steps):
        kernel.shallow_loss_and_gradients(x, y, *tensors, empty, code)
    return seeds * steps / (time.perf_counter() - start)


def bench_training(
    activations: list[str],
    seeds: int,
    width: int,
    points: int,
    steps: int,
    device: str = "cpu",
    repeats: int = 3,
) -> pd.DataFrame:
    """Both loops on the same workload, in this process; one row per activation.

    Columns: ``activation``, the machine (``processor``, the kernel's
    ``kernel_arch`` and ``kernel_simd``), ``plain_model_steps_per_second``,
    ``engine_model_steps_per_second``, ``speedup`` (engine over plain),
    ``kernel_model_steps_per_second`` (the kernel's gradients alone,
    :func:`kernel_alone`), ``engine_of_kernel``, on CUDA
    ``uncaptured_model_steps_per_second`` (the engine step by step, no graphs),
    and, when ReLU is among the activations, ``step_time_over_relu`` (the
    engine's step time relative to ReLU's, from the fastest runs) and its
    spread over the rounds: ``round_ratio_median``, ``round_ratio_min`` and
    ``round_ratio_max``, each round's ratio from runs made one after the other.
    """
    from hatlib.kernels import kernel_arch, kernel_simd_level, processor_model

    engine(activations[0], seeds, width, points, 5, device)  # build or load the kernel first
    plain_loop(activations[0], seeds, width, points, 2, device)  # torch.optim's first use
    machine = {
        "processor": processor_model(),
        "kernel_arch": kernel_arch(),
        "kernel_simd": kernel_simd_level() if device == "cpu" else None,
    }
    # The engine and the kernel alone in rounds over every activation, the fastest of each
    # counting: a burst of load spoils one round, not one activation, and each round's
    # rates give one step-time ratio to ReLU from the same stretch of time.
    rounds: dict[str, list[dict[str, float | None]]] = {a: [] for a in activations}
    for _ in range(repeats):
        for activation in activations:
            sample = {"engine": engine(activation, seeds, width, points, steps, device)}
            if device == "cpu":
                sample["kernel"] = kernel_alone(activation, seeds, width, points, steps)
            else:  # CUDA: the same steps without graphs, one by one
                sample["uncaptured"] = engine(
                    activation, seeds, width, points, steps, device, blocks=False
                )
            rounds[activation].append(sample)
    rows = []
    for activation in activations:
        plain = plain_loop(activation, seeds, width, points, steps, device)
        samples = pd.DataFrame(rounds[activation])
        fused = float(samples["engine"].max())
        alone = float(samples["kernel"].max()) if "kernel" in samples else None
        uncaptured = float(samples["uncaptured"].max()) if "uncaptured" in samples else None
        compiled = (
            None
            if device == "cpu"
            else compiled_engine(activation, seeds, width, points, steps, repeats)
        )
        row = {
            "activation": activation,
            "device": device,
            "seeds": seeds,
            "width": width,
            "points": points,
            "steps": steps,
            "repeats": repeats,
            "threads": torch.get_num_threads(),
            **machine,
            "plain_model_steps_per_second": plain,
            "engine_model_steps_per_second": fused,
            "speedup": fused / plain,
            "kernel_model_steps_per_second": alone,
            "engine_of_kernel": None if alone is None else fused / alone,
            "uncaptured_model_steps_per_second": uncaptured,
            "compiled_model_steps_per_second": compiled,
        }
        if "relu" in rounds:
            relu = pd.DataFrame(rounds["relu"])["engine"]
            ratios = relu.to_numpy() / samples["engine"].to_numpy()  # per round
            row["step_time_over_relu"] = float(relu.max()) / fused
            row["round_ratio_median"] = float(np.median(ratios))
            row["round_ratio_min"] = float(ratios.min())
            row["round_ratio_max"] = float(ratios.max())
        rows.append(row)
    return pd.DataFrame(rows)


def report(table: pd.DataFrame, output: str | None = None) -> None:
    """Print a benchmark's table (three significant digits) and write it to ``output``."""
    print(table.to_string(index=False, float_format=lambda value: f"{value:.3g}"))
    if output:
        from hatlib.io import write_table

        write_table(table, output)


def main(argv: list[str] | None = None) -> None:
    """Command line: run the named benchmark and print its table."""
    parser = argparse.ArgumentParser(prog="python -m hatlib.bench", description=__doc__)
    commands = parser.add_subparsers(dest="benchmark", required=True)
    fem = commands.add_parser("fem", help="exact Gram assembly and eigen-decomposition")
    fem.add_argument("--num-elements", type=int, default=4096)
    fem.add_argument("--bases", nargs="+", default=["relu", "hat", "bspline2", "bspline3"])
    fem.add_argument("--output", help="also write the table to this CSV file")
    training = commands.add_parser("training", help="plain PyTorch loop against the engine")
    training.add_argument(
        "--activations", nargs="+", default=["relu", "hat", "tanh", "bspline2", "bspline3"]
    )
    training.add_argument("--seeds", type=int, default=8)
    training.add_argument("--width", type=int, default=256)
    training.add_argument("--points", type=int, default=1024)
    training.add_argument("--steps", type=int, default=600)
    training.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    training.add_argument(
        "--repeats",
        type=int,
        default=5,
        help="rounds of engine and kernel runs; the fastest counts",
    )
    training.add_argument("--output", help="also write the table to this CSV file")
    arguments = parser.parse_args(argv)
    if arguments.benchmark == "fem":
        table = bench_fem(arguments.num_elements, arguments.bases)
    else:
        table = bench_training(
            arguments.activations,
            arguments.seeds,
            arguments.width,
            arguments.points,
            arguments.steps,
            arguments.device,
            arguments.repeats,
        )
    report(table, arguments.output)


if __name__ == "__main__":
    main()

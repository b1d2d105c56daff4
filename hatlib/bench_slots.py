"""How many training jobs one device runs well at once: the engine's total rate per concurrency.

``python -m hatlib.bench_slots --device cuda --jobs 1 2 4 8`` starts, for each
count ``k``, ``k`` processes that each train the shallow benchmark's networks
(:func:`hatlib.bench.engine`'s workload) with the engine. Each process first
trains once cold (its process start to first step is its *job start*, what a
workflow job pays before training), then waits until all ``k`` are ready, and
all train at once. The total rate is the model-steps of all ``k`` over the time
from the first start to the last end. The largest ``k`` whose total is within
5 % of the best measured is the suggested number of GPU slots
(``profiles/default``'s ``gpu_slots``): the GPU runs that many jobs at no loss
of total rate, and their phases on the CPU (start, records, tables) overlap.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

import pandas as pd

CHILD = """
import json, sys, time
import numpy as np
from hatlib.models import build_shallow_network
from hatlib.runtime import seconds_since_process_start, use_threads
from hatlib.training import TrainingConfig, train

activation, seeds, width, points, steps, device = sys.argv[1:7]
seeds, width, points, steps = int(seeds), int(width), int(points), int(steps)
use_threads(1)
x = np.arange(points) / points
y = np.sin(2 * np.pi * 4 * x)
started = []


def run(iterations, on_step=None):
    model = build_shallow_network(activation, width, "torch_default", seeds=range(seeds),
                                  device=device)
    config = TrainingConfig("adam", 1e-3, iterations, log_every=100)
    return train(model, x, y, config, [4], device, on_step=on_step)


run(5, on_step=lambda step: started.append(seconds_since_process_start()) if step == 0 else None)
print("ready", flush=True)
sys.stdin.readline()
begin = time.time()
result = run(steps)
end = time.time()
print(json.dumps({"job_start": started[0], "begin": begin, "end": end,
                  "model_steps": seeds * steps, "wall": result.wall_seconds}), flush=True)
"""


def measure(jobs: int, activation: str, seeds: int, width: int, points: int, steps: int,
            device: str) -> dict[str, float]:  # fmt: skip
    """Train ``jobs`` processes at once; their total rate and job start times."""
    arguments = [activation, seeds, width, points, steps, device]
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, *map(str, arguments)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(jobs)
    ]
    for child in children:
        line = child.stdout.readline()
        if line.strip() != "ready":
            raise RuntimeError(f"a benchmark process failed before training: {line!r}")
    for child in children:
        child.stdin.write("go\n")
        child.stdin.flush()
    reports = []
    for child in children:
        reports.append(json.loads(child.stdout.readline()))
        child.wait()
    span = max(r["end"] for r in reports) - min(r["begin"] for r in reports)
    return {
        "jobs": jobs,
        "total_model_steps_per_second": sum(r["model_steps"] for r in reports) / span,
        "per_job_model_steps_per_second": sum(r["model_steps"] / r["wall"] for r in reports) / jobs,
        "job_start_seconds": max(r["job_start"] for r in reports),
    }


def bench_slots(counts, activation="relu", seeds=8, width=256, points=1024, steps=3000,
                device="cuda") -> pd.DataFrame:  # fmt: skip
    """One row per job count (:func:`measure`), plus ``suggested`` (the slots to use)."""
    started = time.perf_counter()
    rows = [measure(k, activation, seeds, width, points, steps, device) for k in counts]
    table = pd.DataFrame(rows).assign(
        activation=activation, device=device, seconds=time.perf_counter() - started
    )
    best = table["total_model_steps_per_second"].max()
    enough = table[table["total_model_steps_per_second"] >= 0.95 * best]
    table["suggested"] = table["jobs"] == enough["jobs"].max()
    return table


def main(argv: list[str] | None = None) -> None:
    """Command line: run the benchmark and print its table."""
    parser = argparse.ArgumentParser(prog="python -m hatlib.bench_slots", description=__doc__)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--activation", default="relu")
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--device", default="cuda", choices=["cpu", "cuda"])
    parser.add_argument("--output", help="also write the table to this CSV file")
    arguments = parser.parse_args(argv)
    table = bench_slots(
        arguments.jobs, arguments.activation, steps=arguments.steps, device=arguments.device
    )
    from hatlib.bench import report

    report(table, arguments.output)


if __name__ == "__main__":
    main()

"""The README's table of a workflow run's times, generated from the run's own records.

Job times are the ``s`` (wall) and ``cpu_time`` columns of Snakemake's benchmark files
(``results/benchmarks/``), summed per stage; the run's wall time and job count come
from the Snakemake log of that run (``Elapsed time`` and ``N of N steps (100%) done``).
The table lies between :data:`BEGIN` and :data:`END` in ``README.md``;
``make readme-timings LOG=.snakemake/log/<run>.snakemake.log`` rewrites it.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import pandas as pd

from hatlib.io import CorruptInputError, benchmark_rule, write_text
from hatlib.readme import replace_block

BEGIN = (
    "<!-- timings:begin (generated from a run's benchmarks and log by `make readme-timings`;"
    " do not edit) -->"
)
END = "<!-- timings:end -->"

#: Stage of each benchmarked rule, in the order the table lists them.
STAGES = {
    "build_kernel": "kernel build",
    "select_learning_rate": "learning-rate selection",
    "train_model": "single-frequency grid",
    "train_multifrequency": "multi-frequency",
    "train_digits": "digits",
    "train_images": "image classification",
    "train_classic": "classic protocol",
    "solve_pde": "Poisson problem",
    "assemble_gram_spectrum": "FEM spectra and gradient-descent steps",
    "predict_gd_steps": "FEM spectra and gradient-descent steps",
    "measure_gd_steps": "FEM spectra and gradient-descent steps",
    "describe_first_layer": "FEM spectra and gradient-descent steps",
}
_ELAPSED = re.compile(r"^Elapsed time: (?:(\d+) days?, )?(\d+):(\d\d):(\d\d(?:\.\d+)?)\s*$", re.M)
_DONE = re.compile(r"^(\d+) of (\d+) steps \(100%\) done\s*$", re.M)


def stage_table(benchmarks: str | Path) -> pd.DataFrame:
    """Per stage: ``jobs``, ``job_seconds`` (summed wall), ``cpu_seconds`` and ``longest_seconds``.

    Every ``*.tsv`` under ``benchmarks`` counts, by the rule its path names
    (:func:`hatlib.io.benchmark_rule`); a rule without a stage in :data:`STAGES`
    is its own stage. Raises :class:`hatlib.io.CorruptInputError` for an
    unreadable file and ``ValueError`` when there is none.
    """
    rows = []
    for path in sorted(Path(benchmarks).rglob("*.tsv")):
        try:
            frame = pd.read_csv(path, sep="\t")
            seconds, cpu = float(frame["s"].sum()), float(frame["cpu_time"].sum())
        except Exception as error:
            raise CorruptInputError(f"cannot read benchmark file {path}: {error}") from error
        rule = benchmark_rule(path)
        rows.append({"stage": STAGES.get(rule, rule), "seconds": seconds, "cpu": cpu})
    if not rows:
        raise ValueError(f"no benchmark files under {benchmarks}")
    jobs = pd.DataFrame(rows)
    order = {stage: index for index, stage in enumerate(dict.fromkeys(STAGES.values()))}
    table = (
        jobs.groupby("stage", sort=False)
        .agg(
            jobs=("seconds", "size"),
            job_seconds=("seconds", "sum"),
            cpu_seconds=("cpu", "sum"),
            longest_seconds=("seconds", "max"),
        )
        .reset_index()
    )
    table["order"] = table["stage"].map(order).fillna(len(order))
    return table.sort_values(["order", "stage"], kind="stable").drop(columns="order")


def run_summary(log_text: str) -> dict[str, float | int]:
    """``wall_seconds`` and ``jobs`` of a finished run, from its Snakemake log.

    Raises ``ValueError`` when the log has no ``Elapsed time`` or no line saying
    that every step was done (an unfinished or failed run).
    """
    elapsed, done = _ELAPSED.findall(log_text), _DONE.findall(log_text)
    if not elapsed or not done:
        raise ValueError("the log has no 'Elapsed time' and 'N of N steps (100%) done': unfinished")
    days, hours, minutes, seconds = elapsed[-1]
    wall = ((int(days or 0) * 24 + int(hours)) * 60 + int(minutes)) * 60 + float(seconds)
    return {"wall_seconds": wall, "jobs": int(done[-1][1])}


def _duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def timings_markdown(table: pd.DataFrame, summary: dict[str, float | int]) -> str:
    """The stage table as Markdown, closed by the run's wall time and job count."""
    lines = [
        "| stage | jobs | job time | CPU time | longest job |",
        "| --- | --- | --- | --- | --- |",
    ]
    for _, row in table.iterrows():
        cells = [row["job_seconds"], row["cpu_seconds"], row["longest_seconds"]]
        numbers = " | ".join(f"{round(value):,} s" for value in cells)
        lines.append(f"| {row['stage']} | {row['jobs']} | {numbers} |")
    total = table[["jobs", "job_seconds", "cpu_seconds"]].sum()
    job_time, cpu_time = round(total["job_seconds"]), round(total["cpu_seconds"])
    lines.append(f"| benchmarked jobs | {int(total['jobs'])} | {job_time:,} s | {cpu_time:,} s | |")
    lines.append(
        f"| **the whole run, wall** | {summary['jobs']} | "
        f"**{_duration(float(summary['wall_seconds']))}** | | |"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``python -m hatlib.timings --log LOG [--benchmarks DIR] [--readme README.md] [--print]``."""
    parser = argparse.ArgumentParser(prog="python -m hatlib.timings", description=__doc__)
    parser.add_argument("--log", type=Path, required=True, help="the run's Snakemake log")
    parser.add_argument("--benchmarks", type=Path, default=Path("results/benchmarks"))
    parser.add_argument("--readme", type=Path, default=Path("README.md"))
    parser.add_argument("--print", action="store_true", help="print the table, leave the README")
    args = parser.parse_args(argv)
    try:
        block = timings_markdown(
            stage_table(args.benchmarks), run_summary(args.log.read_text(encoding="utf-8"))
        )
        if args.print:
            print(block)
            return 0
        text = args.readme.read_text(encoding="utf-8")
        updated = replace_block(text, BEGIN, END, block)
    except (OSError, CorruptInputError, ValueError) as error:
        parser.error(str(error))
    if updated != text:
        write_text(updated, args.readme)
    print(block)
    return 0


if __name__ == "__main__":
    sys.exit(main())

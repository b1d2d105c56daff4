"""The benchmarks run in smoke mode and produce their tables (numbers not asserted)."""

import subprocess
import sys

import pandas as pd


def _bench(tmp_path, *arguments):
    output = tmp_path / "bench.csv"
    result = subprocess.run(
        [sys.executable, "-m", "hatlib.bench", *arguments, "--output", str(output)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    return pd.read_csv(output), result.stdout


def test_training_benchmark_smoke(tmp_path):
    table, printed = _bench(
        tmp_path, "training", "--seeds", "2", "--width", "16", "--points", "64", "--steps", "5"
    )
    assert table["activation"].tolist() == ["relu", "hat", "tanh", "bspline2", "bspline3"]
    rates = ["plain", "engine", "kernel"]
    for column in [f"{rate}_model_steps_per_second" for rate in rates] + ["speedup"]:
        assert (table[column] > 0).all()
    ratio = table["engine_model_steps_per_second"] / table["kernel_model_steps_per_second"]
    assert (table["engine_of_kernel"] == ratio).all()
    assert table["kernel_simd"].iloc[0] in ("AVX-512", "AVX2+FMA", "AVX2", "AVX", "SSE2", "NEON")
    assert table["processor"].iloc[0] and table["kernel_arch"].iloc[0] == "native"
    assert table.loc[0, "step_time_over_relu"] == 1.0
    relu_rounds = table.loc[0, ["round_ratio_min", "round_ratio_median", "round_ratio_max"]]
    assert (relu_rounds == 1.0).all()  # ReLU against itself, round by round
    low, mid, high = (table[f"round_ratio_{name}"] for name in ("min", "median", "max"))
    assert ((low <= mid) & (mid <= high)).all() and (low > 0).all()
    assert (table["repeats"] == 5).all()
    assert "speedup" in printed


def test_fem_benchmark_smoke(tmp_path):
    table, _ = _bench(tmp_path, "fem", "--num-elements", "32")
    assert table["basis"].tolist() == ["relu", "hat", "bspline2", "bspline3"]
    assert (table["total_seconds"] >= table["eigen_seconds"]).all()

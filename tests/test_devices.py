"""Device choice by measured rates: CUDA only where the engine is faster there."""

import pandas as pd
import pytest
import torch

import hatlib.devices as devices
from hatlib.devices import COLUMNS, faster_on_cuda, load_rates, rates_from_bench
from hatlib.runtime import resolve_device

TABLE = pd.DataFrame(
    [
        ("shallow", "relu", "cpu", 2, 20000.0, "a CPU"),
        ("shallow", "relu", "cuda", 1, 90000.0, "a GPU"),
        ("classic", "relu", "cpu", 2, 400.0, "a CPU"),
        ("classic", "relu", "cuda", 1, 150.0, "a GPU"),
    ],
    columns=COLUMNS,
)


def test_cuda_where_faster_than_the_jobs_cpu_threads():
    assert faster_on_cuda("shallow", "relu", 2, TABLE)[0]
    # 20,000 per 2 threads scales to 100,000 on 10 threads: the CPU wins there
    faster, reason = faster_on_cuda("shallow", "relu", 10, TABLE)
    assert not faster and "100,000" in reason and "90,000" in reason
    assert not faster_on_cuda("classic", "relu", 1, TABLE)[0]
    faster, reason = faster_on_cuda("siren", "sine", 1, TABLE)
    assert faster and "no measured rates" in reason
    with pytest.raises(ValueError, match="threads must be at least 1"):
        faster_on_cuda("shallow", "relu", 0, TABLE)


def test_resolve_device_auto_follows_the_table(monkeypatch, tmp_path):
    path = tmp_path / "rates.csv"
    TABLE.to_csv(path, index=False)
    monkeypatch.setattr(devices, "RATES", path)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    threads = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        assert resolve_device("auto", ("classic", "relu")) == "cpu"
        assert resolve_device("auto", ("shallow", "relu")) == "cuda"
        assert resolve_device("auto") == "cuda"
        assert resolve_device("cuda", ("classic", "relu")) == "cuda"
        assert resolve_device("cpu", ("shallow", "relu")) == "cpu"
    finally:
        torch.set_num_threads(threads)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device("auto", ("shallow", "relu")) == "cpu"


def test_rates_from_bench_tables():
    training = pd.DataFrame(
        {"activation": ["relu"], "device": ["cuda"], "threads": [1],
         "engine_model_steps_per_second": [1e5]}
    )  # fmt: skip
    deep = pd.DataFrame(
        {"family": ["classic"], "activation": ["hat"], "device": ["cuda:0"], "threads": [1],
         "engine_model_steps_per_second": [900.0]}
    )  # fmt: skip
    table = rates_from_bench(training, deep, "NVIDIA H200")
    assert list(table.columns) == COLUMNS
    assert table[["family", "device"]].values.tolist() == [["shallow", "cuda"], ["classic", "cuda"]]


def test_shipped_table_has_both_devices_for_every_benchmarked_family():
    table = load_rates()
    expected = {("shallow", a) for a in ("relu", "hat", "tanh", "bspline2", "bspline3")}
    expected |= {("classic", "relu"), ("classic", "hat"), ("fourier", "relu"), ("siren", "sine")}
    expected |= {("deep", a) for a in ("relu", "hat", "tanh")}
    for device in ("cpu", "cuda"):
        rows = table[table["device"] == device]
        assert expected <= set(zip(rows["family"], rows["activation"], strict=True)), device
    assert (table["model_steps_per_second"] > 0).all()

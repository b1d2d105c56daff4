"""The deep-network benchmark compares like with like, counts flops right and tabulates."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
import torch
import yaml
from torch.utils.flop_counter import FlopCounterMode

from hatlib import bench_deep
from hatlib.bench_deep import (
    FAMILIES,
    engine,
    layer_matmul_rate,
    matmul_rate,
    member_sequential,
    plain_loop,
    training_flops,
    workload,
)

#: Small networks of every family: a few milliseconds a step.
TINY = {"seeds": 2, "width": 8, "depth": 2, "num_points": 128}


@pytest.mark.parametrize(
    ("family", "activation"),
    [(family, activation) for family, names in FAMILIES.items() for activation in names],
)
def test_plain_loop_and_engine_follow_the_same_losses(family, activation):
    work = workload(family, activation, **TINY)
    plain = plain_loop(work, 4).history
    batched = engine(work, 4).history
    assert len(plain) == len(batched) == 2 * 4
    merged = plain.merge(batched, on=["member", "step"], suffixes=("_plain", "_engine"))
    assert len(merged) == 2 * 4
    # The losses move by far more than float32 rounding over these steps, so
    # agreement to rounding means the same parameters, data and updates.
    steps = merged.sort_values(["member", "step"])
    assert (steps.groupby("member")["loss_plain"].agg(lambda v: v.iloc[0] - v.iloc[-1]) > 0).all()
    np.testing.assert_allclose(merged["loss_plain"], merged["loss_engine"], rtol=2e-6)


def test_seeds_of_the_classic_protocol_fit_their_own_targets():
    work = workload("classic", "hat", **TINY)
    assert not np.allclose(work.targets[0], work.targets[1])
    plain = plain_loop(work, 1).history
    assert plain.loc[0, "loss"] != plain.loc[1, "loss"]


def test_member_sequential_computes_the_member():
    work = workload("fourier", **TINY)
    model = work.build("cpu")
    x = torch.tensor(work.inputs, dtype=torch.float32)
    batched = model(x).detach()
    for member in range(2):
        alone = member_sequential(model, member)(x[:, None])[:, 0].detach()
        torch.testing.assert_close(alone, batched[member], rtol=1e-5, atol=1e-6)
    assert not torch.allclose(batched[0], batched[1])


def test_training_flops_of_the_classic_network():
    sizes = (1, 256, 256, 256, 256, 256, 1)
    assert training_flops(sizes, 200) == 6 * 200 * (256 + 4 * 256 * 256 + 256)
    assert workload("classic").layer_sizes == sizes


def test_training_flops_match_torch_counter_but_for_the_first_input_gradient():
    # Autograd does not form the gradient of the network's input: the formula
    # counts 2 N fan_in fan_out for it that PyTorch's counter does not see.
    work = workload("classic", "relu", seeds=1, width=16, depth=3, num_points=128)
    network = member_sequential(work.build("cpu"), 0)
    with FlopCounterMode(display=False) as counter:
        network(torch.rand(128, 1)).sum().backward()
    first = 2 * 128 * work.layer_sizes[0] * work.layer_sizes[1]
    assert counter.get_total_flops() + first == training_flops(work.layer_sizes, 128)


def test_training_flops_rejects_a_shapeless_network():
    with pytest.raises(ValueError, match="two sizes"):
        training_flops((4,), 10)


def test_sizes_are_those_of_the_configuration(repository):
    config = yaml.safe_load((repository / "config" / "config.yaml").read_text())
    classic, multi = config["classic"], config["multifrequency"]
    for key in ("num_points", "phase_seed", "depth", "width", "seeds", "learning_rate"):
        assert bench_deep.CLASSIC[key] == classic[key], key
    assert list(bench_deep.CLASSIC["frequencies"]) == classic["frequencies"]
    assert list(bench_deep.CLASSIC["amplitudes"]) == classic["cases"]["equal"]
    models = {(m["activation"], m["initialisation"]) for m in classic["models"]}
    assert set(bench_deep.CLASSIC_INITIALISATION.items()) <= models
    assert bench_deep.MULTIFREQUENCY["num_points"] == multi["one_d"]["num_points"]
    assert list(bench_deep.MULTIFREQUENCY["frequencies"]) == multi["one_d"]["frequencies"]
    assert bench_deep.MULTIFREQUENCY["seeds"] == multi["seeds"]
    assert bench_deep.NETWORKS["deep"] == multi["networks"]["deep"]
    for name, spec in multi["alternatives"].items():
        assert bench_deep.NETWORKS[name] == {"family": name, **spec}
    assert FAMILIES["deep"] == tuple(multi["activations"])


def test_default_workloads_are_the_workflow_networks():
    deep = workload("deep", "hat")
    assert deep.layer_sizes == (1, 64, 64, 64, 1)
    assert deep.targets.shape == (3, 1024)
    fourier = workload("fourier")
    assert fourier.layer_sizes == (128, 64, 64, 64, 1)
    model = fourier.build("cpu")
    assert model.frequencies.shape == (3, 1, 64)
    assert next(model.parameters()).dtype == torch.float32


def test_unknown_names_raise_value_errors_naming_them():
    with pytest.raises(ValueError, match="'resnet'"):
        workload("resnet")
    with pytest.raises(ValueError, match="'resnet'"):
        bench_deep.bench_deep(["resnet"], steps=1)
    with pytest.raises(ValueError, match="'relu'"):
        workload("siren", "relu")
    with pytest.raises(ValueError, match="'softplus'"):
        workload("deep", "softplus")
    with pytest.raises(ValueError, match="Adam"):
        workload("classic", optimizer="sgd")
    with pytest.raises(ValueError, match="depth"):
        workload("deep", depth=1)


def test_engine_refuses_a_rate_of_diverged_members():
    work = dataclasses.replace(
        workload("deep", optimizer="sgd", **TINY), learning_rate=1e12, optimizer="sgd"
    )
    with pytest.raises(RuntimeError, match="stopped early"):
        engine(work, 20)


def test_matmul_rates_are_positive():
    assert matmul_rate(64, seconds=0.05) > 0
    assert layer_matmul_rate((1, 8, 8, 1), 2, 32, seconds=0.05) > 0
    with pytest.raises(ValueError, match="size"):
        matmul_rate(0)


def test_table_has_its_columns_and_positive_rates():
    table = bench_deep.bench_deep(["classic", "siren"], steps=3, repeats=1, matmul_size=64, **TINY)
    assert list(zip(table["family"], table["activation"], strict=True)) == [
        ("classic", "relu"),
        ("classic", "hat"),
        ("siren", "sine"),
    ]
    assert table["layers"].tolist() == ["1-8-8-1"] * 3
    rates = [
        "plain_model_steps_per_second",
        "engine_model_steps_per_second",
        "speedup",
        "plain_gflops",
        "engine_gflops",
        "layer_matmul_gflops",
        "matmul_gflops",
        "engine_of_matmul",
        "engine_of_layers",
    ]
    assert (table[rates] > 0).all().all()
    np.testing.assert_allclose(
        table["speedup"],
        table["engine_model_steps_per_second"] / table["plain_model_steps_per_second"],
    )
    np.testing.assert_allclose(
        table["engine_gflops"],
        table["engine_model_steps_per_second"] * table["mflop_per_model_step"] / 1e3,
    )
    np.testing.assert_allclose(
        table["engine_of_matmul"], table["engine_gflops"] / table["matmul_gflops"]
    )


def test_command_line_prints_and_writes_the_table(tmp_path, capsys):
    output = tmp_path / "deep.csv"
    arguments = ["--families", "siren", "--steps", "2", "--repeats", "1", "--matmul-size", "64"]
    bench_deep.main([*arguments, "--output", str(output)])
    printed = capsys.readouterr().out
    table = pd.read_csv(output)
    assert table["family"].tolist() == ["siren"]
    assert table.loc[0, "layers"] == "1-64-64-64-1"
    assert table.loc[0, "points"] == 1024 and table.loc[0, "seeds"] == 3
    assert "engine_of_layers" in printed and "speedup" in printed

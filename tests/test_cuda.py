"""Training on CUDA: captured steps, agreement with the CPU engine (skipped without a GPU)."""

import numpy as np
import pytest
import torch

from hatlib.bench_deep import workload
from hatlib.capture import StepBlocks
from hatlib.models import build_shallow_network
from hatlib.optimizers import Adam
from hatlib.training import TrainingConfig, train

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")

#: Every family: the shallow networks of the grid, and the deep ones of bench_deep.
CASES = [("shallow", a) for a in ("relu", "hat", "tanh", "bspline2")] + [
    ("classic", "relu"),
    ("classic", "hat"),
    ("deep", "hat"),
    ("fourier", "relu"),
    ("siren", "sine"),
]
TOLERANCES = (0.99, 0.9, 0.7, 0.5)


def _run(family, activation, device, steps=400, blocks=None):
    if family == "shallow":
        x = np.arange(512) / 512
        y = np.sin(2 * np.pi * 3 * x)
        model = build_shallow_network(
            activation, 64, "torch_default", seeds=range(4), device=device
        )
        config = TrainingConfig("adam", 1e-2, steps, log_every=100, tolerances=TOLERANCES)
        return train(model, x, y, config, [3], device, blocks=blocks)
    work = workload(family, activation, seeds=2, num_points=256)
    config = TrainingConfig(
        work.optimizer, work.learning_rate, steps, work.log_every, tolerances=TOLERANCES
    )
    model, components = work.build(device), list(range(work.components))
    options = {"probe": work.probe, "blocks": blocks}
    return train(model, work.inputs, work.targets, config, components, device, **options)


def test_cuda_steps_are_captured_as_graphs():
    model = build_shallow_network("hat", 16, "torch_default", seeds=[0, 1], device="cuda")
    parameters = list(model.parameters())
    x = torch.arange(64, device="cuda", dtype=torch.float32) / 64
    y = torch.sin(x).expand(2, -1).contiguous()
    blocks = StepBlocks(model, parameters, Adam(parameters, 1e-3), x, y, capture=True)
    assert blocks.captured and set(blocks.graphs) == {"compute", "step"}


@pytest.mark.parametrize(("family", "activation"), CASES)
def test_captured_steps_equal_uncaptured_steps_on_cuda(family, activation):
    captured = _run(family, activation, "cuda", blocks=True)
    eager = _run(family, activation, "cuda", blocks=False)
    assert captured.status == eager.status and captured.steps == eager.steps
    assert captured.crossings.equals(eager.crossings)
    np.testing.assert_allclose(captured.history["loss"], eager.history["loss"], rtol=1e-5)


@pytest.mark.parametrize(("family", "activation"), CASES)
def test_cuda_agrees_with_the_cpu_engine(family, activation):
    cpu = _run(family, activation, "cpu")
    cuda = _run(family, activation, "cuda")
    assert cuda.status == cpu.status == ["completed"] * len(cpu.status)
    # the same step to every tolerance, up to one step or 1 % where float32 rounding moves a
    # crossing that falls between two nearly equal errors
    merged = cpu.crossings.merge(cuda.crossings, on=["member", "tolerance"])
    assert (merged["first_step_x"] >= 0).any()
    gap = (merged["first_step_x"] - merged["first_step_y"]).abs()
    assert (gap <= np.maximum(1, 0.01 * merged["first_step_x"])).all(), merged
    last = cpu.history["step"].max()

    def final(result):
        return result.history.loc[result.history["step"] == last, "relative_l2_error"].to_numpy()

    np.testing.assert_allclose(final(cuda), final(cpu), rtol=1e-3)


def test_cuda_training_is_reproducible():
    first, second = _run("shallow", "hat", "cuda"), _run("shallow", "hat", "cuda")
    assert first.history.equals(second.history) and first.spectrum.equals(second.spectrum)

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


def _run(family, activation, device, steps=400, blocks=None, dtype=torch.float32):
    if family == "shallow":
        x = np.arange(512) / 512
        y = np.sin(2 * np.pi * 3 * x)
        model = build_shallow_network(
            activation, 64, "torch_default", seeds=range(4), dtype=dtype, device=device
        )
        config = TrainingConfig("adam", 1e-2, steps, log_every=100, tolerances=TOLERANCES)
        return train(model, x, y, config, [3], device, blocks=blocks)
    work = workload(family, activation, seeds=2, num_points=256)
    config = TrainingConfig(
        work.optimizer, work.learning_rate, steps, work.log_every, tolerances=TOLERANCES
    )
    model, components = work.build(device).to(dtype), list(range(work.components))
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


def _final(result):
    last = result.history["step"].max()
    return result.history.loc[result.history["step"] == last, "relative_l2_error"].to_numpy()


def _steps(result, exact):
    """Learning steps of ``result`` and ``exact``; one not reached counts as the step after
    the last (right-censored), so a crossing at the last steps in one run only is close."""
    merged = result.crossings.merge(exact.crossings, on=["member", "tolerance"])
    end = exact.history["step"].max() + 1
    steps = merged[["first_step_x", "first_step_y"]].to_numpy()
    steps = np.where(steps < 0, end, steps)
    return steps[:, 0], steps[:, 1]


@pytest.mark.parametrize(("family", "activation"), CASES)
def test_cuda_is_as_close_to_the_exact_run_as_the_cpu_engine(family, activation):
    """float32 on CUDA against float32 on the CPU, each measured from the float64 run.

    Adam amplifies rounding (a unit whose gradient is nearly zero still moves by
    the learning rate), so two float32 runs part by what float32 rounding alone
    does on that trajectory. CUDA passes when its distance from the float64 run
    is at most 3 times the CPU's (or 1e-3 relative in the final error, 1 step or
    1 % in a learning time, whichever is larger): a wrong gradient, update or
    record on CUDA would part from it by far more.
    """
    exact = _run(family, activation, "cpu", dtype=torch.float64)
    cpu, cuda = _run(family, activation, "cpu"), _run(family, activation, "cuda")
    assert cuda.status == cpu.status == exact.status
    final = _final(exact)
    cpu_error = np.abs(_final(cpu) - final) / final
    cuda_error = np.abs(_final(cuda) - final) / final
    cpu_steps, reference = _steps(cpu, exact)
    cuda_steps, _ = _steps(cuda, exact)
    cpu_gap = np.abs(cpu_steps - reference).max()
    cuda_gap = np.abs(cuda_steps - reference).max()
    print(
        f"AGREEMENT {family} {activation}: final error vs float64 CPU {cpu_error.max():.2e} "
        f"CUDA {cuda_error.max():.2e}; learning steps vs float64 CPU {cpu_gap} CUDA {cuda_gap}"
    )
    assert (reference <= exact.history["step"].max()).any()  # something was learned
    assert cuda_error.max() <= max(1e-3, 3 * cpu_error.max())
    allowed = np.maximum(np.maximum(1, 0.01 * np.abs(reference)), 3 * cpu_gap)
    assert (np.abs(cuda_steps - reference) <= allowed).all()


def test_cuda_training_is_reproducible():
    first, second = _run("shallow", "hat", "cuda"), _run("shallow", "hat", "cuda")
    assert first.history.equals(second.history) and first.spectrum.equals(second.spectrum)

"""Training in blocks (the CUDA path's structure, run eagerly on the CPU) equals step by step."""

import numpy as np
import pytest
import torch

from hatlib.capture import StepBlocks
from hatlib.models import build_deep_network, build_shallow_network
from hatlib.training import LearnedStop, TrainingConfig, train

X = np.arange(256) / 256
TARGET = np.sin(2 * np.pi * 3 * X) + 0.5 * np.sin(2 * np.pi * 7 * X)


def _deep(activation="relu", seeds=(0, 1, 2)):
    return build_deep_network(activation, 1, 16, 2, seeds=list(seeds), dtype=torch.float64)


def _same(first, second):
    assert first.status == second.status
    assert first.steps == second.steps
    assert first.history.equals(second.history)
    assert first.spectrum.equals(second.spectrum)
    assert first.crossings.equals(second.crossings)


def _both(build, config, **options):
    models = build(), build()
    step_by_step = train(models[0], X, TARGET, config, [3, 7], blocks=False, **options)
    in_blocks = train(models[1], X, TARGET, config, [3, 7], blocks=True, **options)
    for one, other in zip(models[0].parameters(), models[1].parameters(), strict=True):
        assert torch.equal(one, other)
    return step_by_step, in_blocks


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
@pytest.mark.parametrize("activation", ["relu", "hat", "tanh"])
def test_blocks_equal_step_by_step_bitwise(optimizer, activation):
    rate = 0.01 if optimizer == "adam" else 0.1
    config = TrainingConfig(optimizer, rate, 700, log_every=100, tolerances=(0.9, 0.5, 0.3))
    step_by_step, in_blocks = _both(lambda: _deep(activation), config)
    _same(step_by_step, in_blocks)
    assert (in_blocks.crossings["first_step"] > 12).any()  # crossings found inside blocks


def test_members_stopping_inside_blocks_rewind_to_the_same_steps():
    config = TrainingConfig("adam", 0.02, 3000, log_every=1000, stop_below=0.4, tolerances=(0.6,))
    step_by_step, in_blocks = _both(lambda: _deep("relu", seeds=(0, 1, 2, 3)), config)
    _same(step_by_step, in_blocks)
    pairs = zip(in_blocks.steps, in_blocks.status, strict=True)
    stopped = [step for step, status in pairs if status == "converged"]
    assert len(set(stopped)) >= 2  # members stop at different steps, off the record schedule
    scheduled = set(in_blocks.history.loc[in_blocks.history["member"] == 0, "step"])
    assert any(s not in scheduled for s in stopped)


def test_divergence_inside_a_block_is_found_at_its_step():
    config = TrainingConfig("sgd", 30.0, 2000, log_every=1000)
    step_by_step, in_blocks = _both(lambda: _deep("relu"), config)
    _same(step_by_step, in_blocks)
    assert "diverged" in in_blocks.status


def test_learned_stop_and_shallow_kernel_in_blocks():
    stop = LearnedStop(threshold=0.5, above=False, hold=50)
    config = TrainingConfig("sgd", 0.2, 3000, log_every=500, stop_learned=stop)

    def build():
        return build_shallow_network("hat", 32, seeds=[0, 1], dtype=torch.float64)

    step_by_step, in_blocks = _both(build, config)
    _same(step_by_step, in_blocks)
    assert "learned" in in_blocks.status


def test_blocks_resume_from_a_checkpoint_to_the_same_results(tmp_path):
    config = TrainingConfig("adam", 0.01, 900, log_every=100, tolerances=(0.5,))
    uninterrupted = train(_deep(), X, TARGET, config, [3, 7], blocks=True)

    def crash(step):
        if step == 450:
            raise KeyboardInterrupt

    path = tmp_path / "run.pt"
    with pytest.raises(KeyboardInterrupt):
        train(_deep(), X, TARGET, config, [3, 7], blocks=True, checkpoint=path,
              checkpoint_every=200, on_step=crash)  # fmt: skip
    assert torch.load(path, weights_only=False)["step"] == 400
    resumed = train(_deep(), X, TARGET, config, [3, 7], blocks=True, checkpoint=path,
                    checkpoint_every=200)  # fmt: skip
    _same(uninterrupted, resumed)


def test_block_losses_are_the_steps_losses_and_rewind_restores_the_state():
    model = _deep()
    parameters = list(model.parameters())
    from hatlib.optimizers import Adam

    optimizer = Adam(parameters, 0.01)
    x = torch.tensor(X)
    y = torch.tensor(TARGET).expand(3, -1).contiguous()
    blocks = StepBlocks(model, parameters, optimizer, x, y, capture=False)
    first = blocks.compute()[0].clone()
    blocks.step()
    blocks.snapshot()
    losses = blocks.advance(5)
    assert losses.shape == (5, 3) and optimizer.steps == 5
    assert not np.allclose(losses[0], first.numpy())
    blocks.rewind()
    assert optimizer.steps == 0 and blocks.pending
    np.testing.assert_array_equal(blocks.advance(5), losses)
    with pytest.raises(ValueError, match="capture needs CUDA"):
        StepBlocks(model, parameters, optimizer, x, y, capture=True)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
@pytest.mark.parametrize("activation", ["relu", "hat", "tanh"])
def test_kernel_blocks_equal_the_kernel_step_by_step_bitwise(optimizer, activation):
    # The CPU kernel runs each block of steps in one call (Adam's scalars computed in C++):
    # records, crossings, stops inside blocks (rewound) and parameters equal one call per
    # step bit for bit, in float32.
    rate = {"sgd": 0.05, "adam": 0.01}[optimizer]
    config = TrainingConfig(optimizer, rate, 700, log_every=250, stop_below=0.5)

    def build():
        return build_shallow_network(activation, 24, seeds=[0, 1, 2, 3], dtype=torch.float32)

    step_by_step, in_blocks = _both(build, config)
    _same(step_by_step, in_blocks)
    assert np.asarray(in_blocks.history["loss"]).dtype == np.float64
    scheduled = set(in_blocks.history.loc[in_blocks.history["member"] == 0, "step"])
    if (activation, optimizer) != ("relu", "sgd"):  # that one stays above 0.5 for 700 steps
        assert any(step not in scheduled for step in in_blocks.steps)  # a stop inside a block


def test_kernel_block_advance_and_rewind():
    from hatlib.kernels import fused_shallow_step
    from hatlib.optimizers import OPTIMIZERS

    model = build_shallow_network("hat", 16, seeds=[0, 1], dtype=torch.float32)
    x = torch.tensor(X, dtype=torch.float32)
    y = torch.tensor(TARGET, dtype=torch.float32).expand(2, -1).contiguous()
    parameters = list(model.parameters())
    optimizer = OPTIMIZERS["adam"](parameters, 0.01)
    blocks = fused_shallow_step(model, parameters, optimizer, x, y)
    blocks.compute()
    blocks.step()
    blocks.snapshot()
    before = [p.detach().clone() for p in parameters]
    losses = blocks.advance(5)
    assert losses.shape == (5, 2) and optimizer.steps == 5 and blocks.pending
    assert not torch.equal(parameters[0], before[0])
    blocks.rewind()
    assert all(torch.equal(p, b) for p, b in zip(parameters, before, strict=True))
    assert optimizer.steps == 0 and blocks.pending
    again = []
    for _ in range(5):  # one step per call: the same losses
        again.append(blocks.compute()[0].numpy().astype(np.float64).copy())
        blocks.step()
    np.testing.assert_array_equal(np.stack(again), losses)
    with pytest.raises(RuntimeError, match="pending"):
        blocks.flush()
        blocks.advance(1)

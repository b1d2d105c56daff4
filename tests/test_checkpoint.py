"""Training killed with SIGKILL resumes from its checkpoint to identical results."""

import signal
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import torch

from hatlib.io import atomic_output
from hatlib.models import build_shallow_network
from hatlib.training import TrainingConfig, train

RUN = """
import os, signal, sys
import numpy as np, torch
from hatlib.models import build_shallow_network
from hatlib.training import TrainingConfig, train

kill_at, path = int(sys.argv[1]), sys.argv[2]
model = build_shallow_network("hat", 32, seeds=[0, 1])
x = np.arange(128) / 128
config = TrainingConfig("adam", 0.01, 1000, log_every=10, tolerances=(0.5, 0.05, 1e-9))


def crash(step):
    if step == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)


train(model, x, np.sin(2 * np.pi * 3 * x), config, [3],
      checkpoint=path, checkpoint_every=100, on_step=crash)
"""


def _run(checkpoint=None, activation="hat", optimizer="adam", rate=0.01, iterations=1000, k=3):
    model = build_shallow_network(activation, 32, seeds=[0, 1])
    x = np.arange(128) / 128
    config = TrainingConfig(optimizer, rate, iterations, log_every=10, tolerances=(0.5, 0.05, 1e-9))
    target = np.sin(2 * np.pi * k * x)
    result = train(model, x, target, config, [3], checkpoint=checkpoint, checkpoint_every=100)
    return result, model


@pytest.fixture(scope="module")
def uninterrupted():
    return _run()


@pytest.mark.parametrize("kill_at", [250, 500, 999])
def test_killed_run_resumes_to_identical_results(uninterrupted, tmp_path, kill_at):
    checkpoint = tmp_path / "run.pt"
    crashed = subprocess.run([sys.executable, "-c", RUN, str(kill_at), str(checkpoint)])
    assert crashed.returncode == -signal.SIGKILL
    saved = torch.load(checkpoint, weights_only=False)
    assert saved["step"] == kill_at // 100 * 100

    result, model = _run(checkpoint)
    expected, expected_model = uninterrupted
    pd.testing.assert_frame_equal(result.history, expected.history, check_exact=True)
    pd.testing.assert_frame_equal(result.spectrum, expected.spectrum, check_exact=True)
    pd.testing.assert_frame_equal(result.crossings, expected.crossings, check_exact=True)
    # crossings before the kill come from the checkpoint: some are, and none is lost
    assert (expected.crossings["first_step"] > 0).sum() >= 2
    assert result.status == expected.status and result.steps == expected.steps
    for mine, theirs in zip(model.parameters(), expected_model.parameters(), strict=True):
        assert torch.equal(mine, theirs)


def test_checkpoint_of_another_run_is_ignored(uninterrupted, tmp_path):
    checkpoint = tmp_path / "run.pt"
    _run(checkpoint, activation="relu", optimizer="sgd", rate=0.1, iterations=200)
    assert checkpoint.exists()
    result, _ = _run(checkpoint)  # a different run: starts from scratch
    pd.testing.assert_frame_equal(result.history, uninterrupted[0].history, check_exact=True)


def test_checkpoint_of_another_target_is_ignored(uninterrupted, tmp_path):
    # -sin(2 pi 3 x) has exactly the norm of sin(2 pi 3 x): the fingerprint must see the data.
    checkpoint = tmp_path / "run.pt"
    _run(checkpoint, k=-3)
    result, _ = _run(checkpoint)
    pd.testing.assert_frame_equal(result.history, uninterrupted[0].history, check_exact=True)


def test_killed_write_leaves_no_output(tmp_path):
    target = tmp_path / "table.parquet"
    code = (
        "import os, signal, pandas as pd\n"
        "from hatlib.io import atomic_output\n"
        f"with atomic_output({str(target)!r}) as temporary:\n"
        "    pd.DataFrame({'a': range(1000)}).to_parquet(temporary)\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    assert subprocess.run([sys.executable, "-c", code]).returncode == -signal.SIGKILL
    assert not target.exists()
    leftovers = list(tmp_path.iterdir())
    assert all(path.name.startswith(".table.parquet.") for path in leftovers)
    with atomic_output(target) as temporary:  # a later run writes the output normally
        pd.DataFrame({"a": [1]}).to_parquet(temporary)
    assert pd.read_parquet(target)["a"].tolist() == [1]

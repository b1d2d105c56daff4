import os
import re
from pathlib import Path

import numpy as np
import pytest
import torch
from threadpoolctl import threadpool_info

from hatlib.runtime import THREAD_VARIABLES, environment_metadata, use_threads

SCRIPTS = Path(__file__).parent.parent / "scripts"


@pytest.fixture
def restore_threads(monkeypatch):
    for variable in THREAD_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)
    from hatlib.runtime import _thread_limits

    while _thread_limits:
        _thread_limits.pop().restore_original_limits()


def test_use_threads_limits_torch_openmp_and_blas(restore_threads):
    np.linalg.eigh(np.eye(64))  # numpy's BLAS and LAPACK are loaded
    pools = use_threads(1)
    assert pools["torch"] == 1 and torch.get_num_threads() == 1
    loaded = threadpool_info()
    assert {"blas", "openmp"} <= {info["user_api"] for info in loaded}
    assert all(info["num_threads"] == 1 for info in loaded)

    assert {os.environ[v] for v in THREAD_VARIABLES} == {"1"}  # for libraries loaded later
    recorded = environment_metadata("cpu")["thread_pools"]
    assert recorded and set(recorded.values()) == {1}


def test_use_threads_rejects_no_threads():
    with pytest.raises(ValueError, match="threads must be at least 1, got 0"):
        use_threads(0)


def test_every_job_script_uses_the_threads_snakemake_gives_it():
    scripts = sorted(SCRIPTS.glob("*.py"))
    assert len(scripts) > 30
    missing = [s.name for s in scripts if "use_threads(snakemake.threads)" not in s.read_text()]
    assert missing == []
    imported = re.compile(r"^from hatlib\.runtime import .*\buse_threads\b", re.MULTILINE)
    assert [s.name for s in scripts if not imported.search(s.read_text())] == []
    # and no script sets PyTorch's threads on its own
    assert not [s.name for s in scripts if "set_num_threads" in s.read_text()]


FLUSH_PROBE = """
import sys, torch
from hatlib.runtime import environment_metadata, flush_subnormals, use_threads
use_threads(2)
if sys.argv[1] == "late":
    (torch.ones(1_000_000) * 2).sum()  # the thread pool exists before the flag is set
try:
    flush_subnormals()
except RuntimeError as error:
    print("refused", error)
# 2**-148 by its bits (a subnormal input); 256 products of 2**-70 sum to 2**-132 (subnormal)
tiny = torch.full((1_000_000,), 2, dtype=torch.int32).view(torch.float32)
small = torch.full((256, 256), 2.0**-70)
print("elementwise", [int(torch.count_nonzero(c)) for c in (tiny * 1.5).chunk(4)])
print("matmul", int(torch.count_nonzero(small @ small)))
print("recorded", environment_metadata("cpu")["flush_subnormals"])
"""


@pytest.mark.parametrize("when", ["early", "late"])
def test_flush_subnormals_holds_in_every_thread_or_refuses(when):
    """Set before the thread pool exists, every thread flushes, the BLAS's included; set after,
    the check finds the threads that do not and refuses, leaving nothing half-flushed."""
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", FLUSH_PROBE, when], capture_output=True, text=True, check=True
    )
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    if when == "early":
        assert "refused" not in lines
        assert lines["elementwise"] == "[0, 0, 0, 0]"
        assert lines["matmul"] == "0"
        assert lines["recorded"] == "True"
    else:
        assert "only some threads flush" in lines["refused"]
        # the refusal turns the flag off again: every thread keeps subnormals
        assert lines["elementwise"] == "[250000, 250000, 250000, 250000]"
        assert lines["matmul"] == str(256 * 256)
        assert lines["recorded"] == "False"


#: Scripts whose modules need PyTorch when they are imported; every other job starts
#: without it (importing PyTorch costs 1.5-2 s of each job's start).
SCRIPTS_IMPORTING_TORCH = {
    "aggregate_images",
    "aggregate_pde",
    "build_kernel",
    "describe_first_layer",
    "measure_gd_steps",
    "predict_gd_steps",
    "select_learning_rate",
    "solve_pde",
    "train_images",
    "train_model",
    "train_multifrequency",
}


def test_data_summary_and_figure_jobs_start_without_torch(repository):
    """The modules of every other script, imported together, leave PyTorch out (so does each
    script's own share of them); a module that imports it at its top fails this."""
    import subprocess
    import sys

    modules = set()
    for script in (repository / "scripts").glob("*.py"):
        if script.stem not in SCRIPTS_IMPORTING_TORCH:
            modules.update(re.findall(r"^from (hatlib[\w.]*) import", script.read_text(), re.M))
    assert {"hatlib.experiments.classic", "hatlib.experiments.digits"} <= modules
    probe = "import importlib, sys\n"
    probe += "".join(f"importlib.import_module({name!r})\n" for name in sorted(modules))
    probe += "print(sorted(name for name in sys.modules if name.split('.')[0] == 'torch')[:3])\n"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=repository
    )
    assert result.stdout.strip() == "[]"


def test_paper_writing_jobs_start_without_matplotlib(repository):
    """The macro, table and appendix jobs print names, not figures: no plotting stack."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "import hatlib.paper, hatlib.paper_claims, hatlib.paper_experiments, hatlib.latex\n"
        "print([m for m in ('matplotlib', 'seaborn', 'torch') if m in sys.modules])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=repository
    )
    assert result.stdout.strip() == "[]"

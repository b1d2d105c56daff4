"""Logging, device selection and the metadata recorded with every result."""

from __future__ import annotations

import logging
import os
import platform
import sys
from importlib import metadata
from pathlib import Path

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup_logging(log_path: str | os.PathLike | None = None) -> logging.Logger:
    """Send INFO records to ``log_path`` (appending), or to standard error without one.

    An uncaught exception is written to the log too (then reported as usual),
    so that a job's log says why it failed. Returns the root logger. Calling
    it again replaces the handlers it set.
    """
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_path is not None:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        handlers = [logging.FileHandler(log_path)]
    for handler in handlers:
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        root.addHandler(handler)
    if log_path is not None:
        sys.excepthook = _log_then_report
    if os.environ.get("SLURM_JOB_ID"):
        root.info("running in SLURM job %s", os.environ["SLURM_JOB_ID"])
    return root


#: Environment variables that size the thread pools of OpenMP and the BLAS libraries.
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)

_thread_limits = []


def use_threads(threads: int) -> dict[str, int]:
    """Use exactly ``threads`` threads for PyTorch, OpenMP and the BLAS under numpy and scipy.

    Libraries already loaded are limited with :mod:`threadpoolctl` (and
    ``torch.set_num_threads`` when PyTorch is imported); the environment
    variables of :data:`THREAD_VARIABLES` size those loaded later (PyTorch
    reads them at import, the fused kernel's OpenMP at its first parallel
    region). Jobs that Snakemake runs side by side then never share a core
    between more threads than it gave them. Returns the thread count of each
    thread pool found, by library (``torch`` included when imported).
    """
    if threads < 1:
        raise ValueError(f"threads must be at least 1, got {threads}")
    for variable in THREAD_VARIABLES:
        os.environ[variable] = str(threads)
    from threadpoolctl import threadpool_info, threadpool_limits

    _thread_limits.append(threadpool_limits(limits=threads))
    pools = {info["internal_api"]: info["num_threads"] for info in threadpool_info()}
    if "torch" in sys.modules:
        import torch

        torch.set_num_threads(threads)
        pools["torch"] = torch.get_num_threads()
    return pools


#: Whether :func:`flush_subnormals` has set this process's threads to flush subnormals.
_subnormals_flushed = False


def flush_subnormals() -> None:
    """Treat subnormal floating-point numbers as zero, on input and output, in every CPU thread.

    A float32 number below 2**-126 in magnitude costs up to a hundred times
    an ordinary one in the processor's arithmetic; the protocol's deep
    networks meet such numbers in Adam's moments and the small gradients of
    a fitted network. ``torch.set_flush_denormal`` sets the calling thread
    only, and threads inherit the setting when they are created, so this must
    run before PyTorch's first parallel operation creates its thread pool: it
    then holds in the intra-op pool and the BLAS threads too, and results do
    not depend on the thread count. Checked here: an operation split over every
    thread of the pool must return zeros; if some thread still produces a
    subnormal (the pool existed already) this raises instead of leaving
    results to depend on which thread computed what.
    """
    global _subnormals_flushed
    import torch

    if not torch.set_flush_denormal(True):
        raise RuntimeError("this processor cannot flush subnormal numbers to zero (no SSE3)")
    # 2**-148 by its bits (a conversion would flush it already), 65,536 per thread at least:
    # PyTorch splits an operation of this size over every thread of its pool
    count = 65536 * max(torch.get_num_threads(), 1) * 2
    tiny = torch.full((count,), 2, dtype=torch.int32).view(torch.float32)
    survivors = int(torch.count_nonzero(tiny * 1.5))
    if survivors:
        torch.set_flush_denormal(False)
        raise RuntimeError(
            f"subnormals survived in {survivors} of {tiny.numel()} elements: PyTorch's thread "
            "pool was created before flush_subnormals(), so only some threads flush; call it "
            "before the first parallel operation"
        )
    _subnormals_flushed = True


def map_in_processes(function, tasks, workers: int = 1) -> list:
    """``[function(*task) for task in tasks]``, in up to ``workers`` processes when more than one.

    For independent pure computations (one bootstrap per group): results come
    back in the order of ``tasks`` and equal the serial ones bit for bit, since
    each task carries all it needs, its random seed included. The worker
    processes are forked, each with one thread for its BLAS, so that
    ``workers`` processes use ``workers`` cores; where processes cannot be
    forked (Windows) the tasks run one after the other, with the same results.
    """
    import multiprocessing

    tasks = list(tasks)
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    if workers == 1 or len(tasks) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [function(*task) for task in tasks]
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        min(workers, len(tasks)), mp_context=context, initializer=_one_blas_thread
    ) as pool:
        futures = [pool.submit(function, *task) for task in tasks]
        return [future.result() for future in futures]


def _one_blas_thread() -> None:
    from threadpoolctl import threadpool_limits

    _thread_limits.append(threadpool_limits(limits=1))


def _log_then_report(kind, value, traceback) -> None:
    logging.getLogger().critical("failed: %s", value, exc_info=(kind, value, traceback))
    sys.__excepthook__(kind, value, traceback)


def resolve_device(requested: str, work: tuple[str, str] | None = None) -> str:
    """Map a configured device to the one used: ``"auto"``, ``"cpu"`` or ``"cuda"``.

    ``"auto"`` means CUDA when a device is visible, else CPU; for a job that
    names its ``work`` (family and activation), CUDA only where the shipped
    benchmark table says the engine is faster there than on the job's CPU
    threads (:func:`hatlib.devices.faster_on_cuda`; the decision and its numbers
    are logged). ``"cuda"`` with no visible device falls back to the CPU with a
    warning, so that a job placed on a node without a usable GPU still finishes.
    """
    if requested not in ("auto", "cpu", "cuda"):
        raise ValueError(f"device must be 'auto', 'cpu' or 'cuda', got {requested!r}")
    if requested == "cpu":
        return "cpu"
    import torch

    if torch.cuda.is_available():
        if requested == "auto" and work is not None:
            from hatlib.devices import faster_on_cuda

            faster, reason = faster_on_cuda(*work, threads=torch.get_num_threads())
            logging.getLogger(__name__).info("device auto: %s", reason)
            return "cuda" if faster else "cpu"
        return "cuda"
    if requested == "cuda":
        logging.getLogger(__name__).warning("device 'cuda' requested but none visible: using CPU")
    return "cpu"


def seconds_since_process_start() -> float | None:
    """Seconds since this process started (Linux ``/proc``), or ``None`` elsewhere."""
    try:
        fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        start_ticks = int(fields[19])  # field 22, starttime, in clock ticks since boot
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def package_versions() -> dict[str, str]:
    """Versions of the packages that determine numerical results."""
    versions = {"python": platform.python_version()}
    for package in ("torch", "numpy", "pandas", "hatpaper"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions


def environment_metadata(device: str) -> dict[str, object]:
    """Machine, device and library versions, for a run's metadata file."""
    import torch

    from hatlib.kernels import kernel_arch, kernel_simd_level, processor_model

    info: dict[str, object] = {
        "device": device,
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": processor_model(),
        # the fused CPU kernel's -march target and instruction set (None: not used by this job)
        "kernel_arch": kernel_arch(),
        "kernel_simd": kernel_simd_level(),
        "torch_threads": torch.get_num_threads(),
        # subnormal numbers treated as zero in every CPU thread (hatlib.runtime.flush_subnormals)
        "flush_subnormals": _subnormals_flushed,
        # threads of each OpenMP and BLAS pool (hatlib.runtime.use_threads sets them)
        "thread_pools": _thread_pools(),
        "versions": package_versions(),
        # the scheduler's job that ran this one (None outside SLURM)
        "slurm_job_id": os.environ.get("SLURM_JOB_ID"),
    }
    if device == "cuda":
        info["device_name"] = torch.cuda.get_device_name()
    return info


def _thread_pools() -> dict[str, int]:
    from threadpoolctl import threadpool_info

    return {
        f"{info['internal_api']}:{Path(info['filepath']).name}": info["num_threads"]
        for info in threadpool_info()
    }


def git_commit(directory: str | os.PathLike) -> str:
    """The commit checked out in ``directory`` (with ``+modified`` if the tree differs), or
    ``"unknown"`` outside a git repository."""
    import subprocess

    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=directory, capture_output=True, text=True, check=True
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=directory,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + ("+modified" if status else "")


def config_hash(config: dict) -> str:
    """SHA-256 (first 16 hex digits) of the configuration as canonical JSON."""
    import hashlib
    import json

    text = json.dumps(config, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]

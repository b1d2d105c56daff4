"""Which device trains a job: CUDA only where the engine is faster there, by a shipped table.

``device: auto`` sends a training job to CUDA when a GPU is visible *and* the
benchmark table :data:`RATES` says the engine trains that family faster on the
GPU than on the CPU threads the job has. The table holds model-steps per second
measured by ``make bench`` (``python -m hatlib.bench training`` and
``python -m hatlib.bench_deep``) on one CPU and one GPU, named in its
``machine`` column; :func:`rates_from_bench` makes it from their tables. The
CPU rate is scaled linearly with the job's threads from the threads it was
measured on (the fused kernel and the batched matmuls scale about so on a few
cores): an estimate, logged with the decision. Another machine may differ;
``device: cuda`` or ``device: cpu`` overrides the choice.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

logger = logging.getLogger(__name__)

#: The shipped table: family, activation, device, threads, model_steps_per_second, machine.
RATES = Path(__file__).with_name("device_rates.csv")

COLUMNS = ["family", "activation", "device", "threads", "model_steps_per_second", "machine"]


def rates_from_bench(training: pd.DataFrame, deep: pd.DataFrame, machine: str) -> pd.DataFrame:
    """The rows of :data:`RATES` from a shallow and a deep benchmark table of one device."""
    shallow = training.assign(family="shallow")
    rows = pd.concat([shallow, deep], ignore_index=True)
    rows = rows.assign(
        model_steps_per_second=rows["engine_model_steps_per_second"],
        device=rows["device"].astype(str).str.split(":").str[0],
        machine=machine,
    )
    return rows[COLUMNS].reset_index(drop=True)


def load_rates(path: str | Path | None = None) -> pd.DataFrame:
    """The benchmark table (default :data:`RATES`), checked for its columns."""
    path = RATES if path is None else path
    table = pd.read_csv(path)
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"{path}: missing columns {missing}")
    return table


def faster_on_cuda(
    family: str, activation: str, threads: int, rates: pd.DataFrame | None = None
) -> tuple[bool, str]:
    """Whether the engine trains ``family``/``activation`` faster on CUDA than on ``threads``
    CPU threads, by the table, and why. Without a row for both devices: CUDA (the GPU
    is assumed faster where nothing was measured), said so in the reason."""
    if threads < 1:
        raise ValueError(f"threads must be at least 1, got {threads}")
    rates = load_rates() if rates is None else rates
    rows = rates[(rates["family"] == family) & (rates["activation"] == activation)]
    cpu, cuda = rows[rows["device"] == "cpu"], rows[rows["device"] == "cuda"]
    if cpu.empty or cuda.empty:
        return True, f"no measured rates for {family}/{activation}: CUDA"
    cpu_rate = float(cpu["model_steps_per_second"].iloc[0]) * threads / int(cpu["threads"].iloc[0])
    cuda_rate = float(cuda["model_steps_per_second"].iloc[0])
    faster = cuda_rate > cpu_rate
    reason = (
        f"{family}/{activation}: {cuda_rate:,.0f} model-steps/s on CUDA against "
        f"{cpu_rate:,.0f} on {threads} CPU thread(s) (measured on "
        f"{cuda['machine'].iloc[0]}; {cpu['machine'].iloc[0]}): {'CUDA' if faster else 'CPU'}"
    )
    return faster, reason

"""A single-node SLURM cluster on localhost for the tests: munge, slurmctld, slurmd.

Installed from Debian packages (``slurm-wlm``, ``munge``) when missing and
started as root; the node advertises one fake GPU (``gres/gpu`` backed by
``/dev/null``), so that jobs asking for ``--gpus=1`` are scheduled and then run
without a CUDA device. Every daemon started here is stopped by its PID.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

SLURM_CONF = Path("/etc/slurm/slurm.conf")
GRES_CONF = Path("/etc/slurm/gres.conf")
PID_FILES = {
    "munged": Path("/run/munge/munged.pid"),
    "slurmctld": Path("/run/slurmctld.pid"),
    "slurmd": Path("/run/slurmd.pid"),
}
PACKAGES = ["slurm-wlm", "munge"]

CONFIG = """\
ClusterName=hatpaper
SlurmctldHost=localhost
SlurmUser=slurm
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
# squeue keeps finished jobs this long; the executor plugin needs it large
MinJobAge=3600
SchedulerParameters=batch_sched_delay=0
ReturnToService=2
GresTypes=gpu
SlurmctldPidFile={slurmctld_pid}
SlurmdPidFile={slurmd_pid}
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
{node} Gres=gpu:1 State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
"""


def unavailable_reason() -> str | None:
    """Why a cluster cannot be brought up here, or ``None`` when it can."""
    if os.geteuid() != 0:
        return "the SLURM test cluster needs root (it installs packages and starts daemons)"
    if shutil.which("sbatch") is None and shutil.which("apt-get") is None:
        return "SLURM is not installed and apt-get is not available to install it"
    return None


def _run(*command: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)


def install() -> None:
    """Install SLURM and munge from Debian packages unless already present."""
    if shutil.which("sbatch") and shutil.which("slurmctld") and shutil.which("munged"):
        return
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    _run("apt-get", "update", "-qq", env=environment)
    _run("apt-get", "install", "-y", "-qq", *PACKAGES, env=environment)


def _pid(name: str) -> int | None:
    path = PID_FILES[name]
    try:
        pid = int(path.read_text().split()[0])
        os.kill(pid, 0)
    except (OSError, ValueError, IndexError):
        return None
    return pid


def _stop(name: str, timeout: float = 20.0) -> None:
    pid = _pid(name)
    if pid is None:
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except OSError:
            return
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)


def _wait_for(check, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.5)
    raise RuntimeError(f"timed out waiting for {what}")


def _node_line() -> str:
    """The node's hardware line from ``slurmd -C``, named localhost."""
    line = _run("slurmd", "-C").stdout.splitlines()[0]
    fields = [field for field in line.split() if not field.startswith("NodeName=")]
    return " ".join(["NodeName=localhost", *fields])


def start() -> None:
    """Write the configuration and start munged, slurmctld and slurmd (stopping stale ones)."""
    for name in ("slurmd", "slurmctld", "munged"):
        _stop(name)
    SLURM_CONF.parent.mkdir(parents=True, exist_ok=True)
    SLURM_CONF.write_text(
        CONFIG.format(
            node=_node_line(),
            slurmctld_pid=PID_FILES["slurmctld"],
            slurmd_pid=PID_FILES["slurmd"],
        )
    )
    GRES_CONF.write_text("Name=gpu Count=1 File=/dev/null\n")
    for directory in ("/var/spool/slurmctld", "/var/spool/slurmd", "/var/log/slurm"):
        Path(directory).mkdir(parents=True, exist_ok=True)
        shutil.chown(directory, "slurm", "slurm")
    # a fresh controller state: no jobs of earlier runs
    for stale in Path("/var/spool/slurmctld").glob("*"):
        if stale.is_file():
            stale.unlink()
    Path("/run/munge").mkdir(parents=True, exist_ok=True)
    shutil.chown("/run/munge", "munge", "munge")
    _run("runuser", "-u", "munge", "--", "/usr/sbin/munged")
    _wait_for(lambda: _pid("munged") is not None, "munged")
    _run("/usr/sbin/slurmctld")
    _run("/usr/sbin/slurmd")
    _wait_for(_node_idle, "the SLURM node to become idle")


def _node_idle() -> bool:
    result = subprocess.run(
        ["sinfo", "--noheader", "--format=%t"], capture_output=True, text=True, check=False
    )
    return result.returncode == 0 and result.stdout.strip() == "idle"


def stop() -> None:
    """Stop every daemon :func:`start` started, by PID."""
    for name in ("slurmd", "slurmctld", "munged"):
        _stop(name)


def job_details(job_id: str) -> str:
    """``scontrol show job`` of one job (kept by the controller for MinJobAge)."""
    return _run("scontrol", "show", "job", job_id).stdout

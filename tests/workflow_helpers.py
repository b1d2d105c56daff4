"""Running the workflow in a scratch copy, for the end-to-end tests."""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SOURCES = ["Snakefile", "workflow", "scripts", "config", "profiles", "paper/main.tex"]
SOURCES += ["paper/references.bib"]
SNAKEMAKE = str(Path(sys.executable).parent / "snakemake")


def copy_workflow(repository: Path, destination: Path) -> Path:
    for name in SOURCES:
        source = repository / name
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target)
    return destination


# Local runs never use SLURM, but the SLURM executor plugin asks `scontrol show config`
# when it loads; where a SLURM client is installed and no controller answers that takes
# about 9 s. A configuration naming an unreachable controller makes it fail at once.
NO_CLUSTER = Path(tempfile.gettempdir()) / "hatpaper-no-cluster.conf"
NO_CLUSTER.write_text("ClusterName=none\nSlurmctldHost=localhost\nMessageTimeout=1\n")


def snakemake(workdir: Path, *arguments: str, timeout: int = 900):
    return subprocess.run(
        [SNAKEMAKE, "--configfile", "config/quick.yaml", *arguments],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "SLURM_CONF": str(NO_CLUSTER)},
    )

"""Running the workflow in a scratch copy, for the end-to-end tests."""

import shutil
import subprocess
import sys
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


def snakemake(workdir: Path, *arguments: str, timeout: int = 900):
    return subprocess.run(
        [SNAKEMAKE, "--configfile", "config/quick.yaml", *arguments],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=timeout,
    )

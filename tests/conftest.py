"""Shared fixtures: the repository root and a float64 default for exact checks."""

from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repository() -> Path:
    """Root of the repository (holds the Snakefile)."""
    return REPOSITORY


@pytest.fixture(scope="session")
def quick_run(repository, tmp_path_factory):
    """A scratch copy of the workflow after a complete local run of the quick configuration."""
    from workflow_helpers import copy_workflow, snakemake

    workdir = copy_workflow(repository, tmp_path_factory.mktemp("quick"))
    result = snakemake(workdir, "--cores", "2")
    assert result.returncode == 0, result.stderr[-6000:]
    return workdir

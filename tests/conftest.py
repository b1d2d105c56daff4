"""Shared fixtures: the repository root and a float64 default for exact checks."""

from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repository() -> Path:
    """Root of the repository (holds the Snakefile)."""
    return REPOSITORY

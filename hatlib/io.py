"""Atomic file output and checked table input.

Every output is written to a temporary file in its own directory and renamed
into place, so a job killed mid-write never leaves a file that looks complete.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd


class CorruptInputError(RuntimeError):
    """An input file that is missing, truncated or malformed; the message names it."""


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it to ``path`` on success.

    On an exception the temporary file is removed and ``path`` is left as it was.
    The temporary name keeps the suffix of ``path`` so writers that infer the
    format from it (matplotlib) still work.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=f".tmp{target.suffix}"
    )
    os.close(handle)
    try:
        yield Path(temporary)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def write_text(text: str, path: str | os.PathLike) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    with atomic_output(path) as temporary:
        temporary.write_text(text, encoding="utf-8")


def write_json(data: Any, path: str | os.PathLike) -> None:
    """Write ``data`` as indented, key-sorted JSON to ``path`` atomically."""
    write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", path)


def write_table(frame: pd.DataFrame, path: str | os.PathLike) -> None:
    """Write ``frame`` to ``path`` atomically: Parquet for ``.parquet``, else CSV."""
    with atomic_output(path) as temporary:
        if Path(path).suffix == ".parquet":
            frame.to_parquet(temporary, index=False)
        else:
            frame.to_csv(temporary, index=False)


def read_table(path: str | os.PathLike, columns: list[str] | None = None) -> pd.DataFrame:
    """Read a table written by :func:`write_table`, checking that it is whole.

    Raises :class:`CorruptInputError` naming ``path`` when the file cannot be
    parsed or lacks one of ``columns``.
    """
    try:
        if Path(path).suffix == ".parquet":
            frame = pd.read_parquet(path)
        else:
            frame = pd.read_csv(path)
    except Exception as error:
        raise CorruptInputError(f"cannot read table {path}: {error}") from error
    missing = sorted(set(columns or []) - set(frame.columns))
    if missing:
        raise CorruptInputError(f"table {path} lacks the columns {missing}")
    return frame


def read_json(path: str | os.PathLike) -> Any:
    """Read a JSON file, raising :class:`CorruptInputError` naming ``path`` if malformed."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise CorruptInputError(f"cannot read JSON file {path}: {error}") from error


def benchmark_rule(path: str | os.PathLike) -> str:
    """The rule a Snakemake benchmark file belongs to: the folder under ``benchmarks/``,
    however deep the file lies (``benchmarks/train_classic/equal/hat/fem_deep.tsv``), or
    the file's own name directly under it (``benchmarks/build_kernel.tsv``).

    >>> benchmark_rule("results/benchmarks/train_classic/equal/hat/fem_deep.tsv")
    'train_classic'
    >>> benchmark_rule("results/benchmarks/build_kernel.tsv")
    'build_kernel'
    """
    parts = Path(path).parts
    if "benchmarks" not in parts:
        raise ValueError(f"not a benchmark file under a benchmarks folder: {path}")
    below = parts[len(parts) - 1 - parts[::-1].index("benchmarks") + 1 :]
    return below[0] if len(below) > 1 else Path(below[0]).stem


def read_benchmark_seconds(path: str | os.PathLike) -> float:
    """Wall-clock seconds recorded in a Snakemake benchmark file (its ``s`` column)."""
    try:
        return float(pd.read_csv(path, sep="\t")["s"].sum())
    except Exception as error:
        raise CorruptInputError(f"cannot read benchmark file {path}: {error}") from error

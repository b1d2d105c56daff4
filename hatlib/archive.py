"""An archive of the expensive results, and the paper rebuilt from it without training.

``python -m hatlib.archive create`` (``make archive``) packs everything the
paper needs that is expensive to compute (the data, every training run's
histories, spectra and ``run.json``, the learning-rate selections, the FEM
spectra and the gradient-descent steps, the kernel build record and the job
benchmarks the appendix times) with Snakemake's records of them, into one
``.tar.gz`` with a manifest: the configuration and its hash, the commit, the
package versions and a SHA-256 checksum per file.

``python -m hatlib.archive restore ARCHIVE`` (``make paper-from-archive
ARCHIVE=path-or-URL``) refuses an archive whose configuration or checksums
differ from this checkout's, naming what differs, and otherwise unpacks it;
Snakemake then rebuilds the tables, figures, claims and paper and plans no
training, FEM or theory job (``tests/test_archive.py``).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import os
import tarfile
import tempfile
import urllib.request
from pathlib import Path

import yaml

from hatlib.runtime import config_hash, git_commit, package_versions

#: The folders of ``results/`` that the archive holds: all that training, FEM and theory make.
ARCHIVED = [
    "results/data",
    "results/kernel",
    "results/learning_rates",
    "results/runs",
    "results/multifrequency",
    "results/digits",
    "results/classic",
    "results/pde",
    "results/images",
    "results/fem",
    "results/theory",
    "results/benchmarks",
]
METADATA = ".snakemake/metadata"
MANIFEST = "MANIFEST.json"


class ArchiveMismatch(ValueError):
    """The archive does not belong to this configuration, or its files are not as packed."""


def load_config(configfiles: list[str | os.PathLike], root: Path = Path(".")) -> dict:
    """The configuration Snakemake runs with: ``config/config.yaml``, then each file over it."""

    def merge(base: dict, update: dict) -> dict:
        for key, value in update.items():
            if isinstance(value, dict) and isinstance(base.get(key), dict):
                merge(base[key], value)
            else:
                base[key] = value
        return base

    config = yaml.safe_load((root / "config/config.yaml").read_text())
    for path in configfiles:
        merge(config, yaml.safe_load((root / path).read_text()) or {})
    return config


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _metadata_target(path: Path, metadata: Path) -> str:
    """The output file a Snakemake metadata record describes (its name is that path, base64)."""
    parts = path.relative_to(metadata).parts
    encoded = "".join(part.removeprefix("@") for part in parts)
    return base64.urlsafe_b64decode(encoded.encode()).decode()


def archived_files(root: Path = Path(".")) -> list[str]:
    """Relative paths of every file the archive holds, sorted: results and their records."""
    files = [
        str(path.relative_to(root))
        for folder in ARCHIVED
        for path in (root / folder).rglob("*")
        if path.is_file()
    ]
    metadata = root / METADATA
    if metadata.is_dir():
        for path in metadata.rglob("*"):
            if path.is_file():
                target = _metadata_target(path, metadata)
                if any(target.startswith(folder + "/") for folder in ARCHIVED):
                    files.append(str(path.relative_to(root)))
    return sorted(files)


def create(output: str | os.PathLike, configfiles: list[str], root: Path = Path(".")) -> dict:
    """Write the archive of ``root``'s results to ``output``; return its manifest."""
    files = archived_files(root)
    if not any(name.startswith("results/runs/") for name in files):
        raise FileNotFoundError(f"no training results under {root / 'results/runs'}: run first")
    config = load_config(configfiles, root)
    manifest = {
        "config_hash": config_hash(config),
        "config": config,
        "commit": git_commit(root),
        "versions": package_versions(),
        "files": {name: _sha256((root / name).read_bytes()) for name in files},
    }
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=Path(output).parent, delete=False) as temporary:
        with tarfile.open(fileobj=temporary, mode="w:gz") as archive:
            data = json.dumps(manifest, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
            for name in files:
                archive.add(root / name, arcname=name, recursive=False)
    os.chmod(temporary.name, 0o644)  # a file to publish, not a private temporary
    os.replace(temporary.name, output)
    return manifest


def _differences(packed: dict, here: dict, prefix: str = "") -> list[str]:
    """Dotted keys whose values differ between two configurations."""
    keys = sorted(set(packed) | set(here))
    found = []
    for key in keys:
        name = f"{prefix}{key}"
        a, b = packed.get(key), here.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            found += _differences(a, b, name + ".")
        elif a != b:
            found.append(f"{name}: archive {a!r}, here {b!r}")
    return found


def fetch(source: str, directory: Path) -> Path:
    """A local path of the archive: ``source`` itself, or a download of its URL."""
    if "://" not in source:
        return Path(source)
    target = directory / "archive.tar.gz"
    with urllib.request.urlopen(source) as response, open(target, "wb") as file:
        file.write(response.read())
    return target


def restore(source: str, configfiles: list[str], root: Path = Path(".")) -> dict:
    """Check the archive at ``source`` (path or URL) against this checkout, then unpack it.

    Raises :class:`ArchiveMismatch` naming the configuration keys that differ,
    or the files that are missing or whose checksum differs; nothing is
    written then.
    """
    with tempfile.TemporaryDirectory() as scratch:
        with tarfile.open(fetch(source, Path(scratch)), mode="r:gz") as archive:
            manifest = json.loads(archive.extractfile(MANIFEST).read())
            config = load_config(configfiles, root)
            if manifest["config_hash"] != config_hash(config):
                differences = _differences(manifest["config"], config)
                raise ArchiveMismatch(
                    f"the archive was made with configuration {manifest['config_hash']}, this "
                    f"checkout's is {config_hash(config)}; differing keys: "
                    + "; ".join(differences)
                )
            members = {m.name: m for m in archive.getmembers() if m.name != MANIFEST}
            bad = sorted(set(manifest["files"]) - set(members))
            bad += sorted(set(members) - set(manifest["files"]))
            for name, digest in manifest["files"].items():
                member = members.get(name)
                if member is not None and _sha256(archive.extractfile(member).read()) != digest:
                    bad.append(name)
            if bad:
                raise ArchiveMismatch(f"files missing, extra or changed in the archive: {bad}")
            archive.extractall(root, members=list(members.values()), filter="data")
    return manifest


def main(argv: list[str] | None = None) -> None:
    """Command line: ``create [--output PATH]`` or ``restore ARCHIVE``."""
    parser = argparse.ArgumentParser(prog="python -m hatlib.archive", description=__doc__)
    parser.add_argument(
        "--configfile", action="append", default=[], help="as given to Snakemake (repeatable)"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("create", help="pack the expensive results")
    make.add_argument("--output", default="results/archive/results.tar.gz")
    unpack = commands.add_parser("restore", help="check and unpack an archive (path or URL)")
    unpack.add_argument("archive")
    arguments = parser.parse_args(argv)
    if arguments.command == "create":
        manifest = create(arguments.output, arguments.configfile)
        size = Path(arguments.output).stat().st_size / 1e6
        print(f"{arguments.output}: {len(manifest['files'])} files, {size:.1f} MB, "
              f"configuration {manifest['config_hash']}, commit {manifest['commit']}")  # fmt: skip
    else:
        try:
            manifest = restore(arguments.archive, arguments.configfile)
        except ArchiveMismatch as error:
            raise SystemExit(f"refusing {arguments.archive}: {error}") from None
        print(f"restored {len(manifest['files'])} files of configuration "
              f"{manifest['config_hash']} (commit {manifest['commit']})")  # fmt: skip


if __name__ == "__main__":
    main()

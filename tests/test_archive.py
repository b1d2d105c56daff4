"""The results archive: checked on restore, and the paper rebuilt from it without training."""

import io
import re
import shutil
import subprocess
import sys
import tarfile
import time

import pandas as pd
import pytest
import yaml
from workflow_helpers import copy_workflow, snakemake

from hatlib.archive import ArchiveMismatch, archived_files, create, restore


def _checkout(repository, root):
    shutil.copytree(repository / "config", root / "config")
    for name in (
        "results/runs/a/run.json",
        "results/fem/hat/modes.parquet",
        "results/tables/t.csv",
    ):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(name)
    return root


def test_archive_round_trip_and_refusals(repository, tmp_path):
    source = _checkout(repository, tmp_path / "source")
    archive = tmp_path / "results.tar.gz"
    manifest = create(archive, ["config/quick.yaml"], source)
    assert set(manifest["files"]) == {"results/runs/a/run.json", "results/fem/hat/modes.parquet"}
    assert archived_files(source) == sorted(manifest["files"])  # tables are not archived
    assert archive.stat().st_mode & 0o777 == 0o644

    target = tmp_path / "target"
    shutil.copytree(repository / "config", target / "config")
    restore(archive.as_uri(), ["config/quick.yaml"], target)  # a URL, here file://
    assert (target / "results/runs/a/run.json").read_text() == "results/runs/a/run.json"

    edited = tmp_path / "edited"
    shutil.copytree(repository / "config", edited / "config")
    (edited / "config/extra.yaml").write_text("classic:\n  learning_rate: 0.5\n")
    message = re.escape("classic.learning_rate: archive 0.0003, here 0.5")
    with pytest.raises(ArchiveMismatch, match=message):
        restore(str(archive), ["config/quick.yaml", "config/extra.yaml"], edited)
    assert not (edited / "results").exists()

    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(archive) as packed, tarfile.open(tampered, "w:gz") as out:
        for member in packed.getmembers():
            data = packed.extractfile(member).read()
            if member.name.endswith("run.json"):
                data = b"changed"
                member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    with pytest.raises(ArchiveMismatch, match=r"results/runs/a/run.json"):
        restore(str(tampered), ["config/quick.yaml"], target)


def test_archive_refuses_a_checkout_without_results(repository, tmp_path):
    shutil.copytree(repository / "config", tmp_path / "config")
    with pytest.raises(FileNotFoundError, match="no training results"):
        create(tmp_path / "a.tar.gz", [], tmp_path)


def _hatlib(workdir, *arguments):
    return subprocess.run(
        [sys.executable, "-m", "hatlib.archive", "--configfile", "config/quick.yaml", *arguments],
        cwd=workdir, capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_claims_from_the_quick_runs_archive_train_nothing(quick_run, repository, tmp_path):
    archive = tmp_path / "results.tar.gz"
    made = _hatlib(quick_run, "create", "--output", str(archive))
    assert made.returncode == 0, made.stderr
    fresh = copy_workflow(repository, tmp_path / "fresh")
    started = time.perf_counter()
    restored = _hatlib(fresh, "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    plan = snakemake(fresh, "-n", "--quiet", "rules", "--cores", "1")
    assert plan.returncode == 0, plan.stderr[-3000:]
    planned = plan.stdout + plan.stderr
    for rule in ("train_", "select_learning_rate", "solve_pde", "assemble_gram_spectrum"):
        assert rule not in planned, planned
    for rule in ("measure_gd_steps", "predict_gd_steps", "make_dataset", "build_kernel"):
        assert rule not in planned, planned
    # the claims and the tables behind them (the figures and the PDF are the quick run's
    # own tests; `make paper-from-archive` builds everything)
    built = snakemake(fresh, "--cores", "2", "results/claims.csv")  # targets after options
    assert built.returncode == 0, built.stderr[-3000:]
    print(f"claims from the quick run's archive in {time.perf_counter() - started:.1f} s")
    for name in ("claims.csv", "tables/learning_time_exponents.csv", "tables/gd_steps.csv"):
        pd.testing.assert_frame_equal(
            pd.read_csv(fresh / "results" / name), pd.read_csv(quick_run / "results" / name)
        )
    config = yaml.safe_load((fresh / "config/quick.yaml").read_text())
    config["classic"]["iterations"] += 1
    (fresh / "config/quick.yaml").write_text(yaml.safe_dump(config))
    refused = _hatlib(fresh, "restore", str(archive))
    assert refused.returncode != 0 and "classic.iterations: archive" in refused.stderr

"""The quick workflow on a real single-node SLURM cluster, through profiles/slurm."""

import json
import re
import subprocess

import pandas as pd
import pytest
import slurm_cluster
from workflow_helpers import SNAKEMAKE, copy_workflow

pytestmark = [pytest.mark.workflow, pytest.mark.slurm]

#: Rules that run as SLURM jobs (every other rule is a localrule).
REMOTE_RULES = {
    "build_kernel",
    "make_dataset",
    "make_multifrequency_data",
    "make_digits_data",
    "select_learning_rate",
    "train_model",
    "train_multifrequency",
    "train_digits",
    "train_images",
    "assemble_gram_spectrum",
    "predict_gd_steps",
    "measure_gd_steps",
    "make_classic_data",
    "train_classic",
    "solve_pde",
}
#: The test cluster is one small node: smaller requests, quicker status checks.
OVERLAY = [
    "--slurm-init-seconds-before-status-checks",
    "5",
    "--cores",
    "2",
    "--default-resources",
    "slurm_partition=debug",
    "runtime=30",
    "mem_mb=500",
    "cpus_per_task=1",
    "--set-resources",
    "train_model:mem_mb=500",
    "train_multifrequency:mem_mb=500",
    "train_digits:mem_mb=500",
    "train_classic:mem_mb=500",
    "solve_pde:mem_mb=500",
    "assemble_gram_spectrum:mem_mb=500",
]


@pytest.fixture(scope="module")
def cluster():
    reason = slurm_cluster.unavailable_reason()
    if reason is not None:
        pytest.skip(reason)
    slurm_cluster.install()
    slurm_cluster.start()
    yield
    slurm_cluster.stop()


def _slurm_snakemake(workdir, *arguments, timeout=1500):
    # targets first: options such as --set-resources take every value that follows
    command = ["timeout", "-s", "KILL", str(timeout), SNAKEMAKE, *arguments]
    command += ["--profile", "profiles/slurm", *OVERLAY]
    return subprocess.run(command, cwd=workdir, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def slurm_run(cluster, repository, tmp_path_factory):
    workdir = copy_workflow(repository, tmp_path_factory.mktemp("slurm"))
    result = _slurm_snakemake(workdir, "--configfile", "config/quick.yaml")
    assert result.returncode == 0, (result.stdout + result.stderr)[-6000:]
    return workdir


def _slurm_job_ids(workdir):
    """SLURM job id of every job log, by rule."""
    ids = {}
    for log in (workdir / "results/logs").rglob("*.log"):
        rule = log.parent.name if log.parent.name != "logs" else log.stem
        found = re.findall(r"running in SLURM job (\d+)", log.read_text())
        ids.setdefault(rule, []).append(found[-1] if found else None)
    return ids


def test_every_remote_job_ran_as_a_slurm_job(slurm_run):
    ids = _slurm_job_ids(slurm_run)
    assert REMOTE_RULES <= set(ids)
    for rule, jobs in ids.items():
        if rule in REMOTE_RULES:
            assert all(jobs), f"a {rule} job did not run under SLURM"
        else:
            assert not any(jobs), f"localrule {rule} ran under SLURM"
    submitted = {job for rule in REMOTE_RULES for job in ids[rule]}
    jobs = sum(len(ids[rule]) for rule in REMOTE_RULES)
    assert len(submitted) < jobs  # grouped: several jobs per submission
    print(f"{jobs} jobs in {len(submitted)} SLURM submissions")
    for run in (slurm_run / "results/runs").rglob("run.json"):
        environment = json.loads(run.read_text())["environment"]
        assert environment["slurm_job_id"] in submitted


def test_slurm_results_equal_a_local_run(slurm_run, quick_run):
    tables = [
        "tables/training_history.parquet",
        "tables/multifrequency_spectrum.parquet",
        "tables/digits_accuracy.csv",
        "tables/gram_spectra.parquet",
        "tables/gd_steps.csv",
        "tables/classic_spectrum.parquet",
        "tables/pde_summary.csv",
        "claims.csv",
    ]
    for name in tables:
        read = pd.read_parquet if name.endswith(".parquet") else pd.read_csv
        local, remote = read(quick_run / "results" / name), read(slurm_run / "results" / name)
        pd.testing.assert_frame_equal(remote, local, check_exact=True, obj=name)
    assert (slurm_run / "results/paper.pdf").read_bytes().startswith(b"%PDF")


def test_gpu_training_job_asks_for_a_gpu_and_falls_back_to_cpu(slurm_run):
    (slurm_run / "cuda.yaml").write_text("device: cuda\n")
    target = "results/runs/fem_grid/hat/sgd/k1/run.json"
    # changing the device retrains nothing (run.json records where a run ran): force it
    result = _slurm_snakemake(
        slurm_run, target, "--forcerun", target, "--configfile", "config/quick.yaml",
        "cuda.yaml", timeout=600,
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    # a cluster job asks for a whole GPU and no local GPU slot (profiles/default's limit)
    assert re.search(r"resources: .*gpu=1, gpu_slots=0", output), output[-6000:]
    metadata = json.loads((slurm_run / target).read_text())
    assert metadata["requested_device"] == "cuda"
    assert metadata["environment"]["device"] == "cpu"
    assert all(status == "completed" for status in metadata["status"].values())
    details = slurm_cluster.job_details(metadata["environment"]["slurm_job_id"])
    assert re.search(r"TresPerJob=gres[:/]gpu[:=]1", details), details
    log = (slurm_run / "results/logs/train_model/fem_grid_hat_sgd_k1.log").read_text()
    assert "none visible: using CPU" in log


def test_a_cancelled_training_job_is_resubmitted_and_resumes(slurm_run):
    """scancel a checkpointed training job mid-run: the profile's retries resubmit it, it
    resumes from its checkpoint, and its tables equal those of an uninterrupted run."""
    import time

    (slurm_run / "long.yaml").write_text(
        "train:\n  iterations: 300000\n  log_every: 20000\n  checkpoint_every: 25000\n"
    )
    target = "results/runs/fem_grid/hat/sgd/k4/run.json"
    arguments = [target, "--forcerun", target, "--configfile", "config/quick.yaml", "long.yaml"]
    command = [SNAKEMAKE, *arguments, "--profile", "profiles/slurm", *OVERLAY]
    checkpoint = slurm_run / "results/checkpoints/fem_grid_hat_sgd_k4.pt"
    checkpoint.unlink(missing_ok=True)
    run = subprocess.Popen(command, cwd=slurm_run, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)  # fmt: skip
    deadline = time.monotonic() + 600
    while not checkpoint.exists() and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.5)
    assert checkpoint.exists(), "the job wrote no checkpoint"
    jobs = subprocess.run(["squeue", "-h", "-o", "%i"], capture_output=True, text=True).stdout
    assert jobs.split(), "no SLURM job to cancel"
    subprocess.run(["scancel", *jobs.split()], check=True)
    output, _ = run.communicate(timeout=900)
    assert run.returncode == 0, output[-6000:]
    log = (slurm_run / "results/logs/train_model/fem_grid_hat_sgd_k4.log").read_text()
    assert "resumed from checkpoint" in log, log[-3000:]
    resubmitted = json.loads((slurm_run / target).read_text())["environment"]["slurm_job_id"]
    assert resubmitted not in jobs.split()  # finished in a new submission
    run_dir = slurm_run / "results/runs/fem_grid/hat/sgd/k4"
    resumed = {name: pd.read_parquet(run_dir / name) for name in ("history.parquet",
                                                                   "spectrum.parquet")}  # fmt: skip
    again = _slurm_snakemake(slurm_run, *arguments, timeout=900)  # uninterrupted
    assert again.returncode == 0, (again.stdout + again.stderr)[-6000:]
    for name, table in resumed.items():
        pd.testing.assert_frame_equal(table, pd.read_parquet(run_dir / name), check_exact=True)

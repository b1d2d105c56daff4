"""The workflow end to end: the quick configuration run for real in a scratch copy."""

import itertools
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import yaml
from workflow_helpers import NO_CLUSTER, SNAKEMAKE, copy_workflow, snakemake

pytestmark = pytest.mark.workflow


def test_quick_run_builds_the_paper(quick_run):
    pdf = quick_run / "results/paper.pdf"
    assert pdf.stat().st_size > 10_000
    assert pdf.read_bytes().startswith(b"%PDF")
    figures = ["gram_spectrum", "condition_number", "eigenfunctions", "gd_steps", "training_error"]
    figures += ["initialisation_ablation", "heatmap_1d", "heatmap_2d", "digits"]
    for figure in (f"{name}.pdf" for name in figures):
        assert (quick_run / "results/figures" / figure).stat().st_size > 1000


def test_aggregated_table_has_every_run(quick_run):
    config = yaml.safe_load((quick_run / "config/quick.yaml").read_text())["train"]
    history = pd.read_parquet(quick_run / "results/tables/training_history.parquet")
    keys = ["initialisation", "activation", "optimizer", "frequency", "seed"]
    runs = set(history[keys].itertuples(index=False, name=None))
    models = [(config["initialisation"], activation) for activation in config["activations"]]
    models += itertools.product(
        config["ablation"]["initialisations"], config["ablation"]["activations"]
    )
    expected = {
        (initialisation, activation, optimizer, frequency, seed)
        for initialisation, activation in models
        for optimizer, frequency, seed in itertools.product(
            config["optimizers"], config["frequencies"], range(config["seeds"])
        )
    }
    assert runs == expected
    assert (history.groupby(keys).size() > 1).all()


def test_claims_table_gives_a_verdict_on_every_claim(quick_run):
    claims = pd.read_csv(quick_run / "results/claims.csv")
    assert claims["claim"].is_unique
    assert {"relu-bias-sgd", "hat-flat-adam", "hat-faster-sgd", "hat-accuracy-mnist-adam"} <= set(
        claims["claim"]
    )
    assert {"hat-flat-1d-shallow-sgd", "hat-flat-2d-deep-adam", "hat-flat-digits-adam"} <= set(
        claims["claim"]
    )
    assert set(claims["verdict"]) <= {"holds", "does not hold", "undetermined"}
    decided = claims[claims["verdict"] != "undetermined"]
    assert decided["lower"].notna().all() and decided["upper"].notna().all()
    assert (claims.loc[claims["verdict"] == "undetermined", "reason"].str.len() > 0).all()
    assert len(decided) >= len(claims) // 2
    # every "Hat removes the bias" claim shows ReLU's statistic in the same set-up
    flat = claims[claims["claim"].str.contains("hat-flat")]
    assert (flat["reference"] == "ReLU, same set-up").all()
    table = (quick_run / "paper/generated/claims.tex").read_text()
    # a longtable: caption, header on the first and later pages, one row per claim
    assert table.count(r"\\") == len(claims) + 3 and r"\begin{longtable}" in table
    # consistency checks of the implementation stand apart from the claims
    checks = pd.read_csv(quick_run / "results/checks.csv")
    assert {"theory-hat-condition", "theory-gd-steps", "fem-relu-gram-quadrature"} <= set(
        checks["check"]
    )
    assert not set(checks["check"]) & set(claims["claim"])
    macros = (quick_run / "paper/generated/macros.tex").read_text()
    assert f"\\newcommand{{\\ClaimsTotal}}{{{len(claims)}}}" in macros


def test_single_frequency_learning_times_are_exact(quick_run):
    summary = pd.read_csv(quick_run / "results/tables/run_summary.csv")
    crossings = pd.read_csv(quick_run / "results/tables/training_crossings.csv")
    assert len(crossings) == len(summary)  # one exact crossing (or -1) per run
    learned = summary[~summary["censored"]]
    assert len(learned) and (learned["lower"] == learned["upper"]).all()
    censored = summary[summary["censored"]]
    assert (censored["upper"] == float("inf")).all()
    assert (censored["lower"] == censored["steps"] + 1).all()


def test_readme_claims_table_is_generated_from_the_claims(quick_run, repository):
    from hatlib.readme import check_readme, update_readme

    claims = pd.read_csv(quick_run / "results/claims.csv")
    readme = update_readme((repository / "README.md").read_text(), claims)
    assert check_readme(readme, claims) == []
    changed = claims.copy()
    changed.loc[0, "verdict"] = "holds" if claims.loc[0, "verdict"] != "holds" else "undetermined"
    assert check_readme(readme, changed) != []


def test_multifrequency_and_digits_tables(quick_run):
    config = yaml.safe_load((quick_run / "config/quick.yaml").read_text())
    multi = config["multifrequency"]
    spectrum = pd.read_parquet(quick_run / "results/tables/multifrequency_spectrum.parquet")
    settings = {"1d-shallow", "1d-deep", "2d-shallow", "2d-deep"}
    alternatives = {f"{d}d-{name}" for d in (1, 2) for name in multi["alternatives"]}
    assert set(spectrum["setting"]) == settings | alternatives
    assert set(spectrum.loc[spectrum["setting"] == "1d-deep", "frequency"]) == {
        str(k) for k in multi["one_d"]["frequencies"]
    }
    assert spectrum["step"].min() == 0  # the error at initialisation is recorded
    groups = spectrum.groupby(["setting", "activation", "optimizer"]).ngroups
    assert groups == (len(settings) * len(multi["activations"]) + len(alternatives)) * len(
        multi["optimizers"]
    )
    comparison = pd.read_csv(quick_run / "results/tables/multifrequency_comparison.csv")
    assert len(comparison) == groups
    assert set(comparison.loc[comparison["setting"] == "1d-siren", "activation"]) == {"sine"}
    table = (quick_run / "paper/generated/alternatives.tex").read_text()
    assert "SIREN" in table and "Fourier features" in table
    accuracy = pd.read_csv(quick_run / "results/tables/digits_accuracy.csv")
    assert accuracy["test_accuracy"].between(0, 1).all()
    assert accuracy["test_accuracy"].mean() > 0.8  # the digits are learned
    rates = pd.read_csv(quick_run / "results/tables/learning_rates.csv")
    chosen = rates[rates["chosen"]]
    assert chosen.groupby(["initialisation", "activation", "optimizer"]).size().eq(2).all()


def test_first_layer_digits_split_and_images_tables(quick_run):
    config = yaml.safe_load((quick_run / "config/quick.yaml").read_text())
    multi, images = config["multifrequency"], config["images"]
    first_layer = pd.read_csv(quick_run / "results/tables/first_layer_2d.csv")
    assert len(first_layer) == len(multi["activations"]) * len(multi["two_d"]["frequencies"])
    assert (first_layer["width"] == multi["two_d"]["width"]).all()
    # the trained 2-D networks have the described first layer
    run = json.loads((quick_run / "results/multifrequency/2d/shallow/hat/run.json").read_text())
    assert sum(run["first_layer"]["nodes"]) == multi["two_d"]["width"]
    checks = pd.read_csv(quick_run / "results/checks.csv").set_index("check")
    assert checks.loc["two-d-first-layer-fits", "passed"]
    split = json.loads((quick_run / "results/data/digits_split.json").read_text())
    assert split["high_share"] == pytest.approx(config["digits"]["high_share"], abs=1e-3)
    speedups = pd.read_csv(quick_run / "results/tables/digits_speedups.csv")
    assert set(speedups["part"]) == {"low", "high"}
    difference = pd.read_csv(quick_run / "results/tables/images_difference.csv")
    assert set(difference["optimizer"]) == set(images["optimizers"])
    assert (difference["pairs"] == images["splits"]).all()
    assert (difference["corrected_low"] <= difference["low"]).all()
    curves = pd.read_parquet(quick_run / "results/tables/images_curves.parquet")
    assert set(curves["epoch"]) == set(range(images["epochs"] + 1))
    claims = pd.read_csv(quick_run / "results/claims.csv").set_index("claim")
    assert {f"hat-accuracy-mnist-{o}" for o in images["optimizers"]} <= set(claims.index)
    assert (quick_run / "results/figures/images.pdf").stat().st_size > 0


def test_classic_protocol_and_pde_tables(quick_run):
    config = yaml.safe_load((quick_run / "config/quick.yaml").read_text())
    classic, pde = config["classic"], config["pde"]
    spectrum = pd.read_parquet(quick_run / "results/tables/classic_spectrum.parquet")
    runs = spectrum.groupby(["case", "activation", "initialisation"]).ngroups
    assert runs == len(classic["cases"]) * len(classic["models"])
    from hatlib.training import record_steps

    assert set(spectrum["step"]) == set(record_steps(classic["iterations"], classic["log_every"]))
    assert spectrum["magnitude"].between(0, 2).all()
    learned = pd.read_csv(quick_run / "results/tables/classic_learning.csv")
    assert len(learned) == runs * classic["seeds"] * len(classic["frequencies"]) * len(
        classic["thresholds"]
    )
    summary = pd.read_csv(quick_run / "results/tables/pde_summary.csv")
    assert len(summary) == len(pde["activations"]) * len(pde["optimizers"])
    assert (summary["fem_h1_error"] > 0).all() and summary["learning_rate"].notna().all()
    widths = pd.read_csv(quick_run / "results/tables/pde_widths.csv")
    fem = widths[widths["activation"] == "fem"].set_index("width")["relative_l2_error"]
    assert fem.is_monotonic_decreasing  # the finite element error falls with the width
    exact = widths[widths["optimizer"] == "exact"]
    assert len(exact) == (len(pde["activations"]) + 1) * len({*pde["widths"], pde["width"]})
    # training the output layer cannot beat the energy's exact minimiser over it
    assert (summary["final_h1_error"] >= summary["minimiser_h1_error"] * 0.999).all()
    modes = pd.read_parquet(quick_run / "results/tables/pde_modes.parquet")
    assert set(modes["mode"]) == set(pde["modes"])
    claims = pd.read_csv(quick_run / "results/claims.csv")["claim"]
    assert claims.str.startswith("pde-").sum() == 2 * len(pde["optimizers"]) + 1
    conditioning = pd.read_csv(quick_run / "results/tables/pde_conditioning.csv")
    assert len(conditioning) == len(pde["activations"]) * len({*pde["widths"], pde["width"]})
    assert claims.str.startswith("classic-").sum() == 2 * len(classic["cases"])


def test_paper_numbers_come_from_generated_macros(quick_run):
    macros = (quick_run / "paper/generated/macros.tex").read_text()
    defined = set(re.findall(r"\\newcommand\{\\([A-Za-z]+)\}", macros))
    used = set(re.findall(r"\\([A-Z][A-Za-z]+)", (quick_run / "paper/main.tex").read_text()))
    assert len(defined & used) >= 3
    assert r"\bottomrule" in (quick_run / "paper/generated/condition_numbers.tex").read_text()
    # every selection of the run is counted, those at an end of their grid listed
    selections = int(re.search(r"\\LearningRateSelections\}\{(\d+)\}", macros).group(1))
    searches = [
        "learning_rates.csv",
        "multifrequency_learning_rates.csv",
        "digits_learning_rates.csv",
        "pde_learning_rates.csv",
        "images_learning_rates.csv",
    ]
    keys = {"learning_rate", "seed", "final_error", "status", "chosen", "chosen_rate"}
    expected = 0
    for name in searches:
        table = pd.read_csv(quick_run / "results/tables" / name)
        expected += table.groupby([c for c in table.columns if c not in keys]).ngroups
    assert selections == expected
    edges = (quick_run / "paper/generated/learning_rate_edges.tex").read_text()
    listed = edges.count(r"\\") - 1  # rows below the header
    at_end = int(re.search(r"\\LearningRateEdges\}\{(\d+)\}", macros).group(1))
    assert listed == max(at_end, 1)
    log = (quick_run / "results/logs/build_paper.log").read_text()
    assert "Undefined control sequence" not in log


def test_theory_tables(quick_run):
    steps = pd.read_csv(quick_run / "results/tables/gd_steps.csv")
    theory = yaml.safe_load((quick_run / "config/quick.yaml").read_text())["theory"]
    assert len(steps) == len(theory["activations"]) * (
        len(theory["frequencies"]) + len(theory["modes"])
    )
    finished = steps[~steps["censored"]]
    assert len(finished) >= len(steps) // 2
    assert (finished["relative_difference"] <= 0.05).all()
    decay = pd.read_csv(quick_run / "results/tables/decay_exponents.csv").set_index(
        ["basis", "num_elements"]
    )
    assert -4.6 <= decay.loc[("relu", 128), "exponent"] <= -3.7
    assert -0.3 <= decay.loc[("hat", 128), "exponent"] <= 0.3


def test_second_run_has_nothing_to_do(quick_run):
    result = snakemake(quick_run, "-n", "--cores", "2")
    assert result.returncode == 0, result.stderr
    assert "Nothing to be done" in result.stdout + result.stderr


def test_unknown_activation_stops_before_any_job(repository, tmp_path):
    workdir = copy_workflow(repository, tmp_path)
    (workdir / "bad.yaml").write_text("train:\n  activations: [relu, sigmoid]\n")
    result = snakemake(workdir, "--cores", "1", "--configfile", "config/quick.yaml", "bad.yaml")
    assert result.returncode != 0
    message = result.stdout + result.stderr
    assert "train.activations[1] = 'sigmoid'" in message
    from hatlib.activations import ACTIVATIONS

    assert f"is not one of {list(ACTIVATIONS)}" in message
    assert not (workdir / "results").exists()


def _clone(quick_run: Path, destination: Path) -> Path:
    """A copy of a finished quick run, Snakemake's records included."""
    target = destination / "clone"
    shutil.copytree(quick_run, target, symlinks=True)
    return target


def _planned_jobs(workdir: Path, *arguments: str) -> dict[str, int]:
    """Rule -> job count that a dry run plans."""
    result = snakemake(workdir, *arguments, "-n", "--quiet", "rules", "--cores", "1")
    assert result.returncode == 0, result.stderr[-3000:]
    counts = {}
    for line in (result.stdout + result.stderr).splitlines():
        match = re.fullmatch(r"([a-z_]+)\s+(\d+)", line.strip())
        if match and match.group(1) != "total":
            counts[match.group(1)] = int(match.group(2))
    return counts


def test_editing_one_plot_script_reruns_that_figure_and_the_paper(quick_run, tmp_path):
    clone = _clone(quick_run, tmp_path)
    script = clone / "scripts/plot_gram_spectrum.py"
    script.write_text(script.read_text() + "# edited\n")
    assert _planned_jobs(clone) == {"plot_gram_spectrum": 1, "build_paper": 1, "all": 1}


def test_plotting_only_config_change_retrains_nothing(quick_run, tmp_path):
    clone = _clone(quick_run, tmp_path)
    (clone / "plot.yaml").write_text("fem:\n  spectrum_grids: [32]\n")
    planned = _planned_jobs(clone, "--configfile", "config/quick.yaml", "plot.yaml")
    # The appendix records a hash of the whole configuration, so it is rewritten too.
    assert planned == {
        "plot_gram_spectrum": 1,
        "write_reproducibility_appendix": 1,
        "build_paper": 1,
        "all": 1,
    }


def test_adding_a_frequency_trains_only_the_new_jobs(quick_run, tmp_path):
    clone = _clone(quick_run, tmp_path)
    (clone / "more.yaml").write_text("train:\n  frequencies: [1, 4, 8, 2]\n")
    planned = _planned_jobs(clone, "--configfile", "config/quick.yaml", "more.yaml")
    config = yaml.safe_load((clone / "config/quick.yaml").read_text())["train"]
    models = len(config["activations"]) + len(config["ablation"]["activations"]) * len(
        config["ablation"]["initialisations"]
    )
    assert planned["train_model"] == models * len(config["optimizers"])
    assert "select_learning_rate" not in planned  # selection runs at its own frequency
    assert planned["make_dataset"] == 1
    assert "assemble_gram_spectrum" not in planned and "measure_gd_steps" not in planned


def test_forcerun_of_one_training_job_reruns_it_and_its_downstream_only(quick_run, tmp_path):
    clone = _clone(quick_run, tmp_path)
    target = "results/runs/fem_grid/hat/adam/k4/history.parquet"
    planned = _planned_jobs(clone, "--forcerun", target)
    assert planned["train_model"] == 1
    assert set(planned) == {
        "train_model",
        "aggregate_runs",
        "summarise_runs",
        "evaluate_claims",
        "plot_training_error",
        "plot_initialisation_ablation",
        "write_paper_macros",
        "write_paper_tables",
        "write_reproducibility_appendix",
        "build_paper",
        "all",
    }


def test_same_job_twice_gives_identical_tables(quick_run, tmp_path):
    clone = _clone(quick_run, tmp_path)
    run = clone / "results/runs/fem_grid/relu/sgd/k4"
    before = {name: pd.read_parquet(run / name) for name in ("history.parquet", "spectrum.parquet")}
    result = snakemake(clone, "--forcerun", "train_model", "--until", "train_model", "--cores", "2")
    assert result.returncode == 0, result.stderr[-3000:]
    for name, table in before.items():
        pd.testing.assert_frame_equal(pd.read_parquet(run / name), table, check_exact=True)
    metadata = yaml.safe_load((run / "run.json").read_text())
    assert metadata["model"]["seeds"] == [0, 1]
    assert metadata["environment"]["device"] == "cpu"
    assert metadata["environment"]["versions"]["torch"].startswith("2.")


@pytest.mark.parametrize(
    ("corrupted", "log"),
    [
        ("results/runs/fem_grid/tanh/adam/k1/history.parquet", "results/logs/aggregate_runs.log"),
        ("results/data/sine_k4.parquet", "results/logs/train_model/*_k4.log"),
    ],
)
def test_corrupt_file_fails_naming_it_and_spares_downstream(quick_run, tmp_path, corrupted, log):
    clone = _clone(quick_run, tmp_path)
    paper = (clone / "results/paper.pdf").read_bytes()
    figure = (clone / "results/figures/training_error.pdf").read_bytes()
    path = clone / corrupted
    path.write_bytes(path.read_bytes()[:100])
    result = snakemake(clone, "--cores", "1")
    assert result.returncode != 0
    assert any(corrupted in path.read_text() for path in clone.glob(log))
    assert (clone / "results/paper.pdf").read_bytes() == paper
    assert (clone / "results/figures/training_error.pdf").read_bytes() == figure


def test_killed_training_job_resumes_from_its_checkpoint(quick_run, tmp_path):
    import time

    clone = _clone(quick_run, tmp_path)
    (clone / "long.yaml").write_text("train:\n  iterations: 40000\n  checkpoint_every: 2000\n")
    target = "results/runs/fem_grid/hat/sgd/k1/history.parquet"
    arguments = [
        SNAKEMAKE,
        target,
        "--cores",
        "1",
        "--configfile",
        "config/quick.yaml",
        "long.yaml",
    ]
    local = {**os.environ, "SLURM_CONF": str(NO_CLUSTER)}  # no cluster: no wait for one
    job = subprocess.Popen(
        arguments, cwd=clone, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=local
    )
    checkpoint = clone / "results/checkpoints/fem_grid_hat_sgd_k1.pt"
    deadline = time.monotonic() + 300
    while not checkpoint.exists() and time.monotonic() < deadline and job.poll() is None:
        time.sleep(0.05)
    assert checkpoint.exists(), "no checkpoint was written"
    import psutil

    training = [
        child
        for child in psutil.Process(job.pid).children(recursive=True)
        if any("train_model.py" in part for part in child.cmdline())
    ]
    assert training, "the training job is not running"
    for child in training:
        child.kill()  # SIGKILL, by PID
    job.communicate(timeout=120)
    assert job.returncode != 0
    assert not (clone / target).exists()  # nothing Snakemake would take as complete
    assert checkpoint.exists()

    resumed = subprocess.run(
        arguments, cwd=clone, capture_output=True, text=True, timeout=600, env=local
    )
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    log = (clone / "results/logs/train_model/fem_grid_hat_sgd_k1.log").read_text()
    assert "resumed from checkpoint" in log
    assert not checkpoint.exists()
    history = pd.read_parquet(clone / target)
    assert history["step"].max() == 40000


def test_two_paper_builds_are_byte_identical(quick_run, tmp_path):
    clone = _clone(quick_run, tmp_path)
    builds = []
    for _ in range(2):
        result = snakemake(clone, "--forcerun", "build_paper", "--cores", "1")
        assert result.returncode == 0, result.stderr[-3000:]
        builds.append((clone / "results/paper.pdf").read_bytes())
    assert builds[0] == builds[1]


def test_html_report(quick_run, tmp_path):
    clone = _clone(quick_run, tmp_path)
    result = snakemake(clone, "--report", "results/report.html", "--cores", "1")
    assert result.returncode == 0, result.stderr[-3000:]
    report = (clone / "results/report.html").read_text()
    assert "gram_spectrum.pdf" in report and "gd_steps.pdf" in report
    for item in ("claims.csv", "checks.csv", "learning_time_exponents.csv", "speedups.csv"):
        assert item in report, item
    assert "condition_numbers.csv" in report and "paper.pdf" in report


def test_local_cuda_training_jobs_share_the_gpu_by_slots(repository, tmp_path):
    workdir = copy_workflow(repository, tmp_path)
    result = snakemake(workdir, "-n", "--cores", "2", "--config", "device=cuda")
    assert result.returncode == 0, result.stderr[-3000:]
    rules = re.findall(r"^(?:local)?rule (\w+):\n(?:.*\n)*?\s+resources: (.*)$",
                       result.stdout, re.MULTILINE)  # fmt: skip
    gpu_rules = ("train_model", "train_multifrequency", "train_digits", "train_classic")
    gpu_rules += ("select_learning_rate", "solve_pde")
    training = [resources for rule, resources in rules if rule in gpu_rules]
    assert len({rule for rule, _ in rules if rule in gpu_rules}) == len(gpu_rules)
    for resources in training:
        # locally a slot of the shared GPU, never a whole one (that is for cluster jobs)
        assert "gpu_slots=1" in resources and "gpu=0" in resources, resources
    profile = yaml.safe_load((repository / "profiles/default/config.yaml").read_text())
    assert profile["resources"]["gpu_slots"] >= 1 and "gpu" not in profile["resources"]


TRAINING_RULES = ("train_model", "select_learning_rate", "train_multifrequency", "train_digits")
TRAINING_RULES += ("train_classic", "solve_pde", "train_images")


def _planned_with(quick_run, tmp_path, edit: str) -> dict[str, int]:
    """Rule -> job count a dry run plans on a finished quick run after a config edit."""
    clone = _clone(quick_run, tmp_path)
    (clone / "edit.yaml").write_text(edit)
    return _planned_jobs(clone, "--configfile", "config/quick.yaml", "edit.yaml")


def _training(planned: dict[str, int]) -> dict[str, int]:
    return {rule: n for rule, n in planned.items() if rule in TRAINING_RULES}


def test_edits_that_no_training_reads_retrain_nothing(quick_run, tmp_path):
    edit = {
        "classic": {"thresholds": [0.4, 0.9]},  # the lower threshold: analysis only
        "pde": {"tolerance": 0.2},
        "claims": {"speedup": 3.0},
        "device": "cpu",  # run.json says where each job ran; --forcerun retrains
    }
    assert _training(_planned_with(quick_run, tmp_path, yaml.safe_dump(edit))) == {}


def test_adding_models_cases_and_activations_trains_only_their_jobs(quick_run, tmp_path):
    config = yaml.safe_load((quick_run / "config/quick.yaml").read_text())
    classic, multi = config["classic"], config["multifrequency"]
    edit = {
        "classic": {"cases": {**classic["cases"], "decreasing": [1.0, 0.75, 0.5, 0.25]}},
        "multifrequency": {"activations": [*multi["activations"], "bspline2"]},
        "images": {"learning_rates": {**config["images"]["learning_rates"], "adam": [0.001]}},
    }
    assert _training(_planned_with(quick_run, tmp_path, yaml.safe_dump(edit))) == {
        "train_classic": len(classic["models"]),  # the new case of every model
        "train_multifrequency": 4,  # shallow and deep, 1-D and 2-D
        "train_images": len(config["images"]["activations"]),  # Adam's runs only
    }
    models = [*classic["models"], {"activation": "tanh", "initialisation": "fem_deep"}]
    edit = {
        "classic": {"models": models},
        "multifrequency": {"alternatives": {**multi["alternatives"], "siren": {
            **multi["alternatives"]["siren"], "omega0": 20.0}}},
        "pde": {"widths": [8, 16]},
        "digits": {"iterations": 250},
    }  # fmt: skip
    assert _training(_planned_with(quick_run, tmp_path / "b", yaml.safe_dump(edit))) == {
        "train_classic": len(classic["cases"]),  # the new model in every case
        "train_multifrequency": 2,  # SIREN, 1-D and 2-D
        "solve_pde": len(config["pde"]["activations"]),
        "train_digits": len(config["digits"]["activations"]),
    }


def test_training_keys_retrain_exactly_the_jobs_that_read_them(quick_run, tmp_path):
    config = yaml.safe_load((quick_run / "config/quick.yaml").read_text())
    classic, multi = config["classic"], config["multifrequency"]
    edit = {
        "classic": {"learning_rate": 0.001},
        # the 2-D ridge grid: only the 2-D FEM-like networks (shallow, deep)
        "multifrequency": {"two_d": {**multi["two_d"], "directions": [[1, 0], [0, 1]]}},
    }
    assert _training(_planned_with(quick_run, tmp_path, yaml.safe_dump(edit))) == {
        "train_classic": len(classic["models"]) * len(classic["cases"]),
        "train_multifrequency": 2 * len(multi["activations"]),
    }


def test_appendix_times_every_rule_by_its_name(quick_run):
    from hatlib.io import benchmark_rule

    text = (quick_run / "paper/generated/reproducibility.tex").read_text()
    timing = text.split(r"\bigskip")[1]
    rows = [line.split("&")[0].strip().replace(r"\_", "_") for line in timing.splitlines()]
    named = {row for row in rows if re.fullmatch(r"[a-z_]+", row)} - {"rule", "all"}
    files = (quick_run / "results/benchmarks").rglob("*.tsv")
    assert named == {benchmark_rule(path) for path in files}
    assert {"train_classic", "train_model", "build_kernel"} <= named
    assert not named & {"relu", "hat", "equal", "increasing", "fem_deep"}

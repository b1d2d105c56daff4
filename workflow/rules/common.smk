# Configuration validation, the experiment grid and input functions.
import shutil
import sys

import yaml

from hatlib.config import validate_config

with open(workflow.source_path("../schemas/config.schema.yaml")) as schema:
    for warning in validate_config(config, yaml.safe_load(schema)):
        print(f"hatpaper config warning: {warning}", file=sys.stderr)

TRAIN = config["train"]
SEEDS = list(range(TRAIN["seeds"]))
# Training asks for a GPU only when it will use one: device cuda, or auto where a
# driver is installed (the job itself falls back to the CPU if none is visible).
TRAIN_GPUS = int(
    config["device"] == "cuda"
    or (config["device"] == "auto" and shutil.which("nvidia-smi") is not None)
)


wildcard_constraints:
    activation=r"[a-z][a-z0-9_]*",
    optimizer=r"[a-z]+",
    frequency=r"\d+",
    basis=r"[a-z][a-z0-9_]*",
    num_elements=r"\d+",
    mesh_ratio=r"\d+",
    target=r"(sine|mode)\d+",


RUN_DIR = "results/runs/{activation}/{optimizer}/k{frequency}"


def run_files(name):
    """One path per activation x optimizer x frequency (every seed trains in one job)."""
    return expand(
        f"{RUN_DIR}/{name}",
        activation=TRAIN["activations"],
        optimizer=TRAIN["optimizers"],
        frequency=TRAIN["frequencies"],
    )


FEM = config["fem"]
THEORY = config["theory"]
FEM_DIR = "results/fem/{basis}/r{mesh_ratio}/n{num_elements}"


def fem_jobs(pattern):
    """``pattern`` filled for every FEM basis on every uniform and every graded grid."""
    uniform = expand(pattern, basis=FEM["bases"], mesh_ratio=1, num_elements=FEM["grid_sizes"])
    graded = expand(
        pattern,
        basis=FEM["bases"],
        mesh_ratio=[ratio for ratio in FEM["mesh_ratios"] if ratio != 1],
        num_elements=FEM["graded_elements"],
    )
    return uniform + graded


def spectrum_files(name):
    """One file per FEM basis on every uniform grid and every graded grid."""
    return fem_jobs(f"{FEM_DIR}/{name}")


def eigenfunction_files():
    """The eigenfunctions shown in the eigenfunction figure (ReLU and Hat)."""
    return expand(
        f"{FEM_DIR}/eigenfunctions.parquet",
        basis=[basis for basis in ("relu", "hat") if basis in FEM["bases"]],
        mesh_ratio=1,
        num_elements=FEM["eigenfunction_grid"],
    )


THEORY_TARGETS = [f"sine{k}" for k in THEORY["frequencies"]]
THEORY_TARGETS += [f"mode{j}" for j in THEORY["modes"]]


def theory_setup(wildcards):
    """The fixed-feature gradient-descent experiment of one activation."""
    return {
        "activation": wildcards.activation,
        "width": THEORY["width"],
        "num_points": THEORY["num_points"],
        "reduction": THEORY["reduction"],
        "max_steps": THEORY["max_steps"],
    }


def model_params(wildcards):
    """The networks one training job builds, one per seed."""
    return {
        "activation": wildcards.activation,
        "width": TRAIN["width"],
        "initialisation": TRAIN["initialisation"],
        "seeds": SEEDS,
        "dtype": TRAIN["dtype"],
    }


def training_params(wildcards):
    """How one training job trains (only the learning rate of its own activation)."""
    return {
        "optimizer": wildcards.optimizer,
        "learning_rate": TRAIN["learning_rates"][wildcards.activation][wildcards.optimizer],
        "iterations": TRAIN["iterations"],
        "log_every": TRAIN["log_every"],
        "trainable": TRAIN["trainable"],
        "stop_below": TRAIN["stop_below"],
    }


def benchmark_files():
    """The benchmark file of every training, FEM and theory job."""
    training = expand(
        "results/benchmarks/train_model/{activation}_{optimizer}_k{frequency}.tsv",
        activation=TRAIN["activations"],
        optimizer=TRAIN["optimizers"],
        frequency=TRAIN["frequencies"],
    )
    fem = fem_jobs(
        "results/benchmarks/assemble_gram_spectrum/{basis}_r{mesh_ratio}_n{num_elements}.tsv"
    )
    theory = expand(
        "results/benchmarks/measure_gd_steps/{activation}_{target}.tsv",
        activation=THEORY["activations"],
        target=THEORY_TARGETS,
    )
    return training + fem + theory

# Configuration validation, the experiment grid and input functions.
import sys

from snakemake.utils import validate

from hatlib.config import check_config

validate(config, "../schemas/config.schema.yaml")
for warning in check_config(config):
    print(f"hatpaper config warning: {warning}", file=sys.stderr)

TRAIN = config["train"]
SEEDS = list(range(TRAIN["seeds"]))


wildcard_constraints:
    activation=r"[a-z][a-z0-9_]*",
    optimizer=r"[a-z]+",
    frequency=r"\d+",
    seed=r"\d+",
    basis=r"[a-z][a-z0-9_]*",
    num_elements=r"\d+",


RUN_DIR = "results/runs/{activation}/{optimizer}/k{frequency}/seed{seed}"


def run_files(name):
    """One path per activation x optimizer x frequency x seed of the grid."""
    return expand(
        f"{RUN_DIR}/{name}",
        activation=TRAIN["activations"],
        optimizer=TRAIN["optimizers"],
        frequency=TRAIN["frequencies"],
        seed=SEEDS,
    )


def spectrum_files():
    """One eigenvalue table per FEM basis x grid size."""
    return expand(
        "results/fem/{basis}/n{num_elements}.parquet",
        basis=config["fem"]["bases"],
        num_elements=config["fem"]["grid_sizes"],
    )


def model_params(wildcards):
    """The network one training job builds."""
    return {
        "activation": wildcards.activation,
        "width": TRAIN["width"],
        "initialisation": TRAIN["initialisation"],
        "seed": int(wildcards.seed),
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

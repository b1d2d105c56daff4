# Stage 3: the theory. Exact finite element Gram matrices and their modes, and
# gradient-descent steps predicted from them against steps measured in training.


rule assemble_gram_spectrum:
    output:
        modes=f"{FEM_DIR}/modes.parquet",
        eigenfunctions=f"{FEM_DIR}/eigenfunctions.parquet",
    params:
        seed=FEM["seed"],
        eigenfunction_modes=FEM["eigenfunction_modes"],
    log:
        "results/logs/assemble_gram_spectrum/{basis}_r{mesh_ratio}_n{num_elements}.log",
    benchmark:
        "results/benchmarks/assemble_gram_spectrum/{basis}_r{mesh_ratio}_n{num_elements}.tsv"
    conda:
        "../envs/hatpaper.yaml"
    script:
        "../../scripts/assemble_gram_spectrum.py"


rule predict_gd_steps:
    output:
        "results/theory/{activation}/predicted_steps.csv",
    params:
        setup=theory_setup,
        targets=THEORY_TARGETS,
    log:
        "results/logs/predict_gd_steps/{activation}.log",
    benchmark:
        "results/benchmarks/predict_gd_steps/{activation}.tsv"
    conda:
        "../envs/hatpaper.yaml"
    script:
        "../../scripts/predict_gd_steps.py"


# One job per activation measures every target: each takes well under a second, less than
# the process start and PyTorch import a job of its own would cost.
rule measure_gd_steps:
    input:
        kernel=ancient(KERNEL_BUILD),
    output:
        expand("results/theory/{{activation}}/measured/{target}.json", target=THEORY_TARGETS),
    params:
        setup=theory_setup,
        targets=THEORY_TARGETS,
    threads: 1
    log:
        "results/logs/measure_gd_steps/{activation}.log",
    benchmark:
        "results/benchmarks/measure_gd_steps/{activation}.tsv"
    conda:
        "../envs/hatpaper.yaml"
    script:
        "../../scripts/measure_gd_steps.py"


rule describe_first_layer:
    output:
        table="results/tables/first_layer_2d.csv",
        spectrum="results/tables/first_layer_2d_spectrum.csv",
    params:
        two_d=MULTI["two_d"],
        activations=MULTI["activations"],
        phase_seed=MULTI["phase_seed"],
        reduction=THEORY["reduction"],
    log:
        "results/logs/describe_first_layer.log",
    benchmark:
        "results/benchmarks/describe_first_layer.tsv"
    conda:
        "../envs/hatpaper.yaml"
    script:
        "../../scripts/describe_first_layer.py"

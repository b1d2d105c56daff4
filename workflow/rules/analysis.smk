# Stage 4: tidy tables under results/tables/.


rule aggregate_runs:
    input:
        histories=run_files("history.parquet"),
        spectra=run_files("spectrum.parquet"),
        metadata=run_files("run.json"),
    output:
        history="results/tables/training_history.parquet",
        spectrum="results/tables/training_spectrum.parquet",
    log:
        "results/logs/aggregate_runs.log",
    conda:
        "../envs/hatpaper.yaml"
    script:
        "../../scripts/aggregate_runs.py"


rule summarise_runs:
    input:
        history="results/tables/training_history.parquet",
    output:
        summary="results/tables/run_summary.csv",
        exponents="results/tables/learning_time_exponents.csv",
    params:
        tolerance=config["analysis"]["tolerance"],
    log:
        "results/logs/summarise_runs.log",
    conda:
        "../envs/hatpaper.yaml"
    script:
        "../../scripts/summarise_runs.py"


rule aggregate_gram_spectra:
    input:
        spectrum_files("modes.parquet"),
    output:
        spectra="results/tables/gram_spectra.parquet",
        condition_numbers="results/tables/condition_numbers.csv",
        decay_exponents="results/tables/decay_exponents.csv",
    log:
        "results/logs/aggregate_gram_spectra.log",
    conda:
        "../envs/hatpaper.yaml"
    script:
        "../../scripts/aggregate_gram_spectra.py"


rule compare_gd_steps:
    input:
        predicted=expand(
            "results/theory/{activation}/predicted_steps.csv",
            activation=THEORY["activations"],
        ),
        measured=expand(
            "results/theory/{activation}/measured/{target}.json",
            activation=THEORY["activations"],
            target=THEORY_TARGETS,
        ),
    output:
        "results/tables/gd_steps.csv",
    log:
        "results/logs/compare_gd_steps.log",
    conda:
        "../envs/hatpaper.yaml"
    script:
        "../../scripts/compare_gd_steps.py"

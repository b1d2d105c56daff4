# Stage 5: one rule and one script per figure (vector PDF).


rule plot_gram_spectrum:
    input:
        "results/tables/gram_spectra.parquet",
    output:
        report(
            "results/figures/gram_spectrum.pdf",
            caption="../report/gram_spectrum.rst",
            category="Theory",
        ),
    params:
        grids=FEM["spectrum_grids"],
    log:
        "results/logs/plot_gram_spectrum.log",
    conda:
        "../envs/hatpaper.yaml"
    script:
        "../../scripts/plot_gram_spectrum.py"


rule plot_condition_number:
    input:
        "results/tables/condition_numbers.csv",
    output:
        report(
            "results/figures/condition_number.pdf",
            caption="../report/condition_number.rst",
            category="Theory",
        ),
    log:
        "results/logs/plot_condition_number.log",
    conda:
        "../envs/hatpaper.yaml"
    script:
        "../../scripts/plot_condition_number.py"


rule plot_eigenfunctions:
    input:
        eigenfunction_files(),
    output:
        report(
            "results/figures/eigenfunctions.pdf",
            caption="../report/eigenfunctions.rst",
            category="Theory",
        ),
    log:
        "results/logs/plot_eigenfunctions.log",
    conda:
        "../envs/hatpaper.yaml"
    script:
        "../../scripts/plot_eigenfunctions.py"


rule plot_gd_steps:
    input:
        "results/tables/gd_steps.csv",
    output:
        report(
            "results/figures/gd_steps.pdf",
            caption="../report/gd_steps.rst",
            category="Theory",
        ),
    log:
        "results/logs/plot_gd_steps.log",
    conda:
        "../envs/hatpaper.yaml"
    script:
        "../../scripts/plot_gd_steps.py"


rule plot_training_error:
    input:
        "results/tables/training_history.parquet",
    output:
        report(
            "results/figures/training_error.pdf",
            caption="../report/training_error.rst",
            category="Training",
        ),
    log:
        "results/logs/plot_training_error.log",
    conda:
        "../envs/hatpaper.yaml"
    script:
        "../../scripts/plot_training_error.py"

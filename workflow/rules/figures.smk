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
    log:
        "results/logs/plot_gram_spectrum.log",
    conda:
        "../envs/hatpaper.yaml"
    script:
        "../../scripts/plot_gram_spectrum.py"


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

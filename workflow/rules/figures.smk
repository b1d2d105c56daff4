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
    params:
        initialisation=TRAIN["initialisation"],
    log:
        "results/logs/plot_training_error.log",
    conda:
        "../envs/hatpaper.yaml"
    script:
        "../../scripts/plot_training_error.py"


rule plot_frequency_heatmaps:
    input:
        "results/tables/multifrequency_spectrum.parquet",
    output:
        report(
            "results/figures/heatmap_{dimension}d.pdf",
            caption="../report/heatmap.rst",
            category="Multi-frequency",
        ),
    params:
        settings=lambda w: [f"{w.dimension}d-shallow", f"{w.dimension}d-deep"],
    log:
        "results/logs/plot_frequency_heatmaps/{dimension}d.log",
    conda:
        "../envs/hatpaper.yaml"
    script:
        "../../scripts/plot_frequency_heatmaps.py"


rule plot_digits:
    input:
        "results/tables/digits_components.parquet",
    output:
        report(
            "results/figures/digits.pdf",
            caption="../report/digits.rst",
            category="Digits",
        ),
    log:
        "results/logs/plot_digits.log",
    conda:
        "../envs/hatpaper.yaml"
    script:
        "../../scripts/plot_digits.py"


rule plot_initialisation_ablation:
    input:
        "results/tables/run_summary.csv",
    output:
        report(
            "results/figures/initialisation_ablation.pdf",
            caption="../report/initialisation_ablation.rst",
            category="Training",
        ),
    params:
        initialisation=TRAIN["initialisation"],
    log:
        "results/logs/plot_initialisation_ablation.log",
    conda:
        "../envs/hatpaper.yaml"
    script:
        "../../scripts/plot_initialisation_ablation.py"


rule plot_alternatives:
    input:
        "results/tables/multifrequency_spectrum.parquet",
    output:
        report(
            "results/figures/alternatives_{dimension}d.pdf",
            caption="../report/alternatives.rst",
            category="Multi-frequency",
        ),
    params:
        methods=lambda w: [
            (f"{w.dimension}d-shallow", "relu", "ReLU, shallow"),
            (f"{w.dimension}d-shallow", "hat", "Hat, shallow"),
            (f"{w.dimension}d-deep", "hat", "Hat, deep"),
            (f"{w.dimension}d-fourier", "relu", "Fourier features"),
            (f"{w.dimension}d-siren", "sine", "SIREN"),
        ],
    log:
        "results/logs/plot_alternatives/{dimension}d.log",
    conda:
        "../envs/hatpaper.yaml"
    script:
        "../../scripts/plot_alternatives.py"


rule plot_classic:
    input:
        "results/tables/classic_spectrum.parquet",
    output:
        report(
            "results/figures/classic_heatmaps.pdf",
            caption="../report/classic.rst",
            category="Classic protocol",
        ),
    log:
        "results/logs/plot_classic.log",
    conda:
        "../envs/hatpaper.yaml"
    script:
        "../../scripts/plot_classic.py"


rule plot_pde:
    input:
        modes="results/tables/pde_modes.parquet",
        widths="results/tables/pde_widths.csv",
    output:
        modes=report(
            "results/figures/pde_modes.pdf", caption="../report/pde.rst", category="PDE"
        ),
        widths=report(
            "results/figures/pde_widths.pdf", caption="../report/pde.rst", category="PDE"
        ),
    log:
        "results/logs/plot_pde.log",
    conda:
        "../envs/hatpaper.yaml"
    script:
        "../../scripts/plot_pde.py"


rule plot_images:
    input:
        "results/tables/images_curves.parquet",
    output:
        report(
            "results/figures/images.pdf",
            caption="../report/mnist.rst",
            category="Images",
        ),
    log:
        "results/logs/plot_images.log",
    conda:
        "../envs/hatpaper.yaml"
    script:
        "../../scripts/plot_images.py"

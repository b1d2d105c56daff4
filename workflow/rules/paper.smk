# Every learning-rate selection's search table, by experiment (the paper lists the choices
# that are an end of their grid).
LEARNING_RATE_SEARCHES = {
    "search_single": "results/tables/learning_rates.csv",
    "search_multi": "results/tables/multifrequency_learning_rates.csv",
    "search_digits": "results/tables/digits_learning_rates.csv",
    "search_pde": "results/tables/pde_learning_rates.csv",
    "search_images": "results/tables/images_learning_rates.csv",
}


# Stage 6: generated macros and tables, then the LaTeX build.


rule write_paper_macros:
    input:
        summary="results/tables/run_summary.csv",
        exponents="results/tables/learning_time_exponents.csv",
        condition_numbers="results/tables/condition_numbers.csv",
        decay_exponents="results/tables/decay_exponents.csv",
        gd_steps="results/tables/gd_steps.csv",
        claims="results/claims.csv",
        checks="results/checks.csv",
        pde_exponents="results/tables/pde_exponents.csv",
        accuracy="results/tables/digits_accuracy.csv",
        speedups="results/tables/speedups.csv",
        pde="results/tables/pde_summary.csv",
        classic="results/tables/classic_learning.csv",
        conditioning="results/tables/pde_conditioning.csv",
        first_layer="results/tables/first_layer_2d.csv",
        digits_split="results/data/digits_split.json",
        images="results/tables/images_difference.csv",
        **LEARNING_RATE_SEARCHES,
    output:
        "paper/generated/macros.tex",
    params:
        train=config["train"],
        data=config["data"],
        tolerance=config["analysis"]["tolerance"],
        initialisation=TRAIN["initialisation"],
        multifrequency=MULTI,
        digits=DIGITS,
        images=IMAGES,
        classic=CLASSIC,
        pde=PDE,
        claims=config["claims"],
    log:
        "results/logs/write_paper_macros.log",
    conda:
        "../envs/hatpaper.yaml"
    script:
        "../../scripts/write_paper_macros.py"


rule write_paper_tables:
    input:
        summary="results/tables/run_summary.csv",
        condition_numbers="results/tables/condition_numbers.csv",
        speedups="results/tables/speedups.csv",
        claims="results/claims.csv",
        checks="results/checks.csv",
        comparison="results/tables/multifrequency_comparison.csv",
        classic="results/tables/classic_learning.csv",
        pde="results/tables/pde_summary.csv",
        first_layer="results/tables/first_layer_2d.csv",
        **LEARNING_RATE_SEARCHES,
    output:
        condition_numbers="paper/generated/condition_numbers.tex",
        mesh_ratios="paper/generated/mesh_ratios.tex",
        learning_times="paper/generated/learning_times.tex",
        speedups="paper/generated/speedups.tex",
        claims="paper/generated/claims.tex",
        checks="paper/generated/checks.tex",
        comparison="paper/generated/alternatives.tex",
        classic="paper/generated/classic.tex",
        pde="paper/generated/pde.tex",
        edges="paper/generated/learning_rate_edges.tex",
        first_layer="paper/generated/first_layer.tex",
    params:
        initialisation=TRAIN["initialisation"],
    log:
        "results/logs/write_paper_tables.log",
    conda:
        "../envs/hatpaper.yaml"
    script:
        "../../scripts/write_paper_tables.py"


rule write_methods_table:
    input:
        learning_rates="results/tables/learning_rates.csv",
    output:
        "paper/generated/methods.tex",
    params:
        data=config["data"],
        train=config["train"],
        theory=config["theory"],
        # the grids that are computed; the ones only plotted do not change the methods
        fem={
            key: FEM[key] for key in ("bases", "grid_sizes", "mesh_ratios", "graded_elements")
        },
        tolerance=config["analysis"]["tolerance"],
        grid=config["learning_rate_grid"],
        multifrequency=MULTI,
        digits=DIGITS,
        classic=CLASSIC,
        pde=PDE,
    log:
        "results/logs/write_methods_table.log",
    conda:
        "../envs/hatpaper.yaml"
    script:
        "../../scripts/write_methods_table.py"


rule write_reproducibility_appendix:
    input:
        metadata=run_files("run.json"),
        benchmarks=benchmark_files(),
    output:
        "paper/generated/reproducibility.tex",
    params:
        config=config,
    log:
        "results/logs/write_reproducibility_appendix.log",
    conda:
        "../envs/hatpaper.yaml"
    script:
        "../../scripts/write_reproducibility_appendix.py"


rule build_paper:
    input:
        tex="paper/main.tex",
        bib="paper/references.bib",
        macros="paper/generated/macros.tex",
        tables=rules.write_paper_tables.output,
        methods="paper/generated/methods.tex",
        appendix="paper/generated/reproducibility.tex",
        figures=[
            "results/figures/gram_spectrum.pdf",
            "results/figures/condition_number.pdf",
            "results/figures/eigenfunctions.pdf",
            "results/figures/gd_steps.pdf",
            "results/figures/training_error.pdf",
            "results/figures/initialisation_ablation.pdf",
            "results/figures/heatmap_1d.pdf",
            "results/figures/heatmap_2d.pdf",
            "results/figures/digits.pdf",
            "results/figures/images.pdf",
            "results/figures/alternatives_1d.pdf",
            "results/figures/alternatives_2d.pdf",
            "results/figures/classic_heatmaps.pdf",
            "results/figures/pde_modes.pdf",
            "results/figures/pde_widths.pdf",
        ],
    output:
        report("results/paper.pdf", caption="../report/paper.rst", category="Paper"),
    params:
        build_dir="results/paper_build",
    log:
        "results/logs/build_paper.log",
    conda:
        "../envs/hatpaper.yaml"
    shell:
        # SOURCE_DATE_EPOCH makes two builds of the same sources byte-identical.
        """
        export SOURCE_DATE_EPOCH=0 FORCE_SOURCE_DATE=1
        latexmk -pdf -cd -interaction=nonstopmode -halt-on-error \
            -outdir="$PWD/{params.build_dir}" {input.tex} > {log} 2>&1
        cp {params.build_dir}/main.pdf {output}.tmp
        mv {output}.tmp {output}
        """

# hatpaper: reproduce "On the Activation Function Dependence of the Spectral Bias
# of Neural Networks" (Hong, Siegel, Tan, Xu, 2022) from nothing.
#
#   snakemake --cores all                               full reproduction
#   snakemake --cores 2 --configfile config/quick.yaml  smoke scale
#
# Stages: data -> train -> fem -> analysis -> figures -> paper (results/paper.pdf).


configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/fem.smk"
include: "workflow/rules/analysis.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/paper.smk"


rule all:
    input:
        "results/paper.pdf",
    default_target: True


# Cheap rules run where Snakemake runs, also on a cluster (profiles/slurm).
localrules:
    all,
    aggregate_runs,
    summarise_runs,
    aggregate_learning_rates,
    aggregate_multifrequency,
    aggregate_digits,
    aggregate_images,
    aggregate_classic,
    aggregate_pde,
    aggregate_gram_spectra,
    describe_first_layer,
    split_digits,
    compare_gd_steps,
    evaluate_claims,
    plot_gram_spectrum,
    plot_condition_number,
    plot_eigenfunctions,
    plot_gd_steps,
    plot_training_error,
    plot_frequency_heatmaps,
    plot_digits,
    plot_images,
    plot_initialisation_ablation,
    plot_alternatives,
    plot_classic,
    plot_pde,
    write_paper_macros,
    write_paper_tables,
    write_methods_table,
    write_reproducibility_appendix,
    build_paper,

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

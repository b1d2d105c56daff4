"""Write the paper's generated tables (booktabs tabular environments)."""

from hatlib.io import read_table, write_text
from hatlib.paper import (
    SEARCH_EXPERIMENTS,
    classic_table,
    comparison_table,
    condition_number_table,
    edge_table,
    learning_rate_edges,
    learning_time_table,
    mesh_ratio_table,
    pde_table,
    speedup_table,
)
from hatlib.paper_claims import checks_latex_table, claims_latex_table
from hatlib.paper_experiments import first_layer_latex_table
from hatlib.runtime import setup_logging, use_threads

setup_logging(snakemake.log[0])
use_threads(snakemake.threads)
kappa = read_table(snakemake.input.condition_numbers)
write_text(condition_number_table(kappa), snakemake.output.condition_numbers)
write_text(mesh_ratio_table(kappa), snakemake.output.mesh_ratios)
summary = read_table(snakemake.input.summary)
summary = summary[summary["initialisation"] == snakemake.params.initialisation]
write_text(learning_time_table(summary), snakemake.output.learning_times)
write_text(speedup_table(read_table(snakemake.input.speedups)), snakemake.output.speedups)
write_text(claims_latex_table(read_table(snakemake.input.claims)), snakemake.output.claims)
write_text(checks_latex_table(read_table(snakemake.input.checks)), snakemake.output.checks)
write_text(comparison_table(read_table(snakemake.input.comparison)), snakemake.output.comparison)
write_text(classic_table(read_table(snakemake.input.classic)), snakemake.output.classic)
write_text(pde_table(read_table(snakemake.input.pde)), snakemake.output.pde)
edges = learning_rate_edges(
    {name: read_table(snakemake.input[key]) for key, name in SEARCH_EXPERIMENTS.items()}
)
write_text(edge_table(edges), snakemake.output.edges)
write_text(
    first_layer_latex_table(read_table(snakemake.input.first_layer)), snakemake.output.first_layer
)

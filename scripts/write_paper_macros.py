"""Write every number the paper's text quotes as a LaTeX macro."""

from hatlib.io import read_json, read_table, write_text
from hatlib.latex import macro_file
from hatlib.paper import (
    SEARCH_EXPERIMENTS,
    beyond_macros,
    condition_number_macros,
    decay_macros,
    digits_macros,
    edge_macros,
    experiment_macros,
    exponent_macros,
    final_error_macros,
    gd_step_macros,
    learning_rate_edges,
    setup_macros,
    speedup_macros,
)
from hatlib.paper_claims import claims_macros, sentence_macros, test_macros
from hatlib.paper_experiments import digits_split_macros, first_layer_macros, images_macros
from hatlib.runtime import setup_logging, use_threads

log = setup_logging(snakemake.log[0])
use_threads(snakemake.threads)
summary = read_table(snakemake.input.summary)
main = summary[summary["initialisation"] == snakemake.params.initialisation]
edges = learning_rate_edges(
    {name: read_table(snakemake.input[key]) for key, name in SEARCH_EXPERIMENTS.items()}
)
for row in edges[edges["position"] != "inside"].itertuples():
    log.warning(
        "%s, %s, %s: the chosen rate %g is the %s of %d candidates",
        row.experiment,
        row.model,
        row.optimizer,
        row.learning_rate,
        row.position,
        row.candidates,
    )
macros = {
    **edge_macros(edges),
    **setup_macros(snakemake.params.train, snakemake.params.data, snakemake.params.tolerance),
    **condition_number_macros(read_table(snakemake.input.condition_numbers)),
    **decay_macros(read_table(snakemake.input.decay_exponents)),
    **gd_step_macros(read_table(snakemake.input.gd_steps)),
    **exponent_macros(read_table(snakemake.input.exponents)),
    **final_error_macros(main),
    **claims_macros(read_table(snakemake.input.claims), read_table(snakemake.input.checks)),
    **test_macros(snakemake.params.claims),
    **sentence_macros(
        read_table(snakemake.input.gd_steps),
        read_table(snakemake.input.pde_exponents),
        read_table(snakemake.input.exponents),
    ),
    **digits_macros(read_table(snakemake.input.accuracy)),
    **first_layer_macros(read_table(snakemake.input.first_layer)),
    **digits_split_macros(read_json(snakemake.input.digits_split)),
    **images_macros(snakemake.params.images, read_table(snakemake.input.images)),
    **speedup_macros(read_table(snakemake.input.speedups)),
    **experiment_macros(
        snakemake.params.train, snakemake.params.multifrequency, snakemake.params.digits
    ),
    **beyond_macros(
        snakemake.params.classic,
        snakemake.params.pde,
        snakemake.params.multifrequency,
        read_table(snakemake.input.pde),
        read_table(snakemake.input.classic),
        read_table(snakemake.input.conditioning),
    ),
}
write_text(macro_file(macros), snakemake.output[0])
log.info("wrote %d macros", len(macros))

"""What the frozen 2-D first layer can fit and how fast, per activation, before any training."""

from hatlib.runtime import setup_logging, use_threads

log = setup_logging(snakemake.log[0])
use_threads(snakemake.threads)

from hatlib.experiments.multifrequency import first_layer_spectrum, first_layer_table  # noqa: E402
from hatlib.io import write_table  # noqa: E402

table = first_layer_table(
    snakemake.params.two_d,
    snakemake.params.activations,
    snakemake.params.phase_seed,
    snakemake.params.reduction,
)
write_table(table, snakemake.output.table)
write_table(
    first_layer_spectrum(snakemake.params.two_d, snakemake.params.activations),
    snakemake.output.spectrum,
)
log.info("first layer:\n%s", table.to_string())

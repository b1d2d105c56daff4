"""Sample the multi-frequency target of one dimension on its uniform grid."""

from hatlib.io import write_table
from hatlib.runtime import setup_logging, use_threads
from hatlib.targets import multifrequency_dataset

log = setup_logging(snakemake.log[0])
use_threads(snakemake.threads)
data = multifrequency_dataset(snakemake.params.grid, snakemake.params.phase_seed)
write_table(data, snakemake.output[0])
log.info("wrote %d samples to %s", len(data), snakemake.output[0])

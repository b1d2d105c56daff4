"""Sample the target sin(2 pi k x) on the uniform grid of [0, 1)."""

from hatlib.io import write_table
from hatlib.runtime import setup_logging, use_threads
from hatlib.targets import sine_dataset

log = setup_logging(snakemake.log[0])
use_threads(snakemake.threads)
frequency = int(snakemake.wildcards.frequency)
data = sine_dataset(frequency, snakemake.params.num_points)
write_table(data, snakemake.output[0])
log.info("wrote %d samples of sin(2 pi %d x) to %s", len(data), frequency, snakemake.output[0])

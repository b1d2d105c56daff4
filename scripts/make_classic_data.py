"""Sample one amplitude case of the classic spectral-bias target, one target per seed."""

from hatlib.experiments.classic import classic_dataset
from hatlib.io import write_table
from hatlib.runtime import setup_logging, use_threads

log = setup_logging(snakemake.log[0])
use_threads(snakemake.threads)
params = snakemake.params
data = classic_dataset(
    params.num_points, params.frequencies, params.amplitudes, params.phase_seed, params.seeds
)
write_table(data, snakemake.output[0])
log.info("wrote %d samples (%d seeds) to %s", len(data), params.seeds, snakemake.output[0])

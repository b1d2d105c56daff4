"""Stack the mode tables; tabulate condition numbers and eigenvalue decay exponents."""

import pandas as pd

from hatlib.analysis import condition_numbers, decay_exponents
from hatlib.io import read_table, write_table
from hatlib.runtime import setup_logging, use_threads

log = setup_logging(snakemake.log[0])
use_threads(snakemake.threads)
columns = ["basis", "mesh_ratio", "num_elements", "eigenvalue", "frequency"]
spectra = pd.concat([read_table(path, columns) for path in snakemake.input], ignore_index=True)
write_table(spectra, snakemake.output.spectra)
write_table(condition_numbers(spectra), snakemake.output.condition_numbers)
write_table(decay_exponents(spectra), snakemake.output.decay_exponents)
log.info("aggregated %d spectra", len(snakemake.input))

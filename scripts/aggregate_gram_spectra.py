"""Stack the eigenvalue tables and tabulate condition numbers."""

import pandas as pd

from hatlib.analysis import condition_numbers
from hatlib.io import read_table, write_table
from hatlib.runtime import setup_logging

log = setup_logging(snakemake.log[0])
spectra = pd.concat(
    [read_table(path, ["basis", "num_elements", "eigenvalue"]) for path in snakemake.input],
    ignore_index=True,
)
write_table(spectra, snakemake.output.spectra)
write_table(condition_numbers(spectra), snakemake.output.condition_numbers)
log.info("aggregated %d spectra", len(snakemake.input))

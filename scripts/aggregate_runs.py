"""Stack every run's history and spectrum into two tidy tables."""

from hatlib.analysis import combine_runs
from hatlib.io import read_json, read_table, write_table
from hatlib.runtime import setup_logging

log = setup_logging(snakemake.log[0])
metadata = [read_json(path) for path in snakemake.input.metadata]
history = combine_runs(
    [read_table(p, ["step", "relative_l2_error"]) for p in snakemake.input.histories], metadata
)
spectrum = combine_runs(
    [read_table(p, ["step", "dft_frequency"]) for p in snakemake.input.spectra], metadata
)
write_table(history, snakemake.output.history)
write_table(spectrum, snakemake.output.spectrum)
log.info("aggregated %d runs", len(metadata))

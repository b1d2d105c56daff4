"""Iterations to tolerance per run, and learning-time exponents."""

from hatlib.analysis import learning_time_exponents, summarise_runs
from hatlib.io import read_table, write_table
from hatlib.runtime import setup_logging

log = setup_logging(snakemake.log[0])
history = read_table(snakemake.input.history, ["step", "relative_l2_error", "status"])
summary = summarise_runs(history, snakemake.params.tolerance)
write_table(summary, snakemake.output.summary)
write_table(learning_time_exponents(summary), snakemake.output.exponents)
log.info("summarised %d runs at tolerance %g", len(summary), snakemake.params.tolerance)

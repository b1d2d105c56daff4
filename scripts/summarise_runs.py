"""Learning time per run, learning-time exponents and Hat's speed-up over ReLU, with intervals."""

from hatlib.analysis import learning_time_exponents, speedups, summarise_runs
from hatlib.io import read_table, write_table
from hatlib.runtime import setup_logging, use_threads

log = setup_logging(snakemake.log[0])
use_threads(snakemake.threads)
tests = snakemake.params.claims
bootstrap = {
    "replicates": tests["bootstrap_replicates"],
    "level": tests["confidence"],
    "seed": tests["bootstrap_seed"],
}
history = read_table(snakemake.input.history, ["step", "relative_l2_error", "status"])
crossings = read_table(snakemake.input.crossings, ["tolerance", "first_step"])
summary = summarise_runs(history, snakemake.params.tolerance, crossings)
write_table(summary, snakemake.output.summary)
exponents = learning_time_exponents(summary, workers=snakemake.threads, **bootstrap)
write_table(exponents, snakemake.output.exponents)
main = summary[summary["initialisation"] == snakemake.params.initialisation]
write_table(speedups(main, **bootstrap), snakemake.output.speedups)
log.info("summarised %d runs at tolerance %g", len(summary), snakemake.params.tolerance)
log.info("learning-time exponents\n%s", exponents.to_string())

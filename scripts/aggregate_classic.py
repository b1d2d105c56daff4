"""Stack the classic-protocol runs; when each frequency reached each threshold; exponents."""

from hatlib.analysis import learning_time_exponents, spectral_bias_ratios, stack_tagged
from hatlib.experiments.classic import first_reaching
from hatlib.io import read_table, write_table
from hatlib.runtime import setup_logging, use_threads

log = setup_logging(snakemake.log[0])
use_threads(snakemake.threads)
tests = snakemake.params.claims
tags = [
    {
        "case": run["case"],
        "activation": run["activation"],
        "initialisation": run["initialisation"],
    }
    for run in snakemake.params.runs
]
spectrum = stack_tagged(
    [read_table(path, ["seed", "step", "frequency"]) for path in snakemake.input.spectra], tags
)
keys = ["case", "activation", "initialisation"]
learned = first_reaching(spectrum, snakemake.params.thresholds, [*keys, "seed", "frequency"])
ratios = spectral_bias_ratios(learned, [*keys, "threshold"])
exponents = learning_time_exponents(
    learned,
    replicates=tests["bootstrap_replicates"],
    level=tests["confidence"],
    seed=tests["bootstrap_seed"],
    keys=[*keys, "threshold"],
    cluster="seed",
    workers=snakemake.threads,
)
write_table(spectrum, snakemake.output.spectrum)
write_table(learned, snakemake.output.learned)
write_table(ratios, snakemake.output.ratios)
write_table(exponents, snakemake.output.exponents)
log.info("highest/lowest first-reaching ratios\n%s", ratios.to_string())
log.info("learning-time exponents\n%s", exponents.to_string())

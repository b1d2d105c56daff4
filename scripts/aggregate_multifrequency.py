"""Stack the multi-frequency runs; when each frequency was learned; exponents and comparisons."""

from hatlib.analysis import (
    alternatives_ratios,
    learning_iterations,
    learning_time_exponents,
    method_comparison,
    spectral_bias_ratios,
    stack_tagged,
)
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
tags = [
    {"setting": f"{run['dimension']}d-{run['network']}", "activation": run["activation"]}
    for run in snakemake.params.runs
]
spectrum = stack_tagged(
    [
        read_table(path, ["optimizer", "seed", "step", "frequency"])
        for path in snakemake.input.spectra
    ],
    tags,
)
searches = stack_tagged([read_table(p, ["learning_rate"]) for p in snakemake.input.searches], tags)
keys = ["setting", "activation", "optimizer", "seed", "frequency", "magnitude"]
learned = learning_iterations(spectrum, snakemake.params.tolerance, keys)
by_magnitude = learned.drop(columns="frequency").rename(columns={"magnitude": "frequency"})
groups = ["setting", "activation", "optimizer"]
ratios = spectral_bias_ratios(by_magnitude, groups)
exponents = learning_time_exponents(
    by_magnitude, keys=groups, cluster="seed", workers=snakemake.threads, **bootstrap
)
histories = stack_tagged(
    [read_table(path, ["optimizer", "seed", "step"]) for path in snakemake.input.histories], tags
)
final = histories.sort_values("step").groupby([*groups, "seed"]).tail(1)
comparison = method_comparison(by_magnitude, final, groups)
alternatives = alternatives_ratios(
    by_magnitude, comparison, snakemake.params.tolerance, **bootstrap
)
write_table(comparison, snakemake.output.comparison)
write_table(alternatives, snakemake.output.alternatives)
write_table(spectrum, snakemake.output.spectrum)
write_table(learned, snakemake.output.learned)
write_table(ratios, snakemake.output.ratios)
write_table(exponents, snakemake.output.exponents)
write_table(searches, snakemake.output.rates)
log.info("learning-time exponents over the components\n%s", exponents.to_string())
log.info("Hat against the alternatives\n%s", alternatives.to_string())

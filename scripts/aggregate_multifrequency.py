"""Stack the multi-frequency runs; when each frequency was learned; spectral-bias ratios."""

from hatlib.analysis import (
    learning_iterations,
    method_comparison,
    spectral_bias_ratios,
    stack_tagged,
)
from hatlib.io import read_table, write_table
from hatlib.runtime import setup_logging

log = setup_logging(snakemake.log[0])
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
ratios = spectral_bias_ratios(
    learned.drop(columns="frequency").rename(columns={"magnitude": "frequency"}),
    ["setting", "activation", "optimizer"],
)
histories = stack_tagged(
    [read_table(path, ["optimizer", "seed", "step"]) for path in snakemake.input.histories], tags
)
final = (
    histories.sort_values("step").groupby(["setting", "activation", "optimizer", "seed"]).tail(1)
)
comparison = method_comparison(
    learned.drop(columns="frequency").rename(columns={"magnitude": "frequency"}),
    final,
    ["setting", "activation", "optimizer"],
)
write_table(comparison, snakemake.output.comparison)
write_table(spectrum, snakemake.output.spectrum)
write_table(learned, snakemake.output.learned)
write_table(ratios, snakemake.output.ratios)
write_table(searches, snakemake.output.rates)
log.info("highest/lowest learning-iteration ratios\n%s", ratios.to_string())

"""Stack the digits runs; high- over low-frequency learning-time ratios; test accuracy."""

from hatlib.analysis import learning_iterations, paired_ratios, stack_tagged
from hatlib.experiments.digits import activation_ratios
from hatlib.io import read_table, write_table
from hatlib.runtime import setup_logging, use_threads

log = setup_logging(snakemake.log[0])
use_threads(snakemake.threads)
tests = snakemake.params.claims
tags = [{"activation": activation} for activation in snakemake.params.activations]
components = stack_tagged(
    [
        read_table(path, ["optimizer", "seed", "step", "part"])
        for path in snakemake.input.components
    ],
    tags,
)
accuracy = stack_tagged(
    [read_table(p, ["test_accuracy", "test_samples"]) for p in snakemake.input.accuracy], tags
)
searches = stack_tagged([read_table(p, ["learning_rate"]) for p in snakemake.input.searches], tags)
learned = learning_iterations(
    components, snakemake.params.tolerance, ["activation", "optimizer", "seed", "part"]
)
learned["frequency"] = learned["part"].map({"low": 0, "high": 1})
ratios = paired_ratios(
    learned,
    ["activation", "optimizer"],
    replicates=tests["bootstrap_replicates"],
    level=tests["confidence"],
    seed=tests["bootstrap_seed"],
).assign(setting="digits")
speedups = activation_ratios(
    learned,
    replicates=tests["bootstrap_replicates"],
    level=tests["confidence"],
    seed=tests["bootstrap_seed"],
)
write_table(components, snakemake.output.components)
write_table(speedups, snakemake.output.speedups)
write_table(accuracy, snakemake.output.accuracy)
write_table(ratios, snakemake.output.ratios)
write_table(searches, snakemake.output.rates)
means = accuracy.groupby(["activation", "optimizer"])["test_accuracy"].mean()
log.info("test accuracy\n%s", means.to_string())
log.info("high- over low-part learning-time ratios\n%s", ratios.to_string())
log.info("ReLU over Hat learning times\n%s", speedups.to_string())

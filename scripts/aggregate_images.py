"""Stack the image-classification runs; paired Hat - ReLU test-accuracy differences."""

from hatlib.analysis import stack_tagged
from hatlib.experiments.images import paired_accuracy_difference
from hatlib.io import read_table, write_table
from hatlib.runtime import setup_logging, use_threads

log = setup_logging(snakemake.log[0])
use_threads(snakemake.threads)
tags = snakemake.params.runs
curves = stack_tagged(
    [read_table(p, ["split", "epoch", "test_accuracy"]) for p in snakemake.input.curves], tags
)
accuracy = stack_tagged(
    [read_table(p, ["split", "test_accuracy", "status"]) for p in snakemake.input.accuracy], tags
)
searches = stack_tagged([read_table(p, ["learning_rate"]) for p in snakemake.input.searches], tags)
level = snakemake.params.confidence
test_fraction = snakemake.params.test_fraction
difference = paired_accuracy_difference(accuracy, level)
# Random splits share images: the corrected resampled t-interval of Nadeau & Bengio.
corrected = paired_accuracy_difference(accuracy, level, test_fraction / (1 - test_fraction))
difference = difference.assign(corrected_low=corrected["low"], corrected_high=corrected["high"])
write_table(curves, snakemake.output.curves)
write_table(accuracy, snakemake.output.accuracy)
write_table(difference, snakemake.output.difference)
write_table(searches, snakemake.output.rates)
means = accuracy.groupby(["activation", "optimizer"])["test_accuracy"].mean()
log.info("test accuracy\n%s", means.to_string())
log.info("Hat - ReLU test accuracy\n%s", difference.to_string())

"""Load the two digit classes, split them into training and test samples."""

from hatlib.digits import load_digit_pair
from hatlib.experiments.digits import digits_frame
from hatlib.io import write_table
from hatlib.runtime import setup_logging, use_threads

log = setup_logging(snakemake.log[0])
use_threads(snakemake.threads)
params = snakemake.params
data = load_digit_pair(
    classes=tuple(params.classes),
    test_fraction=params.test_fraction,
    seed=params.seed,
    images=params.images,
    labels=params.labels,
    max_samples=params.max_samples,
)
table = digits_frame(data)
write_table(table, snakemake.output[0])
log.info("digits %s from %s: %d samples", data.classes, data.source, len(table))

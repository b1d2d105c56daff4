"""The digits target's frequency split: the filter width at which the high part has its share."""

from hatlib.runtime import setup_logging, use_threads

log = setup_logging(snakemake.log[0])
use_threads(snakemake.threads)

from hatlib.experiments.digits import digits_split  # noqa: E402
from hatlib.io import read_table, write_json  # noqa: E402

split = digits_split(read_table(snakemake.input[0]), snakemake.params.share)
write_json(split, snakemake.output[0])
log.info("split %s", split)

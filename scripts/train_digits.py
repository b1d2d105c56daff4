"""Train shallow networks of one activation on the two-class digits problem, every optimizer."""

from hatlib.runtime import setup_logging, use_threads

log = setup_logging(snakemake.log[0])


from hatlib.experiments.digits import run_digits  # noqa: E402
from hatlib.io import read_json, read_table, write_json, write_table  # noqa: E402

use_threads(snakemake.threads)
history, components, accuracy, search, metadata = run_digits(
    read_table(snakemake.input.data),
    snakemake.wildcards.activation,
    snakemake.params.settings,
    snakemake.params.candidates,
    read_json(snakemake.input.split),
    device=snakemake.config["device"],
)
write_table(history, snakemake.output.history)
write_table(components, snakemake.output.spectrum)
write_table(accuracy, snakemake.output.accuracy)
write_table(search, snakemake.output.search)
write_json(metadata, snakemake.output.metadata)
log.info("test accuracy\n%s", accuracy.to_string())

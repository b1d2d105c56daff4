"""Train one network family of one activation on a multi-frequency target, every optimizer."""

from hatlib.runtime import setup_logging, use_threads

log = setup_logging(snakemake.log[0])


from hatlib.experiments.multifrequency import run_multifrequency  # noqa: E402
from hatlib.io import read_table, write_json, write_table  # noqa: E402

use_threads(snakemake.threads)
history, spectrum, search, metadata = run_multifrequency(
    read_table(snakemake.input.data),
    snakemake.params.bins,
    snakemake.wildcards.activation,
    snakemake.params.network,
    snakemake.params.settings,
    snakemake.params.candidates,
    device=snakemake.config["device"],
)
write_table(history, snakemake.output.history)
write_table(spectrum, snakemake.output.spectrum)
write_table(search, snakemake.output.search)
write_json(metadata, snakemake.output.metadata)
log.info("learning rates %s", {k: v["learning_rate"] for k, v in metadata["runs"].items()})

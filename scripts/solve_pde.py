"""Solve the Poisson problem with shallow networks of one activation by the Ritz method."""

from hatlib.runtime import setup_logging, use_threads

log = setup_logging(snakemake.log[0])


from hatlib.experiments.poisson import run_pde  # noqa: E402
from hatlib.io import write_json, write_table  # noqa: E402

use_threads(snakemake.threads)
history, modes, widths, search, metadata = run_pde(
    snakemake.wildcards.activation, snakemake.params.settings, device=snakemake.config["device"]
)
write_table(history, snakemake.output.history)
write_table(modes, snakemake.output.modes)
write_table(widths, snakemake.output.widths)
write_table(search, snakemake.output.search)
write_json(metadata, snakemake.output.metadata)
log.info("learning rates %s", {k: v["learning_rate"] for k, v in metadata["runs"].items()})

"""Train one model of the classic spectral-bias protocol on one amplitude case (all seeds)."""

from hatlib.runtime import flush_subnormals, setup_logging, use_threads

log = setup_logging(snakemake.log[0])

from pathlib import Path  # noqa: E402

from hatlib.experiments.classic import run_classic  # noqa: E402
from hatlib.io import read_table, write_json, write_table  # noqa: E402

use_threads(snakemake.threads)
if snakemake.params.settings["flush_subnormals"]:
    flush_subnormals()  # before any parallel operation: every thread inherits it
checkpoint = snakemake.params.checkpoint
Path(checkpoint).parent.mkdir(parents=True, exist_ok=True)
history, spectrum, metadata = run_classic(
    read_table(snakemake.input.data, columns=["seed", "x", "y"]),
    snakemake.params.frequencies,
    snakemake.params.amplitudes,
    snakemake.wildcards.activation,
    snakemake.wildcards.initialisation,
    snakemake.params.settings,
    device=snakemake.config["device"],
    checkpoint=checkpoint if snakemake.params.settings["checkpoint_every"] else None,
)
write_table(history, snakemake.output.history)
write_table(spectrum, snakemake.output.spectrum)
write_json(metadata, snakemake.output.metadata)  # last: its presence marks a finished run
Path(checkpoint).unlink(missing_ok=True)
log.info("seeds %s: %s", list(metadata["status"]), metadata["status"])

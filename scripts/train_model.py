"""Train the networks of one initialisation x activation x optimizer x frequency (all seeds)."""

from hatlib.runtime import setup_logging, use_threads

log = setup_logging(snakemake.log[0])

from pathlib import Path  # noqa: E402

from hatlib.experiments.learning_rates import chosen_learning_rate  # noqa: E402
from hatlib.experiments.single_frequency import ModelConfig, run_sine_fit  # noqa: E402
from hatlib.io import read_table, write_json, write_table  # noqa: E402
from hatlib.training import TrainingConfig  # noqa: E402

use_threads(snakemake.threads)
data = read_table(snakemake.input.data, columns=["x", "y"])
search = read_table(snakemake.input.learning_rates, ["optimizer", "learning_rate", "chosen"])
rate = chosen_learning_rate(search, snakemake.wildcards.optimizer)
result, metadata = run_sine_fit(
    data,
    int(snakemake.wildcards.frequency),
    ModelConfig(**snakemake.params.model),
    TrainingConfig(**snakemake.params.training, learning_rate=rate),
    device=snakemake.config["device"],
    checkpoint=snakemake.params.checkpoint,
    checkpoint_every=snakemake.params.checkpoint_every,
)
write_table(result.history, snakemake.output.history)
write_table(result.spectrum, snakemake.output.spectrum)
write_json(metadata, snakemake.output.metadata)  # last: its presence marks a finished run
Path(snakemake.params.checkpoint).unlink(missing_ok=True)
log.info("seeds %s: %s after %s steps", list(metadata["status"]), result.status, result.steps)

"""Choose the learning rate of one initialisation x activation for every optimizer."""

from hatlib.runtime import setup_logging, use_threads

log = setup_logging(snakemake.log[0])


from hatlib.experiments.learning_rates import select_learning_rates  # noqa: E402
from hatlib.experiments.single_frequency import ModelConfig  # noqa: E402
from hatlib.io import read_table, write_table  # noqa: E402

use_threads(snakemake.threads)
search = select_learning_rates(
    read_table(snakemake.input.data, columns=["x", "y"]),
    ModelConfig(**snakemake.params.model),
    snakemake.params.optimizers,
    snakemake.params.candidates,
    snakemake.params.iterations,
    device=snakemake.config["device"],
)
write_table(search, snakemake.output[0])
for row in search[search["chosen"]].drop_duplicates("optimizer").itertuples():
    log.info("%s: learning rate %g", row.optimizer, row.learning_rate)

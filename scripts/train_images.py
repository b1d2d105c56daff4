"""Train the Hat and ReLU CNNs of one activation and optimizer on the MNIST splits."""

from hatlib.runtime import setup_logging, use_threads

log = setup_logging(snakemake.log[0])


from hatlib.experiments.images import load_images, run_images  # noqa: E402
from hatlib.io import write_json, write_table  # noqa: E402

use_threads(snakemake.threads)
settings = snakemake.params.settings
images, labels = load_images(settings["images"], settings["labels"])
curves, accuracy, search, metadata = run_images(
    images,
    labels,
    snakemake.params.activation,
    snakemake.params.optimizer,
    settings,
    snakemake.params.candidates,
    progress=log.info,
)
write_table(curves, snakemake.output.curves)
write_table(accuracy, snakemake.output.accuracy)
write_table(search, snakemake.output.search)
write_json(metadata, snakemake.output.metadata)
log.info("test accuracy\n%s", accuracy.to_string())

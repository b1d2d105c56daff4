"""Count the gradient-descent steps the training engine takes on each target of one activation."""

from hatlib.runtime import setup_logging, use_threads

log = setup_logging(snakemake.log[0])


from hatlib.experiments.gd_steps import GradientDescentSetup, measure_gd_steps  # noqa: E402
from hatlib.io import write_json  # noqa: E402

use_threads(snakemake.threads)
setup = GradientDescentSetup(**snakemake.params.setup)
for target, path in zip(snakemake.params.targets, snakemake.output, strict=True):
    result = measure_gd_steps(setup, target)
    write_json(result, path)
    log.info("%s: %d steps (%s)", target, result["measured_steps"], result["status"])

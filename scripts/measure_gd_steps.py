"""Count the gradient-descent steps the training engine takes on one target."""

from hatlib.runtime import setup_logging, use_threads

log = setup_logging(snakemake.log[0])


from hatlib.experiments.gd_steps import GradientDescentSetup, measure_gd_steps  # noqa: E402
from hatlib.io import write_json  # noqa: E402

use_threads(snakemake.threads)
result = measure_gd_steps(
    GradientDescentSetup(**snakemake.params.setup), snakemake.wildcards.target
)
write_json(result, snakemake.output[0])
log.info(
    "%s: %d steps (%s)", snakemake.wildcards.target, result["measured_steps"], result["status"]
)

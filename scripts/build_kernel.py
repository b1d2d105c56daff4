"""Build (or load) the fused CPU kernel and record what it was built for."""

from hatlib.runtime import setup_logging, use_threads

log = setup_logging(snakemake.log[0])
use_threads(snakemake.threads)

from hatlib.io import write_json  # noqa: E402
from hatlib.kernels import describe_build  # noqa: E402

build = describe_build()
write_json(build, snakemake.output[0])
log.info("kernel: %s", build)

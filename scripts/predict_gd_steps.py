"""Predict gradient-descent steps per target from the Gram matrix's eigen-decomposition."""

from hatlib.experiments.gd_steps import GradientDescentSetup, predict_gd_steps
from hatlib.io import write_table
from hatlib.runtime import setup_logging, use_threads

log = setup_logging(snakemake.log[0])
use_threads(snakemake.threads)
table = predict_gd_steps(GradientDescentSetup(**snakemake.params.setup), snakemake.params.targets)
write_table(table, snakemake.output[0])
log.info("predicted steps for %d targets", len(table))

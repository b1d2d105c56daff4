"""Join predicted and measured gradient-descent steps."""

import pandas as pd

from hatlib.analysis import compare_gd_steps
from hatlib.io import read_json, read_table, write_table
from hatlib.runtime import setup_logging, use_threads

log = setup_logging(snakemake.log[0])
use_threads(snakemake.threads)
predicted = pd.concat([read_table(path) for path in snakemake.input.predicted], ignore_index=True)
measured = pd.DataFrame([read_json(path) for path in snakemake.input.measured])
table = compare_gd_steps(predicted, measured)
write_table(table, snakemake.output[0])
log.info("worst relative difference %.3g", table["relative_difference"].max())

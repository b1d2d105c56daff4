"""Write the methods table from the resolved configuration."""

from hatlib.io import write_text
from hatlib.paper import methods_table
from hatlib.runtime import setup_logging

setup_logging(snakemake.log[0])
params = snakemake.params
table = methods_table(params.data, params.train, params.theory, params.fem, params.tolerance)
write_text(table, snakemake.output[0])

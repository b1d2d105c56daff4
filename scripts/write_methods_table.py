"""Write the methods table from the resolved configuration."""

from hatlib.io import read_table, write_text
from hatlib.paper import methods_table
from hatlib.runtime import setup_logging, use_threads

setup_logging(snakemake.log[0])
use_threads(snakemake.threads)
params = snakemake.params
rates = read_table(snakemake.input.learning_rates, ["learning_rate", "chosen"])
chosen = rates[rates["chosen"]].drop_duplicates(["initialisation", "activation", "optimizer"])
table = methods_table(
    params.data,
    params.train,
    params.theory,
    params.fem,
    params.tolerance,
    chosen,
    params.grid,
    params.multifrequency,
    params.digits,
    params.classic,
    params.pde,
)
write_text(table, snakemake.output[0])

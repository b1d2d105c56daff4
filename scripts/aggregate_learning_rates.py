"""Stack the learning-rate selections of the single-frequency grid."""

from hatlib.analysis import stack_tagged
from hatlib.io import read_table, write_table
from hatlib.runtime import setup_logging, use_threads

log = setup_logging(snakemake.log[0])
use_threads(snakemake.threads)
tables = [read_table(path, ["optimizer", "learning_rate", "chosen"]) for path in snakemake.input]
tags = [{"initialisation": i, "activation": a} for i, a in snakemake.params.models]
table = stack_tagged(tables, tags)
write_table(table, snakemake.output[0])
log.info("chosen learning rates\n%s", table[table["chosen"]].to_string())

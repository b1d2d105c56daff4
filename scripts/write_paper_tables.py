"""Write the paper's generated tables (booktabs tabular environments)."""

from hatlib.io import read_table, write_text
from hatlib.paper import condition_number_table, learning_time_table
from hatlib.runtime import setup_logging

setup_logging(snakemake.log[0])
write_text(
    condition_number_table(read_table(snakemake.input.condition_numbers)),
    snakemake.output.condition_numbers,
)
summary = read_table(snakemake.input.summary)
write_text(learning_time_table(summary), snakemake.output.learning_times)

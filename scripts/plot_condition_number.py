"""Figure: condition number of each Gram matrix against the grid size."""

from hatlib.io import read_table
from hatlib.plotting import plot_condition_number, save_figure
from hatlib.runtime import setup_logging, use_threads

setup_logging(snakemake.log[0])
use_threads(snakemake.threads)
table = read_table(snakemake.input[0], ["basis", "mesh_ratio", "num_elements", "condition_number"])
save_figure(plot_condition_number(table), snakemake.output[0])

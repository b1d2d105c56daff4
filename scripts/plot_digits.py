"""Figure: low- and high-frequency error on the digits over iterations."""

from hatlib.io import read_table
from hatlib.plotting import plot_digits_components, save_figure
from hatlib.runtime import setup_logging, use_threads

setup_logging(snakemake.log[0])
use_threads(snakemake.threads)
components = read_table(snakemake.input[0], ["activation", "part", "relative_error"])
save_figure(plot_digits_components(components), snakemake.output[0])

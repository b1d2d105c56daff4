"""Figure: predicted against measured gradient-descent steps."""

from hatlib.io import read_table
from hatlib.plotting import plot_gd_steps, save_figure
from hatlib.runtime import setup_logging, use_threads

setup_logging(snakemake.log[0])
use_threads(snakemake.threads)
columns = ["activation", "kind", "predicted_steps", "measured_steps", "censored"]
table = read_table(snakemake.input[0], columns)
save_figure(plot_gd_steps(table), snakemake.output[0])

"""Figure: relative L2 error against iteration per activation, optimizer and frequency."""

from hatlib.io import read_table
from hatlib.plotting import plot_training_error, save_figure
from hatlib.runtime import setup_logging, use_threads

setup_logging(snakemake.log[0])
use_threads(snakemake.threads)
columns = ["initialisation", "activation", "optimizer", "frequency", "step", "status"]
history = read_table(snakemake.input[0], columns)
history = history[history["initialisation"] == snakemake.params.initialisation]
save_figure(plot_training_error(history), snakemake.output[0])

"""Figure: iterations to tolerance against frequency, FEM-like against default initialisation."""

from hatlib.io import read_table
from hatlib.plotting import plot_initialisation_ablation, save_figure
from hatlib.runtime import setup_logging, use_threads

setup_logging(snakemake.log[0])
use_threads(snakemake.threads)
summary = read_table(snakemake.input[0], ["initialisation", "iterations_to_tolerance"])
figure = plot_initialisation_ablation(summary, snakemake.params.initialisation)
save_figure(figure, snakemake.output[0])

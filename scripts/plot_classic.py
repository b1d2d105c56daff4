"""Figure: normalised output spectrum over iterations, the classic spectral-bias protocol."""

from hatlib.io import read_table
from hatlib.plotting import plot_classic_heatmaps, save_figure
from hatlib.runtime import setup_logging, use_threads

setup_logging(snakemake.log[0])
use_threads(snakemake.threads)
spectrum = read_table(snakemake.input[0], ["case", "initialisation", "magnitude"])
save_figure(plot_classic_heatmaps(spectrum), snakemake.output[0])

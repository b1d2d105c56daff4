"""Figure: Delta(k) over iterations, shallow and deep networks of one input dimension."""

from hatlib.io import read_table
from hatlib.plotting import plot_frequency_heatmaps, save_figure
from hatlib.runtime import setup_logging, use_threads

setup_logging(snakemake.log[0])
use_threads(snakemake.threads)
spectrum = read_table(snakemake.input[0], ["setting", "magnitude", "relative_error"])
save_figure(plot_frequency_heatmaps(spectrum, snakemake.params.settings), snakemake.output[0])

"""Figure: Delta(k) over iterations, Hat and ReLU beside Fourier features and SIREN."""

from hatlib.io import read_table
from hatlib.plotting import plot_method_heatmaps, save_figure
from hatlib.runtime import setup_logging, use_threads

setup_logging(snakemake.log[0])
use_threads(snakemake.threads)
spectrum = read_table(snakemake.input[0], ["setting", "magnitude", "relative_error"])
save_figure(plot_method_heatmaps(spectrum, snakemake.params.methods), snakemake.output[0])

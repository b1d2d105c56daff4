"""Figure: train and test loss and accuracy of the Hat and ReLU CNNs per epoch."""

from hatlib.io import read_table
from hatlib.plotting import save_figure
from hatlib.plotting_images import plot_image_curves
from hatlib.runtime import setup_logging, use_threads

setup_logging(snakemake.log[0])
use_threads(snakemake.threads)
curves = read_table(snakemake.input[0], ["activation", "optimizer", "split", "epoch"])
save_figure(plot_image_curves(curves), snakemake.output[0])

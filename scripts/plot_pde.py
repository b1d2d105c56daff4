"""Figures: per-mode error of the Ritz solutions over iterations, and error against width."""

from hatlib.io import read_table
from hatlib.plotting import plot_pde_modes, plot_pde_widths, save_figure
from hatlib.runtime import setup_logging, use_threads

setup_logging(snakemake.log[0])
use_threads(snakemake.threads)
modes = read_table(snakemake.input.modes, ["activation", "optimizer", "mode", "relative_error"])
save_figure(plot_pde_modes(modes), snakemake.output.modes)
widths = read_table(snakemake.input.widths, ["activation", "width", "relative_h1_error"])
save_figure(plot_pde_widths(widths), snakemake.output.widths)

"""Figure: Gram eigenvalues of ReLU features against the P1 hat basis."""

from hatlib.io import read_table
from hatlib.plotting import plot_gram_spectrum, save_figure
from hatlib.runtime import setup_logging

setup_logging(snakemake.log[0])
spectra = read_table(snakemake.input[0], ["basis", "num_elements", "mode", "eigenvalue"])
save_figure(plot_gram_spectrum(spectra), snakemake.output[0])

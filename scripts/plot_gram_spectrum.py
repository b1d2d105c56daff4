"""Figure: Gram eigenvalues against eigenmode frequency for every basis."""

from hatlib.io import read_table
from hatlib.plotting import plot_gram_spectrum, save_figure
from hatlib.runtime import setup_logging, use_threads

setup_logging(snakemake.log[0])
use_threads(snakemake.threads)
spectra = read_table(snakemake.input[0], ["basis", "num_elements", "frequency", "eigenvalue"])
save_figure(plot_gram_spectrum(spectra, snakemake.params.grids), snakemake.output[0])

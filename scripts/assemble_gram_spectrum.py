"""Assemble one exact Gram matrix and write its eigenvalues."""

from hatlib.analysis import spectrum_table
from hatlib.fem import gram_matrix, gram_spectrum
from hatlib.io import write_table
from hatlib.runtime import setup_logging

log = setup_logging(snakemake.log[0])
basis = snakemake.wildcards.basis
num_elements = int(snakemake.wildcards.num_elements)
spectrum = gram_spectrum(gram_matrix(basis, num_elements))
write_table(
    spectrum_table(basis, num_elements, spectrum.eigenvalues, spectrum.sign_changes),
    snakemake.output[0],
)
log.info("%s, n = %d: condition number %.4g", basis, num_elements, spectrum.condition_number)

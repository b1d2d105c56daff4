"""Assemble one exact Gram matrix and tabulate its modes and first eigenfunctions."""

from hatlib.io import write_table
from hatlib.modes import analyse_basis
from hatlib.runtime import setup_logging, use_threads

log = setup_logging(snakemake.log[0])
use_threads(snakemake.threads)
modes, eigenfunctions = analyse_basis(
    snakemake.wildcards.basis,
    int(snakemake.wildcards.num_elements),
    mesh_ratio=float(snakemake.wildcards.mesh_ratio),
    seed=snakemake.params.seed,
    eigenfunctions=snakemake.params.eigenfunction_modes,
)
write_table(modes, snakemake.output.modes)
write_table(eigenfunctions, snakemake.output.eigenfunctions)
eigenvalues = modes["eigenvalue"]
log.info("%s: condition number %.4g", snakemake.output.modes, eigenvalues.max() / eigenvalues.min())

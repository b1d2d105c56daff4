"""Figure: the first eigenfunctions of the ReLU and Hat Gram matrices."""

import pandas as pd

from hatlib.io import read_table
from hatlib.plotting import plot_eigenfunctions, save_figure
from hatlib.runtime import setup_logging, use_threads

setup_logging(snakemake.log[0])
use_threads(snakemake.threads)
functions = pd.concat(
    [read_table(path, ["basis", "mode", "x", "value"]) for path in snakemake.input],
    ignore_index=True,
)
save_figure(plot_eigenfunctions(functions), snakemake.output[0])

"""Stack every run's history, spectrum and exact learning-time crossings into tidy tables."""

import pandas as pd

from hatlib.analysis import RUN_KEYS, combine_runs
from hatlib.io import read_json, read_table, write_table
from hatlib.runtime import setup_logging, use_threads

log = setup_logging(snakemake.log[0])
use_threads(snakemake.threads)
metadata = [read_json(path) for path in snakemake.input.metadata]
history = combine_runs(
    [read_table(p, ["step", "relative_l2_error"]) for p in snakemake.input.histories], metadata
)
spectrum = combine_runs(
    [read_table(p, ["step", "dft_frequency"]) for p in snakemake.input.spectra], metadata
)
crossings = pd.DataFrame(
    [
        {
            "initialisation": job["model"]["initialisation"],
            "activation": job["model"]["activation"],
            "optimizer": job["training"]["optimizer"],
            "frequency": int(job["frequency"]),
            **row,
        }
        for job in metadata
        for row in job.get("crossings", [])
    ],
    columns=[*RUN_KEYS, "tolerance", "first_step"],
)
write_table(history, snakemake.output.history)
write_table(spectrum, snakemake.output.spectrum)
write_table(crossings, snakemake.output.crossings)
log.info("aggregated %d runs (%d exact crossings)", len(metadata), len(crossings))

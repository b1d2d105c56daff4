"""Write the reproducibility appendix: software, machine, commit, configuration, run times."""

from pathlib import Path

import pandas as pd

from hatlib.io import benchmark_rule, read_benchmark_seconds, read_json, write_text
from hatlib.paper import reproducibility_appendix
from hatlib.runtime import config_hash, git_commit, setup_logging, use_threads

setup_logging(snakemake.log[0])
use_threads(snakemake.threads)
runtimes = pd.DataFrame(
    [
        {"rule": benchmark_rule(path), "seconds": read_benchmark_seconds(path)}
        for path in snakemake.input.benchmarks
    ]
)
text = reproducibility_appendix(
    [read_json(path) for path in snakemake.input.metadata],
    runtimes,
    git_commit(Path.cwd()),
    config_hash(snakemake.params.config),
)
write_text(text, snakemake.output[0])

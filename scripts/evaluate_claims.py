"""The claims table: each claim of the original, its statistic, threshold and verdict."""

import pandas as pd

from hatlib.claims import (
    accuracy_claim,
    alternative_claims,
    claims_table,
    classic_claims,
    exponent_claims,
    pde_claims,
    ratio_claims,
    speedup_claims,
    theory_claims,
)
from hatlib.io import read_table, write_table
from hatlib.runtime import setup_logging

log = setup_logging(snakemake.log[0])
inputs = snakemake.input
ablation = snakemake.params.ablation
ratios = pd.concat([read_table(inputs.multifrequency), read_table(inputs.digits)])
verdicts = [
    *theory_claims(
        read_table(inputs.decay), read_table(inputs.condition), read_table(inputs.gd_steps)
    ),
    *exponent_claims(
        read_table(inputs.exponents),
        snakemake.params.initialisation,
        ablation[0] if ablation else None,
    ),
    *ratio_claims(
        ratios,
        {
            "1d-shallow": "multi-frequency 1-D target, shallow network",
            "1d-deep": "multi-frequency 1-D target, deep network",
            "2d-shallow": "multi-frequency 2-D target, shallow network",
            "2d-deep": "multi-frequency 2-D target, deep network",
            "digits": "digits, high- against low-frequency part",
        },
    ),
    *speedup_claims(read_table(inputs.speedups)),
    *accuracy_claim(read_table(inputs.accuracy)),
    *alternative_claims(read_table(inputs.comparison), snakemake.params.tolerance),
    *classic_claims(read_table(inputs.classic), snakemake.params.classic_threshold),
    *pde_claims(
        read_table(inputs.pde_summary),
        read_table(inputs.pde_ratios),
        read_table(inputs.pde_conditioning),
    ),
]
table = claims_table(verdicts)
write_table(table, snakemake.output[0])
log.info("claims\n%s", table[["claim", "value", "verdict"]].to_string())

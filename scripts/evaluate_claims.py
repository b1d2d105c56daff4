"""The claims table (statistic, interval, test and verdict per claim) and the consistency checks."""

from hatlib.checks import consistency_checks
from hatlib.claims import (
    SETTINGS,
    ClaimTests,
    alternative_claims,
    claims_table,
    classic_claims,
    component_claims,
    digits_claims,
    exponent_claims,
    image_accuracy_claims,
    pde_claims,
    speedup_claims,
)
from hatlib.io import read_table, write_table
from hatlib.runtime import setup_logging, use_threads

log = setup_logging(snakemake.log[0])
use_threads(snakemake.threads)
inputs = snakemake.input
tests = ClaimTests.from_config(snakemake.params.claims)
ablation = snakemake.params.ablation
verdicts = [
    *exponent_claims(
        read_table(inputs.exponents),
        tests,
        snakemake.params.initialisation,
        ablation[0] if ablation else None,
    ),
    *speedup_claims(read_table(inputs.speedups), tests),
    *component_claims(read_table(inputs.multifrequency), tests, SETTINGS),
    *digits_claims(read_table(inputs.digits), tests, read_table(inputs.digits_speedups)),
    *image_accuracy_claims(read_table(inputs.images)),
    *alternative_claims(read_table(inputs.alternatives), tests),
    *classic_claims(read_table(inputs.classic), tests, snakemake.params.classic_threshold),
    *pde_claims(
        read_table(inputs.pde_speedups),
        read_table(inputs.pde_exponents),
        read_table(inputs.pde_summary),
        tests,
    ),
]
table = claims_table(verdicts)
checks = consistency_checks(
    read_table(inputs.decay),
    read_table(inputs.condition),
    read_table(inputs.gd_steps),
    read_table(inputs.pde_conditioning),
    read_table(inputs.first_layer),
    snakemake.params.multifrequency_tolerance,
)
write_table(table, snakemake.output.claims)
write_table(checks, snakemake.output.checks)
log.info("claims\n%s", table[["claim", "value", "lower", "upper", "verdict"]].to_string())
log.info("checks\n%s", checks[["check", "value", "passed"]].to_string())

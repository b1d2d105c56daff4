"""The claims of the original paper, each decided by a statistic with an interval.

Every verdict comes from a statistic, its interval at the configured
confidence, and a two-sided test fixed in the ``claims`` section of the
configuration (:class:`ClaimTests`): a test that ``holds`` when the interval
lies on the claimed side, ``does not hold`` when it lies on the other, and is
``undetermined`` (with the reason) when the interval straddles the threshold
or the data give none. A claim that Hat removes the spectral bias is a
comparison with ReLU in the same set-up: it holds only when Hat passes the
"no bias" test and ReLU the "bias" test there; the table shows both.

Checks of the implementation (theorems and identities, which cannot come out
otherwise when the code is right) are kept apart in :func:`consistency_checks`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from hatlib.statistics import Estimate, Outcome, above, below, inside


@dataclass(frozen=True)
class ClaimTests:
    """The thresholds of every test, from the configuration's ``claims`` section."""

    confidence: float = 0.95
    bootstrap_replicates: int = 1000
    bootstrap_seed: int = 0
    bias_exponent: float = 1.0
    flat_exponent: float = 0.3
    bias_ratio: float = 4.0
    flat_ratio: float = 2.0
    speedup: float = 2.0
    non_inferiority: float = 1.25
    fem_factor: float = 2.0

    @classmethod
    def from_config(cls, section: Mapping) -> ClaimTests:
        return cls(**dict(section))

    def bias(self, lower: float, upper: float) -> Outcome:
        return above(lower, upper, self.bias_exponent)

    def flat(self, lower: float, upper: float) -> Outcome:
        return inside(lower, upper, -self.flat_exponent, self.flat_exponent)

    @property
    def bias_text(self) -> str:
        return f"interval above {self.bias_exponent:g}"

    @property
    def flat_text(self) -> str:
        return f"interval inside [-{self.flat_exponent:g}, {self.flat_exponent:g}]"


@dataclass(frozen=True)
class Verdict:
    """One row of the claims table (see :func:`claims_table` for the columns)."""

    claim: str
    statement: str
    statistic: str
    estimate: Estimate
    threshold: str
    outcome: Outcome
    reference: str = ""
    reference_estimate: Estimate | None = None
    extra: dict = field(default_factory=dict)


NAN = Estimate(math.nan, math.nan, math.nan)


def _estimate(row) -> Estimate:
    """An :class:`Estimate` from a row with a value (exponent, ratio...), ``lower``, ``upper``."""
    if row is None:
        return NAN
    value = next(row[k] for k in ("exponent", "ratio", "speedup", "value") if k in row.index)
    return Estimate(
        float(value), float(row["lower"]), float(row["upper"]), row.get("bound", "exact")
    )


def _row(table: pd.DataFrame, **keys):
    mask = np.ones(len(table), dtype=bool)
    for key, value in keys.items():
        mask &= table[key].to_numpy() == value
    return table[mask].iloc[0] if mask.any() else None


def _optimizer_name(optimizer: str) -> str:
    return {"sgd": "gradient descent", "adam": "Adam"}.get(optimizer, optimizer)


def _optimizers(table: pd.DataFrame) -> list[str]:
    return [o for o in ("sgd", "adam") if o in set(table["optimizer"])]


def comparison(
    tests: ClaimTests,
    claim: str,
    statement: str,
    statistic: str,
    candidate: Estimate,
    relu: Estimate,
    ratio: bool = False,
) -> Verdict:
    """Hat (or another candidate) removes the bias ReLU shows in the same set-up.

    Holds when the candidate passes the "no bias" test and ReLU the "bias"
    test; does not hold when the candidate fails "no bias"; otherwise
    undetermined. ``ratio``: the statistics are ratios of two learning times
    (the ratio tests), not exponents.
    """
    if ratio:
        flat = inside(candidate.lower, candidate.upper, 1 / tests.flat_ratio, tests.flat_ratio)
        bias = above(relu.lower, relu.upper, tests.bias_ratio)
        threshold = (
            f"interval inside [1/{tests.flat_ratio:g}, {tests.flat_ratio:g}], "
            f"and ReLU's above {tests.bias_ratio:g}"
        )
    else:
        flat, bias = (
            tests.flat(candidate.lower, candidate.upper),
            tests.bias(relu.lower, relu.upper),
        )
        threshold = f"{tests.flat_text}, and ReLU's {tests.bias_text}"
    if flat.verdict == "does not hold":
        outcome = flat
    elif flat.verdict == "holds" and bias.verdict == "holds":
        outcome = Outcome("holds")
    elif flat.verdict == "holds":
        outcome = Outcome("undetermined", f"ReLU shows no clear bias here: {bias.reason}")
    else:
        outcome = flat
    reference = "ReLU, same set-up"
    return Verdict(claim, statement, statistic, candidate, threshold, outcome, reference, relu)


def bias_claim(
    tests: ClaimTests,
    claim: str,
    statement: str,
    statistic: str,
    estimate: Estimate,
    reference: tuple[str, Estimate] | None = None,
) -> Verdict:
    """A network shows a spectral bias: the exponent's interval lies above the bias threshold."""
    outcome = tests.bias(estimate.lower, estimate.upper)
    name, other = reference or ("", None)
    return Verdict(claim, statement, statistic, estimate, tests.bias_text, outcome, name, other)


def exponent_claims(
    exponents: pd.DataFrame, tests: ClaimTests, main: str, ablation: str | None
) -> list[Verdict]:
    """Single sines: ReLU's bias, Hat's and the B-splines' absence of it, the init ablation."""
    verdicts = []
    statistic = "exponent of learning time against frequency (censored regression, seed bootstrap)"
    for optimizer in _optimizers(exponents):
        name = _optimizer_name(optimizer)
        relu = _estimate(
            _row(exponents, activation="relu", optimizer=optimizer, initialisation=main)
        )
        verdicts.append(
            bias_claim(
                tests,
                f"relu-bias-{optimizer}",
                f"ReLU networks learn low frequencies first ({name})",
                statistic + ", ReLU (a lower bound when censoring leaves it unbounded)",
                relu,
            )
        )
        for activation, label in (
            ("hat", "Hat"),
            ("bspline2", "B-spline p=2"),
            ("bspline3", "B-spline p=3"),
        ):
            row = _row(exponents, activation=activation, optimizer=optimizer, initialisation=main)
            if row is None:
                continue
            prefix = "Hat removes" if activation == "hat" else f"Prediction: the {label} removes"
            verdicts.append(
                comparison(
                    tests,
                    f"{activation}-flat-{optimizer}",
                    f"{prefix} the spectral bias: single sines in 1-D ({name})",
                    f"{statistic}, {label}",
                    _estimate(row),
                    relu,
                )
            )
        default = _row(exponents, activation="hat", optimizer=optimizer, initialisation=ablation)
        if ablation and default is not None:
            hat = _estimate(
                _row(exponents, activation="hat", optimizer=optimizer, initialisation=main)
            )
            verdicts.append(
                bias_claim(
                    tests,
                    f"hat-default-init-{optimizer}",
                    f"With PyTorch's default initialisation Hat shows a bias again ({name})",
                    f"{statistic}, Hat with the default initialisation",
                    _estimate(default),
                    ("Hat, FEM initialisation", hat),
                )
            )
    return verdicts


def speedup_claims(speedups: pd.DataFrame, tests: ClaimTests, problem: str = "") -> list[Verdict]:
    """Hat trains significantly faster than ReLU, per optimizer (``frequency == 0``: all of them).

    ``problem`` (e.g. ``"pde"``) names another experiment's speed-up table,
    whose ratio is of iterations until its error is below the tolerance.
    """
    verdicts = []
    for optimizer in _optimizers(speedups):
        estimate = _estimate(_row(speedups, optimizer=optimizer, frequency=0))
        name = _optimizer_name(optimizer)
        if problem:
            claim, task = f"{problem}-hat-faster-{optimizer}", "solve the Poisson problem (Ritz)"
            statistic = "ratio of median iterations until the relative H1 error is below the "
        else:
            claim, task = f"hat-faster-{optimizer}", "train"
            statistic = "geometric mean over frequencies of the ratio of median learning times, "
        verdicts.append(
            Verdict(
                claim,
                f"Hat networks {task} significantly faster than ReLU ({name})",
                statistic + "ReLU over Hat (bounds from censoring and the records, seed bootstrap)",
                estimate,
                f"lower end at least {tests.speedup:g}",
                above(estimate.lower, estimate.upper, tests.speedup, strict=False),
            )
        )
    return verdicts


#: The multi-frequency settings and how the claims table names them.
SETTINGS = {
    "1d-shallow": "multi-frequency 1-D target, shallow network",
    "1d-deep": "multi-frequency 1-D target, deep network",
    "2d-shallow": "multi-frequency 2-D target, shallow network",
    "2d-deep": "multi-frequency 2-D target, deep network",
}


def component_claims(
    exponents: pd.DataFrame,
    tests: ClaimTests,
    settings: Mapping[str, str],
    prefix: str = "hat-flat",
) -> list[Verdict]:
    """Hat learns every frequency of a multi-frequency target at once, where ReLU does not.

    ``exponents`` (:func:`hatlib.analysis.learning_time_exponents` over the
    components, clustered by seed) has ``setting``, ``activation``,
    ``optimizer``, ``exponent``, ``lower`` and ``upper``.
    """
    verdicts = []
    for setting, description in settings.items():
        cell = exponents[exponents["setting"] == setting]
        for optimizer in _optimizers(cell) if len(cell) else []:
            hat = _row(cell, activation="hat", optimizer=optimizer)
            if hat is None:
                continue
            relu = _estimate(_row(cell, activation="relu", optimizer=optimizer))
            verdicts.append(
                comparison(
                    tests,
                    f"{prefix}-{setting}-{optimizer}",
                    f"Hat removes the spectral bias: {description} ({_optimizer_name(optimizer)})",
                    "exponent of the components' learning times against |k| (seed bootstrap), Hat",
                    _estimate(hat),
                    relu,
                )
            )
    return verdicts


def digits_claims(
    ratios: pd.DataFrame, tests: ClaimTests, speedups: pd.DataFrame | None = None
) -> list[Verdict]:
    """Hat learns the high-frequency part of the digits target as fast as the low one.

    With ``speedups`` (:func:`hatlib.experiments.digits.activation_ratios`):
    Hat learns the high part significantly faster than ReLU with the same first layer.
    """
    verdicts = []
    for row in [] if speedups is None else speedups[speedups["part"] == "high"].itertuples():
        estimate = Estimate(row.ratio, row.lower, row.upper, row.bound)
        verdicts.append(
            Verdict(
                f"hat-faster-digits-high-{row.optimizer}",
                f"Hat learns the high-frequency part of the digits significantly faster than "
                f"ReLU with the same first layer ({_optimizer_name(row.optimizer)})",
                "median over seeds of the learning time of the high part, ReLU over Hat "
                "(paired by seed; bounds from censoring and the records, seed bootstrap)",
                estimate,
                f"lower end at least {tests.speedup:g}",
                above(estimate.lower, estimate.upper, tests.speedup, strict=False),
            )
        )
    for optimizer in _optimizers(ratios):
        hat = _row(ratios, activation="hat", optimizer=optimizer)
        if hat is None:
            continue
        verdicts.append(
            comparison(
                tests,
                f"hat-flat-digits-{optimizer}",
                f"Hat removes the spectral bias: digits, high- against low-frequency part "
                f"({_optimizer_name(optimizer)})",
                "median over seeds of the learning time of the high part over the low part, Hat",
                _estimate(hat),
                _estimate(_row(ratios, activation="relu", optimizer=optimizer)),
                ratio=True,
            )
        )
    return verdicts


#: How the image-classification claims name their optimizers (minibatch training).
IMAGE_OPTIMIZERS = {"sgd": "SGD with momentum", "adam": "Adam"}


def image_accuracy_claims(difference: pd.DataFrame) -> list[Verdict]:
    """Hat CNNs generalise better than ReLU CNNs on image classification, per optimizer.

    ``difference`` (:func:`hatlib.experiments.images.paired_accuracy_difference`,
    with the ``corrected_low`` and ``corrected_high`` columns): the mean over
    random stratified splits of the paired test-accuracy difference Hat - ReLU
    and its corrected resampled t-interval (Nadeau and Bengio: the splits share
    images, so the plain interval is too narrow). Holds when the interval lies
    above 0, does not hold when it lies below, undetermined otherwise.
    """
    verdicts = []
    for row in difference.itertuples():
        estimate = Estimate(row.difference, row.corrected_low, row.corrected_high)
        verdicts.append(
            Verdict(
                f"hat-accuracy-mnist-{row.optimizer}",
                f"Hat CNNs generalise better than ReLU CNNs on image classification "
                f"(MNIST, {IMAGE_OPTIMIZERS.get(row.optimizer, row.optimizer)})",
                f"test accuracy of Hat minus ReLU, mean over {row.pairs} paired random "
                f"splits (corrected resampled t-interval)",
                estimate,
                "interval above 0",
                above(estimate.lower, estimate.upper, 0.0),
            )
        )
    return verdicts


def alternative_claims(ratios: pd.DataFrame, tests: ClaimTests) -> list[Verdict]:
    """Hat learns every frequency no later than Fourier features or SIREN.

    ``ratios`` has per ``dimension`` the ratio (with interval) of the median
    iterations until every frequency is learned, best Hat network over best
    alternative, among methods whose final error is below the tolerance.
    """
    verdicts = []
    for row in ratios.itertuples():
        estimate = Estimate(row.ratio, row.lower, row.upper, row.bound)
        verdicts.append(
            Verdict(
                f"hat-vs-alternatives-{row.dimension}",
                f"Hat learns every frequency no later than Fourier features or SIREN "
                f"({row.dimension[0]}-D multi-frequency target, Adam)",
                f"median iterations until every frequency is learned, {row.hat} over "
                f"{row.alternative} (the fastest of each among methods ending below the tolerance)",
                estimate,
                f"upper end at most {tests.non_inferiority:g}",
                below(estimate.lower, estimate.upper, tests.non_inferiority),
            )
        )
    return verdicts


def classic_claims(exponents: pd.DataFrame, tests: ClaimTests, threshold: float) -> list[Verdict]:
    """The protocol of Rahaman et al.: Hat against ReLU with the same (FEM-like) initialisation.

    ReLU with PyTorch's default initialisation, the protocol's own network,
    is reported as its reference claim.
    """
    verdicts = []
    rows = exponents[np.isclose(exponents["threshold"], threshold)]
    statistic = f"exponent of the first iteration reaching {threshold:g} against k (seed bootstrap)"
    for case in dict.fromkeys(rows["case"]):
        cell = rows[rows["case"] == case]
        default = _row(cell, activation="relu", initialisation="torch_default")
        if default is not None:
            verdicts.append(
                bias_claim(
                    tests,
                    f"classic-relu-bias-{case}",
                    f"Deep ReLU networks learn low frequencies first (Rahaman et al. protocol, "
                    f"{case} amplitudes, PyTorch's initialisation)",
                    statistic + ", ReLU",
                    _estimate(default),
                )
            )
        hat = _row(cell, activation="hat", initialisation="fem_deep")
        if hat is not None:
            verdicts.append(
                comparison(
                    tests,
                    f"classic-hat-flat-{case}",
                    f"Deep Hat networks learn every frequency at about the same time (Rahaman et "
                    f"al. protocol, {case} amplitudes; against ReLU with the same initialisation)",
                    statistic + ", Hat",
                    _estimate(hat),
                    _estimate(_row(cell, activation="relu", initialisation="fem_deep")),
                )
            )
    return verdicts


def pde_claims(
    speedups: pd.DataFrame, exponents: pd.DataFrame, summary: pd.DataFrame, tests: ClaimTests
) -> list[Verdict]:
    """The Ritz solution of the Poisson problem: speed, modes and accuracy of Hat against ReLU."""
    verdicts = speedup_claims(speedups, tests, problem="pde")
    verdicts += [
        dataclasses.replace(v, claim=v.claim.replace("hat-flat-pde-", "pde-hat-flat-"))
        for v in component_claims(
            exponents.assign(setting="pde"),
            tests,
            {"pde": "the modes of the Poisson solution (Ritz)"},
        )
    ]
    hat = summary[summary["activation"] == "hat"]
    if len(hat) and "fem_ratio" in hat:
        ratios = hat["fem_ratio"].dropna()
        best = hat.loc[ratios.idxmin()] if len(ratios) else hat.iloc[0]
        estimate = Estimate(best["fem_ratio"], best["fem_ratio_lower"], best["fem_ratio_upper"])
        verdicts.append(
            Verdict(
                "pde-hat-fem-accuracy",
                "The Hat network's Ritz solution is as accurate as the finite element solution "
                "on its grid",
                f"median final relative H1 error of the Hat network ({best['optimizer']}) over the "
                "FEM one (seed bootstrap)",
                estimate,
                f"upper end at most {tests.fem_factor:g}",
                below(estimate.lower, estimate.upper, tests.fem_factor),
            )
        )
    return verdicts


CLAIM_COLUMNS = [
    "claim",
    "statement",
    "statistic",
    "value",
    "lower",
    "upper",
    "bound",
    "threshold",
    "verdict",
    "reason",
    "reference",
    "reference_value",
    "reference_lower",
    "reference_upper",
]


def claims_table(verdicts: list[Verdict]) -> pd.DataFrame:
    """The verdicts as a tidy table, one row per claim (columns :data:`CLAIM_COLUMNS`)."""
    rows = []
    for v in verdicts:
        reference = v.reference_estimate or NAN
        rows.append(
            {
                "claim": v.claim,
                "statement": v.statement,
                "statistic": v.statistic,
                "value": v.estimate.value,
                "lower": v.estimate.lower,
                "upper": v.estimate.upper,
                "bound": v.estimate.bound,
                "threshold": v.threshold,
                "verdict": v.outcome.verdict,
                "reason": v.outcome.reason,
                "reference": v.reference,
                "reference_value": reference.value,
                "reference_lower": reference.lower,
                "reference_upper": reference.upper,
            }
        )
    return pd.DataFrame(rows, columns=CLAIM_COLUMNS)

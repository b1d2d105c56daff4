"""The claims of the original paper, each tested by a statistic of our results.

:func:`evaluate_claims` turns the result tables into one row per claim: what
the original claims, the statistic that tests it, the threshold the statistic
must meet, its measured value and the verdict (``holds``, ``does not hold``,
or ``undetermined`` when the data cannot give the statistic). The thresholds
are stated here, once, and printed in the paper's claims table.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Learning-time exponent above which a spectral bias is "clearly" present (lower CI end).
BIAS_EXPONENT = 0.5
#: Learning-time exponent below which there is "no" spectral bias (upper CI end).
FLAT_EXPONENT = 0.5
#: Highest-over-lowest frequency learning-iteration ratio below which there is no bias.
FLAT_RATIO = 2.0
#: Median speed-up of Hat over ReLU that counts as "significantly faster".
SPEEDUP = 2.0
#: Tolerance on the eigenvalue decay exponent of the ReLU Gram matrix (theory: -4).
DECAY_TOLERANCE = 0.2
#: Largest relative disagreement between predicted and measured gradient-descent steps.
STEPS_AGREEMENT = 0.1
#: Bound on the condition number of the hat (mass) Gram matrix on uniform grids.
MASS_CONDITION = 4.0
#: Largest ratio of a network's final error to the finite element error counted as "as accurate".
FEM_FACTOR = 2.0
#: Tolerance on the growth exponent of the Hat Ritz Hessian's condition number (theory: 2).
STIFFNESS_TOLERANCE = 0.2


@dataclass(frozen=True)
class Verdict:
    """One row of the claims table.

    Attributes
    ----------
    claim:
        Short identifier, e.g. ``"no-bias-1d-adam"``.
    statement:
        What the original paper claims (or what the theory predicts).
    statistic:
        What is measured, in words.
    threshold:
        The condition on the statistic, in words with its number.
    value:
        The measured statistic (``NaN`` when undetermined).
    holds:
        Whether the condition is met; ``None`` when undetermined.
    """

    claim: str
    statement: str
    statistic: str
    threshold: str
    value: float
    holds: bool | None

    @property
    def verdict(self) -> str:
        """``"holds"``, ``"does not hold"`` or ``"undetermined"``."""
        if self.holds is None:
            return "undetermined"
        return "holds" if self.holds else "does not hold"


def _verdict(claim, statement, statistic, threshold, value, test: Callable[[float], bool]):
    value = float(value) if value is not None else math.nan
    holds = None if not math.isfinite(value) else bool(test(value))
    return Verdict(claim, statement, statistic, threshold, value, holds)


def _exponent(exponents: pd.DataFrame, activation: str, optimizer: str, initialisation: str):
    row = exponents[
        (exponents["activation"] == activation)
        & (exponents["optimizer"] == optimizer)
        & (exponents["initialisation"] == initialisation)
    ]
    return row.iloc[0] if len(row) else None


def _optimizer_name(optimizer: str) -> str:
    return {"sgd": "gradient descent", "adam": "Adam"}.get(optimizer, optimizer)


def exponent_claims(exponents: pd.DataFrame, main: str, ablation: str | None) -> list[Verdict]:
    """ReLU shows a spectral bias and Hat none, per optimizer; the default-init ablation."""
    verdicts = []
    for optimizer in sorted(exponents["optimizer"].unique(), key=["sgd", "adam"].index):
        name = _optimizer_name(optimizer)
        relu = _exponent(exponents, "relu", optimizer, main)
        if relu is not None:
            verdicts.append(
                _verdict(
                    f"relu-bias-{optimizer}",
                    f"ReLU networks learn low frequencies first ({name})",
                    "lower end of the 95% interval of the ReLU learning-time exponent "
                    "(or its lower bound when censoring leaves it unbounded above)",
                    f"> {BIAS_EXPONENT}",
                    relu["lower"],
                    lambda v: v > BIAS_EXPONENT,
                )
            )
        hat = _exponent(exponents, "hat", optimizer, main)
        if hat is not None:
            verdicts.append(
                _verdict(
                    f"hat-flat-{optimizer}",
                    f"Hat removes the spectral bias: single sines in 1-D ({name})",
                    "upper end of the 95% interval of the Hat learning-time exponent",
                    f"< {FLAT_EXPONENT}",
                    hat["upper"],
                    lambda v: v < FLAT_EXPONENT,
                )
            )
        for degree in (2, 3):
            spline = _exponent(exponents, f"bspline{degree}", optimizer, main)
            if spline is not None:
                verdicts.append(
                    _verdict(
                        f"bspline{degree}-flat-{optimizer}",
                        f"Prediction: the degree-{degree} B-spline, whose Gram matrix is a "
                        f"B-spline mass matrix, has no spectral bias either ({name})",
                        f"upper end of the 95% interval of the bspline{degree} exponent",
                        f"< {FLAT_EXPONENT}",
                        spline["upper"],
                        lambda v: v < FLAT_EXPONENT,
                    )
                )
        default = _exponent(exponents, "hat", optimizer, ablation) if ablation else None
        if default is not None and hat is not None:
            verdicts.append(
                _verdict(
                    f"hat-default-init-{optimizer}",
                    f"With PyTorch's default initialisation Hat shows a bias again ({name})",
                    "lower end of the default-init Hat exponent's interval minus the upper "
                    "end of the FEM-init one",
                    "> 0",
                    default["lower"] - hat["upper"],
                    lambda v: v > 0,
                )
            )
    return verdicts


def _speedup_value(speedups: pd.DataFrame) -> float:
    """Median over frequencies of the speed-up, each censored value at its conservative end."""
    usable = speedups[speedups["bound"].isin(["exact", "lower", "upper"])]
    return float(np.median(usable["speedup"])) if len(usable) else math.nan


def speedup_claims(speedups: pd.DataFrame) -> list[Verdict]:
    """Hat trains significantly faster than ReLU, per optimizer."""
    verdicts = []
    for optimizer in sorted(speedups["optimizer"].unique(), key=["sgd", "adam"].index):
        name = _optimizer_name(optimizer)
        verdicts.append(
            _verdict(
                f"hat-faster-{optimizer}",
                f"Hat networks train significantly faster than ReLU ({name})",
                "median over frequencies of the ratio of median iterations to tolerance, "
                "ReLU over Hat",
                f">= {SPEEDUP}",
                _speedup_value(speedups[speedups["optimizer"] == optimizer]),
                lambda v: v >= SPEEDUP,
            )
        )
    return verdicts


def ratio_claims(ratios: pd.DataFrame, setting_names: dict[str, str]) -> list[Verdict]:
    """Hat learns every frequency of a multi-frequency target at about the same time.

    ``ratios`` (:func:`hatlib.analysis.spectral_bias_ratios`) has the columns
    ``setting``, ``activation``, ``optimizer``, ``ratio`` and ``bound``. One
    verdict per setting: the largest Hat ratio over optimizers (``NaN`` if any
    is undetermined).
    """
    verdicts = []
    for setting, description in setting_names.items():
        hat = ratios[(ratios["setting"] == setting) & (ratios["activation"] == "hat")]
        if hat.empty:
            continue
        value = math.nan if (hat["bound"] == "none").any() else float(hat["ratio"].max())
        verdicts.append(
            _verdict(
                f"hat-flat-{setting}",
                f"Hat removes the spectral bias: {description}",
                "largest over optimizers of the median ratio of the iterations to learn the "
                "highest and the lowest frequency, Hat",
                f"<= {FLAT_RATIO}",
                value,
                lambda v: v <= FLAT_RATIO,
            )
        )
    return verdicts


def theory_claims(
    decay: pd.DataFrame, condition: pd.DataFrame, gd_steps: pd.DataFrame
) -> list[Verdict]:
    """The FEM theory's predictions: ReLU eigenvalues fall like k^-4, kappa(M) <= 4, GD steps."""
    largest = decay["num_elements"].max()
    relu = decay[(decay["basis"] == "relu") & (decay["num_elements"] == largest)]
    hat = condition[(condition["basis"] == "hat") & (condition["mesh_ratio"] == 1)]
    finished = gd_steps["relative_difference"].dropna()
    return [
        _verdict(
            "theory-relu-decay",
            "ReLU Gram eigenvalues fall like k^-4 (FEM theory)",
            "distance of the fitted eigenvalue decay exponent from -4, largest grid",
            f"<= {DECAY_TOLERANCE}",
            abs(float(relu["exponent"].iloc[0]) + 4) if len(relu) else math.nan,
            lambda v: v <= DECAY_TOLERANCE,
        ),
        _verdict(
            "theory-hat-condition",
            "The Hat Gram matrix (FEM mass matrix) has condition number at most 4",
            "largest condition number over uniform grids",
            f"<= {MASS_CONDITION:g}",
            float(hat["condition_number"].max()) if len(hat) else math.nan,
            lambda v: v <= MASS_CONDITION + 1e-9,
        ),
        _verdict(
            "theory-gd-steps",
            "Gradient-descent steps follow from the Gram spectrum",
            "largest relative difference between predicted and measured steps",
            f"<= {STEPS_AGREEMENT}",
            float(finished.max()) if len(finished) else math.nan,
            lambda v: v <= STEPS_AGREEMENT,
        ),
    ]


def accuracy_claim(accuracy: pd.DataFrame) -> list[Verdict]:
    """Hat generalises at least as well as ReLU on a two-class digits problem."""
    means = accuracy.groupby("activation")["test_accuracy"].mean()
    if "hat" not in means or "relu" not in means:
        return []
    return [
        _verdict(
            "hat-accuracy-digits",
            "Hat networks generalise slightly better on image classification (digits)",
            "mean test accuracy of Hat minus that of ReLU, over optimizers and seeds",
            ">= 0",
            float(means["hat"] - means["relu"]),
            lambda v: v >= 0,
        )
    ]


def alternative_claims(comparison: pd.DataFrame, tolerance: float) -> list[Verdict]:
    """Hat learns a multi-frequency target no later than Fourier features and SIREN (Adam).

    ``comparison`` (:func:`hatlib.analysis.method_comparison`) has the columns
    ``setting`` (``"1d-shallow"``, ``"1d-fourier"``, ...), ``activation``,
    ``optimizer``, ``final_error``, ``iterations`` and ``censored``. Per
    dimension: Hat's iterations until every frequency is learned (the better
    of its shallow and deep networks) over the fewest of the alternatives'.
    Only methods whose median final relative error is below ``tolerance`` take
    part: a run that learns every frequency and then loses the fit has not
    solved the problem. Undetermined when no Hat network or no alternative
    ends below the tolerance.
    """
    verdicts = []
    adam = comparison[comparison["optimizer"] == "adam"]
    fitted = adam[adam["final_error"] < tolerance]
    for dimension in ("1d", "2d"):
        settings = adam["setting"].str.startswith(dimension)
        alternatives = [f"{dimension}-fourier", f"{dimension}-siren"]
        if (
            not (adam[settings]["activation"] == "hat").any()
            or not adam["setting"].isin(alternatives).any()
        ):
            continue
        hat = fitted[fitted["setting"].str.startswith(dimension) & (fitted["activation"] == "hat")]
        others = fitted[fitted["setting"].isin(alternatives)]
        value = (
            float(hat["iterations"].min()) / max(float(others["iterations"].min()), 1.0)
            if len(hat) and len(others)
            else math.nan
        )
        verdicts.append(
            _verdict(
                f"hat-vs-alternatives-{dimension}",
                f"Hat learns every frequency no later than Fourier features or SIREN "
                f"({dimension[0]}-D multi-frequency target, Adam)",
                "median iterations until every frequency is learned: best Hat network over "
                "the best alternative, among methods whose final error is below the tolerance",
                "<= 1",
                value,
                lambda v: v <= 1.0,
            )
        )
    return verdicts


def classic_claims(ratios: pd.DataFrame, threshold: float) -> list[Verdict]:
    """The protocol of Rahaman et al.: ReLU learns low frequencies first, Hat all at once.

    ``ratios`` (:func:`hatlib.analysis.spectral_bias_ratios` of the first
    iterations reaching each threshold) has the columns ``case``,
    ``activation``, ``initialisation``, ``threshold``, ``ratio`` and ``bound``.
    """
    verdicts = []
    rows = ratios[np.isclose(ratios["threshold"], threshold)]
    for case in dict.fromkeys(rows["case"]):
        cell = rows[rows["case"] == case]
        relu = cell[(cell["activation"] == "relu") & (cell["initialisation"] == "torch_default")]
        hat = cell[cell["activation"] == "hat"]
        if len(relu):
            row = relu.iloc[0]
            verdicts.append(
                _verdict(
                    f"classic-relu-bias-{case}",
                    f"Deep ReLU networks learn low frequencies first (Rahaman et al. protocol, "
                    f"{case} amplitudes)",
                    f"iterations for the highest frequency to reach {threshold:g} over those "
                    "for the lowest (a lower bound when the highest never does)",
                    f"> {FLAT_RATIO}",
                    math.nan if row["bound"] == "none" else row["ratio"],
                    lambda v: v > FLAT_RATIO,
                )
            )
        if len(hat):
            row = hat.iloc[0]
            verdicts.append(
                _verdict(
                    f"classic-hat-flat-{case}",
                    f"Deep Hat networks learn every frequency at about the same time "
                    f"(Rahaman et al. protocol, {case} amplitudes)",
                    f"iterations for the highest frequency to reach {threshold:g} over those "
                    "for the lowest",
                    f"<= {FLAT_RATIO}",
                    math.nan if row["bound"] == "none" else row["ratio"],
                    lambda v: v <= FLAT_RATIO,
                )
            )
    return verdicts


def pde_claims(
    summary: pd.DataFrame, ratios: pd.DataFrame, conditioning: pd.DataFrame | None = None
) -> list[Verdict]:
    """The Ritz solution of the Poisson problem: speed, modes and accuracy of Hat against ReLU.

    ``summary`` has per ``activation`` and ``optimizer`` the ``iterations``
    until the relative H1 error is below the tolerance, ``censored``,
    ``final_h1_error`` and the FEM solution's ``fem_h1_error``; ``ratios`` the
    highest-over-lowest mode learning-iteration ratios (``activation``,
    ``optimizer``, ``ratio``, ``bound``); ``conditioning``
    (:func:`hatlib.pde.ritz_conditioning`) the condition numbers of the
    energy's Hessian per activation and width.
    """
    verdicts = []
    if conditioning is not None:
        from hatlib.pde import conditioning_exponents

        exponents = conditioning_exponents(conditioning).set_index("activation")["exponent"]
        if "hat" in exponents:
            verdicts.append(
                _verdict(
                    "pde-hat-stiffness",
                    "Prediction: the Ritz Hessian of Hat features is a stiffness matrix, with "
                    "condition number growing like the square of the width",
                    "distance of the fitted growth exponent of the condition number from 2",
                    f"<= {STIFFNESS_TOLERANCE}",
                    abs(exponents["hat"] - 2.0),
                    lambda v: v <= STIFFNESS_TOLERANCE,
                )
            )
        if {"hat", "relu"} <= set(conditioning["activation"]):
            wide = conditioning.pivot(
                index="width", columns="activation", values="condition_number"
            )
            verdicts.append(
                _verdict(
                    "pde-hat-better-conditioned",
                    "Prediction: the Ritz Hessian is better conditioned with Hat than with ReLU",
                    "smallest ratio over widths of the ReLU and Hat condition numbers",
                    "> 1",
                    float((wide["relu"] / wide["hat"]).min()),
                    lambda v: v > 1.0,
                )
            )
    for optimizer in [o for o in ("sgd", "adam") if o in set(summary["optimizer"])]:
        name = _optimizer_name(optimizer)
        cell = summary[summary["optimizer"] == optimizer].set_index("activation")
        if {"hat", "relu"} <= set(cell.index):
            hat, relu = cell.loc["hat"], cell.loc["relu"]
            value = (
                math.nan
                if hat["censored"]
                else float(relu["iterations"]) / max(float(hat["iterations"]), 1.0)
            )
            verdicts.append(
                _verdict(
                    f"pde-hat-faster-{optimizer}",
                    f"Hat networks solve the Poisson problem faster than ReLU (Ritz, {name})",
                    "median iterations until the relative H1 error is below the tolerance, "
                    "ReLU over Hat (a lower bound when ReLU's is censored)",
                    f">= {SPEEDUP}",
                    value,
                    lambda v: v >= SPEEDUP,
                )
            )
        hat_ratio = ratios[(ratios["optimizer"] == optimizer) & (ratios["activation"] == "hat")]
        if len(hat_ratio):
            row = hat_ratio.iloc[0]
            verdicts.append(
                _verdict(
                    f"pde-hat-flat-{optimizer}",
                    "Hat learns every mode of the Poisson solution at about the same time "
                    f"({name})",
                    "median ratio of the iterations to learn the highest and the lowest mode, Hat",
                    f"<= {FLAT_RATIO}",
                    math.nan if row["bound"] == "none" else row["ratio"],
                    lambda v: v <= FLAT_RATIO,
                )
            )
    hat = summary[summary["activation"] == "hat"]
    if len(hat):
        verdicts.append(
            _verdict(
                "pde-hat-fem-accuracy",
                "The Hat network's Ritz solution is as accurate as the finite element solution "
                "on its grid",
                "final relative H1 error of the Hat network (better optimizer) over the FEM one",
                f"<= {FEM_FACTOR:g}",
                float(hat["final_h1_error"].min() / hat["fem_h1_error"].iloc[0]),
                lambda v: v <= FEM_FACTOR,
            )
        )
    return verdicts


def claims_table(verdicts: list[Verdict]) -> pd.DataFrame:
    """The verdicts as a tidy table, one row per claim."""
    return pd.DataFrame(
        [
            {
                "claim": v.claim,
                "statement": v.statement,
                "statistic": v.statistic,
                "threshold": v.threshold,
                "value": v.value,
                "verdict": v.verdict,
            }
            for v in verdicts
        ]
    )

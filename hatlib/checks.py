"""Consistency checks of the implementation: theorems and identities, not claims.

Each check compares something the code computes with what mathematics says
it must be (the mass matrix's condition number bound, the eigenvalue decay of
the ReLU Gram matrix, the gradient-descent steps that follow from the Gram
spectrum, a closed form against quadrature). They fail only when the code is
wrong, so they are reported apart from the falsifiable claims
(:mod:`hatlib.claims`) and not counted among them.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

#: Largest distance of the fitted ReLU eigenvalue decay exponent from -4.
DECAY_TOLERANCE = 0.2
#: Bound on the condition number of the Hat (mass) Gram matrix on uniform grids.
MASS_CONDITION = 4.0
#: Largest relative disagreement between predicted and measured gradient-descent steps.
STEPS_AGREEMENT = 0.1
#: Largest distance of the Hat Ritz Hessian's condition-number growth exponent from 2.
STIFFNESS_TOLERANCE = 0.2
#: Largest relative difference between the closed-form ReLU Gram matrix and quadrature.
QUADRATURE_AGREEMENT = 1e-10

CHECK_COLUMNS = ["check", "statement", "statistic", "value", "threshold", "passed"]


def _check(check, statement, statistic, value, threshold, passes) -> dict:
    value = float(value) if value is not None else math.nan
    return {
        "check": check,
        "statement": statement,
        "statistic": statistic,
        "value": value,
        "threshold": threshold,
        "passed": bool(math.isfinite(value) and passes(value)),
    }


def relu_gram_quadrature_error(num_elements: int = 16) -> float:
    """Largest relative difference of :func:`hatlib.fem.relu_gram` from Gauss-Legendre quadrature.

    ``relu(x - x_i) relu(x - x_j)`` is a quadratic on each element, which a
    2-point rule per element integrates exactly.
    """
    from hatlib.fem import relu_gram, uniform_nodes

    nodes = uniform_nodes(num_elements)
    reference, weights = np.polynomial.legendre.leggauss(2)
    left, size = nodes[:-1, None], np.diff(nodes)[:, None]
    x = (left + size * (reference[None, :] + 1) / 2).ravel()
    w = (size * weights[None, :] / 2).ravel()
    features = np.maximum(x[:, None] - nodes[None, :-1], 0.0)  # (points, n)
    quadrature = features.T @ (w[:, None] * features)
    closed = relu_gram(nodes)
    return float(np.max(np.abs(closed - quadrature)) / np.max(np.abs(closed)))


def consistency_checks(
    decay: pd.DataFrame,
    condition: pd.DataFrame,
    gd_steps: pd.DataFrame,
    conditioning: pd.DataFrame | None = None,
    first_layer: pd.DataFrame | None = None,
    tolerance: float | None = None,
) -> pd.DataFrame:
    """The checks as a table (columns :data:`CHECK_COLUMNS`), from the theory stage's tables.

    With ``first_layer`` (:func:`hatlib.experiments.multifrequency.first_layer_table`)
    and the multi-frequency ``tolerance``: the precondition of the 2-D
    experiment, that its first layer, frozen, fits every target component below
    the tolerance, so that a verdict on learning times is not a verdict on what
    the network cannot represent.
    """
    largest = decay["num_elements"].max()
    relu = decay[(decay["basis"] == "relu") & (decay["num_elements"] == largest)]
    hat = condition[(condition["basis"] == "hat") & (condition["mesh_ratio"] == 1)]
    finished = gd_steps["relative_difference"].dropna()
    censored = int(gd_steps["relative_difference"].isna().sum())
    rows = [
        _check(
            "theory-relu-decay",
            "ReLU Gram eigenvalues fall like k^-4 (exact Gram matrix)",
            "distance of the fitted eigenvalue decay exponent from -4, largest grid",
            abs(float(relu["exponent"].iloc[0]) + 4) if len(relu) else math.nan,
            f"<= {DECAY_TOLERANCE}",
            lambda v: v <= DECAY_TOLERANCE,
        ),
        _check(
            "theory-hat-condition",
            "The Hat Gram matrix (FEM mass matrix) has condition number at most 4",
            "largest condition number over uniform grids",
            float(hat["condition_number"].max()) if len(hat) else math.nan,
            f"<= {MASS_CONDITION:g}",
            lambda v: v <= MASS_CONDITION + 1e-9,
        ),
        _check(
            "theory-gd-steps",
            "Gradient-descent steps on the frozen features follow from the Gram spectrum",
            f"largest relative difference between predicted and measured steps "
            f"({censored} runs censored at the cap, left out)",
            float(finished.max()) if len(finished) else math.nan,
            f"<= {STEPS_AGREEMENT}",
            lambda v: v <= STEPS_AGREEMENT,
        ),
        _check(
            "fem-relu-gram-quadrature",
            "The closed-form ReLU Gram matrix equals its integral by exact quadrature",
            "largest relative difference on 16 elements",
            relu_gram_quadrature_error(),
            f"<= {QUADRATURE_AGREEMENT:g}",
            lambda v: v <= QUADRATURE_AGREEMENT,
        ),
    ]
    if conditioning is not None and len(conditioning):
        from hatlib.pde import conditioning_exponents

        exponents = conditioning_exponents(conditioning).set_index("activation")["exponent"]
        if "hat" in exponents:
            rows.append(
                _check(
                    "pde-hat-stiffness",
                    "The Ritz Hessian of Hat features is a stiffness matrix: its condition "
                    "number grows like the square of the width",
                    "distance of the fitted growth exponent of the condition number from 2",
                    abs(exponents["hat"] - 2.0),
                    f"<= {STIFFNESS_TOLERANCE}",
                    lambda v: v <= STIFFNESS_TOLERANCE,
                )
            )
        if {"hat", "relu"} <= set(conditioning["activation"]):
            wide = conditioning.pivot(
                index="width", columns="activation", values="condition_number"
            )
            rows.append(
                _check(
                    "pde-hat-better-conditioned",
                    "The Ritz Hessian is better conditioned with Hat features than with ReLU",
                    "smallest ratio over widths of the ReLU and Hat condition numbers",
                    float((wide["relu"] / wide["hat"]).min()),
                    "> 1",
                    lambda v: v > 1.0,
                )
            )
    if first_layer is not None and tolerance is not None and len(first_layer):
        worst = first_layer.loc[first_layer["best_fit_error"].idxmax()]
        rows.append(
            _check(
                "two-d-first-layer-fits",
                "The 2-D first layer, frozen, fits every target component below the "
                "tolerance, for every activation",
                f"largest best-fit relative error ({worst['activation']}, "
                f"component {worst['frequency']})",
                float(worst["best_fit_error"]),
                f"< {tolerance:g}",
                lambda v: v < tolerance,
            )
        )
    return pd.DataFrame(rows, columns=CHECK_COLUMNS)

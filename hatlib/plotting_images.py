"""The figure of the image-classification experiment (:mod:`hatlib.experiments.images`)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from hatlib.plotting import ACTIVATION_COLOURS, DISPLAY_NAMES, TEXT_WIDTH_INCHES, set_theme

#: Panel titles of the optimizers of the image experiment (minibatch training).
OPTIMIZER_TITLES = {"sgd": "SGD, momentum 0.9", "adam": "Adam"}
MEASURES = (("loss", "cross-entropy loss"), ("accuracy", "error rate, 1 - accuracy"))
#: Error rates below this are drawn on a linear scale (symlog), so 0 errors show.
LINEAR_BELOW = 1e-3


def plot_image_curves(curves: pd.DataFrame) -> plt.Figure:
    """Train and test loss and accuracy per epoch, ReLU against Hat, one column per optimizer.

    ``curves`` has columns ``activation``, ``optimizer``, ``split``, ``epoch``,
    ``train_loss``, ``train_accuracy``, ``test_loss`` and ``test_accuracy`` (the
    stacked curves of :func:`hatlib.experiments.images.run_images`). Lines are means
    over splits, shaded between the lowest and highest split; solid lines are the
    training set, dashed the test set. Loss is on a log axis; accuracy is drawn as the
    error rate ``1 - accuracy`` on a symmetric-log axis (logarithmic above
    :data:`LINEAR_BELOW`, linear below), where 1% and 2% errors stand apart and a
    perfectly fitted training set (error 0) still shows.
    """
    missing = {"activation", "optimizer", "split", "epoch"} - set(curves.columns)
    missing |= {f"{s}_{m}" for s in ("train", "test") for m, _ in MEASURES} - set(curves)
    if missing:
        raise ValueError(f"curves: missing columns {sorted(missing)}")
    set_theme()
    optimizers = [o for o in OPTIMIZER_TITLES if o in set(curves["optimizer"])]
    optimizers += sorted(set(curves["optimizer"]) - set(optimizers))
    figure, axes = plt.subplots(
        2,
        len(optimizers),
        figsize=(TEXT_WIDTH_INCHES, 4.4),
        sharex=True,
        sharey="row",
        squeeze=False,
    )
    for column, optimizer in enumerate(optimizers):
        runs = curves[curves["optimizer"] == optimizer]
        for row, (measure, label) in enumerate(MEASURES):
            axis = axes[row, column]
            for activation, group in runs.groupby("activation", sort=True):
                for part, style in (("train", "-"), ("test", "--")):
                    values = group[f"{part}_{measure}"]
                    if measure == "accuracy":
                        values = 1.0 - values
                    values = values.groupby(group["epoch"])
                    mean, low, high = values.mean(), values.min(), values.max()
                    colour = ACTIVATION_COLOURS.get(activation)
                    axis.plot(
                        mean.index,
                        mean.to_numpy(),
                        ls=style,
                        color=colour,
                        label=f"{DISPLAY_NAMES.get(activation, activation)}, {part}",
                    )
                    axis.fill_between(mean.index, low, high, color=colour, alpha=0.2, lw=0)
            if measure == "accuracy":
                axis.set_yscale("symlog", linthresh=LINEAR_BELOW)
                axis.set_ylim(bottom=0)
            else:
                axis.set_yscale("log")
            if column == 0:
                axis.set_ylabel(label)
            if row == 0:
                axis.set_title(OPTIMIZER_TITLES.get(optimizer, optimizer))
            else:
                axis.set_xlabel("epoch")
    axes[0, -1].legend(frameon=False, fontsize=7)
    sns.despine(fig=figure)
    figure.tight_layout()
    return figure

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
from hatlib.names import DISPLAY_NAMES

#: One colour per activation (or basis), the same in every figure.
ACTIVATION_COLOURS: dict[str, tuple[float, float, float]] = dict(
    zip(
        ["relu", "hat", "tanh", "bspline2", "bspline3"],
        sns.color_palette("colorblind", 5),
        strict=True,
    )
)


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


def _display(name: str) -> str:
    return DISPLAY_NAMES.get(name, name)


def plot_gram_spectrum(spectra: pd.DataFrame, grids: list[int]) -> plt.Figure:
    """Normalised Gram eigenvalues ``lambda / lambda_max`` against mode frequency, log-log.

    ``spectra`` has columns ``basis``, ``num_elements``, ``mesh_ratio``,
    ``frequency`` and ``eigenvalue``; one panel per uniform grid in ``grids``,
    one line per basis, with a ``k^-4`` reference. Modes of frequency 0 (the
    constant-like first mode) cannot sit on a log axis and are left out.
    """
    set_theme()
    uniform = spectra[spectra["mesh_ratio"] == 1]
    figure, axes = plt.subplots(
        1, len(grids), figsize=(TEXT_WIDTH_INCHES, 2.4), sharey=True, squeeze=False
    )
    for axis, size in zip(axes[0], grids, strict=True):
        panel = uniform[uniform["num_elements"] == size]
        for basis, group in panel.groupby("basis", sort=False):
            group = group[group["frequency"] > 0].sort_values("frequency")
            axis.loglog(
                group["frequency"],
                group["eigenvalue"] / panel.loc[panel["basis"] == basis, "eigenvalue"].max(),
                color=ACTIVATION_COLOURS.get(basis),
                label=_display(basis),
            )
        # k^-4 reference through the ReLU spectrum at k = 1 (or 1 without ReLU), shifted up.
        relu = panel[(panel["basis"] == "relu") & (panel["frequency"] >= 1)]
        anchor = 1.0
        if len(relu):
            anchor = (
                10
                * relu["eigenvalue"].iloc[0]
                / panel.loc[panel["basis"] == "relu", "eigenvalue"].max()
            )
        frequencies = np.geomspace(1, size / 2, 50)
        axis.loglog(frequencies, anchor * frequencies**-4.0, color="0.5", ls=":", label=r"$k^{-4}$")
        axis.set_title(f"$n = {size}$")
        axis.set_xlabel("eigenmode frequency $k$")
    axes[0, 0].set_ylabel(r"$\lambda / \lambda_{\max}$")
    axes[0, -1].legend(frameon=False, fontsize=7)
    sns.despine(fig=figure)
    return figure


def plot_condition_number(table: pd.DataFrame) -> plt.Figure:
    """Condition number against grid size ``n`` on uniform grids, log-log, with ``n^4``.

    ``table`` has columns ``basis``, ``mesh_ratio``, ``num_elements`` and
    ``condition_number``.
    """
    set_theme()
    uniform = table[table["mesh_ratio"] == 1]
    figure, axis = plt.subplots(figsize=(COLUMN_WIDTH_INCHES, 2.6))
    for basis, group in uniform.groupby("basis", sort=False):
        group = group.sort_values("num_elements")
        axis.loglog(
            group["num_elements"],
            group["condition_number"],
            marker="o",
            markersize=3,
            color=ACTIVATION_COLOURS.get(basis),
            label=_display(basis),
        )
    sizes = np.sort(uniform["num_elements"].unique()).astype(float)
    relu = uniform[uniform["basis"] == "relu"].sort_values("num_elements")
    anchor = relu["condition_number"].iloc[0] if len(relu) else 1.0
    reference = 4 * anchor * (sizes / sizes[0]) ** 4  # shifted up to stay visible
    axis.loglog(sizes, reference, color="0.5", ls=":", label=r"$n^{4}$")
    axis.set_xscale("log", base=2)
    axis.set_xticks(sizes, [str(int(size)) for size in sizes])
    axis.minorticks_off()
    axis.set_xlabel("elements $n$")
    axis.set_ylabel(r"condition number $\kappa$")
    axis.legend(frameon=False, fontsize=7)
    sns.despine(fig=figure)
    return figure


def plot_eigenfunctions(functions: pd.DataFrame) -> plt.Figure:
    """The first eigenfunctions of each basis, one panel per basis.

    ``functions`` has columns ``basis``, ``mode``, ``x`` and ``value``.
    """
    set_theme()
    bases = list(dict.fromkeys(functions["basis"]))
    figure, axes = plt.subplots(
        1, len(bases), figsize=(TEXT_WIDTH_INCHES, 2.2), sharey=True, squeeze=False
    )
    palette = sns.color_palette("rocket", functions["mode"].nunique())
    for axis, basis in zip(axes[0], bases, strict=True):
        for colour, (mode, group) in zip(
            palette, functions[functions["basis"] == basis].groupby("mode"), strict=True
        ):
            axis.plot(group["x"], group["value"], color=colour, label=f"mode {mode}")
        axis.set_title(_display(basis))
        axis.set_xlabel("$x$")
        axis.axhline(0, color="0.8", lw=0.5)
    axes[0, 0].set_ylabel("eigenfunction (scaled)")
    axes[0, -1].legend(frameon=False, fontsize=7)
    sns.despine(fig=figure)
    return figure


def plot_gd_steps(table: pd.DataFrame) -> plt.Figure:
    """Measured against predicted gradient-descent steps, log-log, with the diagonal.

    ``table`` has columns ``activation``, ``kind`` (sine or mode),
    ``predicted_steps``, ``measured_steps`` and ``censored``; censored runs
    (stopped at the cap) are drawn as open markers.
    """
    set_theme()
    figure, axis = plt.subplots(figsize=(COLUMN_WIDTH_INCHES, 2.8))
    markers = {"sine": "o", "mode": "s"}
    for (activation, kind), group in table.groupby(["activation", "kind"], sort=False):
        colour = ACTIVATION_COLOURS.get(activation)
        for censored, part in group.groupby("censored"):
            axis.scatter(
                part["predicted_steps"],
                part["measured_steps"],
                marker=markers.get(kind, "o"),
                s=16,
                facecolors="none" if censored else colour,
                edgecolors=colour,
                label=f"{_display(activation)}, {kind}" + (" (censored)" if censored else ""),
            )
    finite = table["predicted_steps"].dropna()
    limits = [0.7, max(finite.max(), table["measured_steps"].max()) * 1.5]
    axis.plot(limits, limits, color="0.5", ls=":", lw=1)
    axis.set(xscale="log", yscale="log", xlim=limits, ylim=limits)
    axis.set_xlabel("predicted steps")
    axis.set_ylabel("measured steps")
    axis.legend(frameon=False, fontsize=6)
    sns.despine(fig=figure)
    return figure


def plot_training_error(history: pd.DataFrame) -> plt.Figure:
    """Relative L2 error against iteration: rows optimizers, columns frequencies.

    ``history`` has columns ``activation``, ``optimizer``, ``frequency``,
    ``seed``, ``step``, ``relative_l2_error`` and optionally ``status``; lines
    are medians over seeds with their range shaded, and each diverged run is
    marked with a cross where its last finite error was logged.
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
    _mark_diverged(grid, frame, palette)
    return grid.figure


def _mark_diverged(grid, frame: pd.DataFrame, palette: dict) -> None:
    """Cross at the last finite error of every diverged run, so none is silently dropped."""
    if "status" not in frame:
        return
    diverged = frame[(frame["status"] == "diverged") & np.isfinite(frame["relative_l2_error"])]
    keys = ["activation", "optimizer", "frequency", "seed"]
    for (activation, optimizer, frequency, _), run in diverged.groupby(keys):
        last = run.loc[run["step"].idxmax()]
        axis = grid.axes_dict.get((optimizer, frequency))
        if axis is not None:
            axis.scatter(
                [last["step"]],
                [last["relative_l2_error"]],
                marker="x",
                color=palette.get(activation, "black"),
                zorder=5,
                label="diverged",
            )


def plot_frequency_heatmaps(spectrum: pd.DataFrame, settings: list[str]) -> plt.Figure:
    """``Delta(k)`` over iterations as heatmaps: rows setting x optimizer, columns activation.

    ``spectrum`` has columns ``setting``, ``activation``, ``optimizer``,
    ``seed``, ``step``, ``frequency`` (label), ``magnitude`` and
    ``relative_error``; each cell shows the median over seeds on a log colour
    scale, frequencies ordered by magnitude from the bottom.
    """
    frame = spectrum[spectrum["setting"].isin(settings)]
    activations = [a for a in ACTIVATION_COLOURS if a in set(frame["activation"])]
    optimizers = [o for o in ("sgd", "adam") if o in set(frame["optimizer"])]
    rows = [
        (f"{setting}, {_display(optimizer)}", {"setting": setting, "optimizer": optimizer})
        for setting in settings
        for optimizer in optimizers
    ]
    columns = [(_display(a), {"activation": a}) for a in activations]
    return _heatmap_grid(frame, rows, columns, "relative_error", "magnitude", r"$\Delta(k)$", "$k$")


def plot_digits_components(components: pd.DataFrame) -> plt.Figure:
    """Low- and high-frequency error on the digits over iterations, per optimizer and activation.

    ``components`` has columns ``activation``, ``optimizer``, ``seed``,
    ``step``, ``part`` (``low``/``high``) and ``relative_error``; lines are
    medians over seeds with their range shaded.
    """
    set_theme()
    frame = components.assign(
        activation=components["activation"].map(_display),
        optimizer=components["optimizer"].map(_display),
    )
    palette = {_display(k): v for k, v in ACTIVATION_COLOURS.items()}
    grid = sns.relplot(
        data=frame,
        x="step",
        y="relative_error",
        hue="activation",
        palette={k: v for k, v in palette.items() if k in set(frame["activation"])},
        style="part",
        style_order=["low", "high"],
        col="optimizer",
        kind="line",
        estimator="median",
        errorbar=("pi", 100),
        height=2.0,
        aspect=1.4,
        facet_kws={"sharex": False},
    )
    grid.set(yscale="log")
    grid.set_axis_labels("iteration", "relative error of the part")
    grid.set_titles("{col_name}")
    return grid.figure


def plot_initialisation_ablation(summary: pd.DataFrame, main: str) -> plt.Figure:
    """Iterations to tolerance against frequency for every initialisation x activation.

    ``summary`` (:func:`hatlib.analysis.summarise_runs`) has columns
    ``initialisation``, ``activation``, ``optimizer``, ``frequency``,
    ``iterations_to_tolerance`` and ``censored``; one panel per optimizer,
    medians over seeds, censored runs drawn as open markers at their cap.
    """
    set_theme()
    optimizers = [o for o in ("sgd", "adam") if o in set(summary["optimizer"])]
    figure, axes = plt.subplots(
        1, len(optimizers), figsize=(TEXT_WIDTH_INCHES, 2.4), sharey=True, squeeze=False
    )
    styles = {main: "-"}
    for axis, optimizer in zip(axes[0], optimizers, strict=True):
        panel = summary[summary["optimizer"] == optimizer]
        for (initialisation, activation), runs in panel.groupby(["initialisation", "activation"]):
            style = styles.setdefault(initialisation, "--")
            medians = runs.groupby("frequency")["iterations_to_tolerance"].median()
            label = f"{_display(activation)}, {initialisation.replace('_', ' ')}"
            colour = ACTIVATION_COLOURS.get(activation, "black")
            axis.plot(medians.index, medians.to_numpy(), style, color=colour, label=label)
            for censored, marker in ((False, "o"), (True, "o")):
                points = runs[runs["censored"] == censored]
                axis.scatter(
                    points["frequency"],
                    points["iterations_to_tolerance"],
                    s=10,
                    marker=marker,
                    facecolors="none" if censored else colour,
                    edgecolors=colour,
                    zorder=3,
                )
        axis.set(xscale="log", yscale="log", xlabel="frequency $k$", title=_display(optimizer))
        frequencies = sorted(panel["frequency"].unique())
        axis.set_xticks(frequencies, [str(k) for k in frequencies])
        axis.minorticks_off()
    axes[0][0].set_ylabel("iterations to tolerance")
    axes[0][-1].legend(fontsize=6, frameon=False)
    return figure


def _draw_heatmap(
    axis, cell: pd.DataFrame, value: str, norm, ordering: str, end: float | None = None
) -> object:
    """Median over seeds of ``value`` per frequency (rows, by ``ordering``) and step (columns).

    A seed whose records end before ``end`` (a run stopped early) is marked by a
    dashed red line at its last record.
    """
    from matplotlib.colors import LogNorm

    table = cell.groupby([ordering, "frequency", "step"])[value].median()
    wide = table.unstack("step").sort_index(level=ordering)
    data = wide.to_numpy()
    if isinstance(norm, LogNorm):
        data = np.clip(data, norm.vmin, norm.vmax)
    image = axis.pcolormesh(
        wide.columns.to_numpy(),
        np.arange(len(wide)),
        data,
        norm=norm,
        cmap="viridis",
        shading="nearest",
        linewidth=0,
        rasterized=True,
    )
    axis.set_yticks(np.arange(len(wide)), wide.index.get_level_values("frequency"))
    if end is not None and "seed" in cell:
        for stop in sorted(set(cell.groupby("seed")["step"].max()) - {end}):
            axis.axvline(stop, color="tab:red", linestyle="--", linewidth=0.8)
    return image


def _heatmap_grid(
    frame: pd.DataFrame,
    rows: list[tuple[str, dict]],
    columns: list[tuple[str, dict]],
    value: str,
    ordering: str,
    label: str,
    axis_name: str,
) -> plt.Figure:
    """Heatmaps of ``value`` (frequency against step): one panel per row x column.

    ``rows`` and ``columns`` are ``(title, selection)`` pairs, a selection
    mapping columns of ``frame`` to the value a panel keeps. ``value`` is an
    error (log colour scale from 1e-3 to 1) unless it is ``"magnitude"``
    (linear from 0 to 1); frequencies are ordered by the column ``ordering``.
    Runs that stopped before the last step of ``frame`` are marked where they stopped.
    """
    from matplotlib.colors import LogNorm, Normalize

    set_theme()
    figure, axes = plt.subplots(
        len(rows),
        len(columns),
        figsize=(TEXT_WIDTH_INCHES, (1.7 if len(rows) < 3 else 1.25) * len(rows) + 0.4),
        sharex=True,
        sharey=True,
        squeeze=False,
    )
    norm = Normalize(0.0, 1.0) if value == "magnitude" else LogNorm(vmin=1e-3, vmax=1.0)
    image = None
    for row, (row_title, row_keys) in enumerate(rows):
        for column, (column_title, column_keys) in enumerate(columns):
            axis = axes[row, column]
            keep = np.ones(len(frame), dtype=bool)
            for key, wanted in {**row_keys, **column_keys}.items():
                keep &= (frame[key] == wanted).to_numpy()
            image = _draw_heatmap(axis, frame[keep], value, norm, ordering, frame["step"].max())
            if row == 0:
                axis.set_title(column_title, fontsize=8)
            if column == 0:
                axis.set_ylabel(f"{row_title}\n{axis_name}", fontsize=7)
            if row == len(rows) - 1:
                axis.set_xlabel("iteration")
    if image is not None:
        figure.colorbar(image, ax=axes, label=label, shrink=0.6)
    return figure


def plot_method_heatmaps(spectrum: pd.DataFrame, methods: list[tuple[str, str, str]]) -> plt.Figure:
    """``Delta(k)`` over iterations for several methods: rows optimizer, columns method.

    ``spectrum`` as in :func:`plot_frequency_heatmaps`; ``methods`` lists
    ``(setting, activation, title)`` of the columns (absent ones are skipped).
    """
    present = set(zip(spectrum["setting"], spectrum["activation"], strict=True))
    columns = [
        (title, {"setting": setting, "activation": activation})
        for setting, activation, title in methods
        if (setting, activation) in present
    ]
    optimizers = [o for o in ("sgd", "adam") if o in set(spectrum["optimizer"])]
    rows = [(_display(o), {"optimizer": o}) for o in optimizers]
    return _heatmap_grid(
        spectrum, rows, columns, "relative_error", "magnitude", r"$\Delta(k)$", "$k$"
    )


def plot_classic_heatmaps(spectrum: pd.DataFrame) -> plt.Figure:
    """Normalised output spectrum ``2|f~(k_i)|/(N A_i)`` over iterations (Rahaman et al., Fig. 1).

    ``spectrum`` has columns ``case``, ``activation``, ``initialisation``,
    ``seed``, ``step``, ``frequency`` and ``magnitude``; rows are amplitude
    cases, columns models, each cell the median over seeds on a linear colour
    scale from 0 to 1.
    """
    cases = list(dict.fromkeys(spectrum["case"]))
    models = dict.fromkeys(zip(spectrum["activation"], spectrum["initialisation"], strict=True))
    rows = [(case, {"case": case}) for case in cases]
    columns = [(f"{_display(a)}, {i}", {"activation": a, "initialisation": i}) for a, i in models]
    return _heatmap_grid(
        spectrum.assign(order=spectrum["frequency"]),
        rows,
        columns,
        "magnitude",
        "order",
        r"$2|\tilde f(k_i)|/(N A_i)$",
        "$k_i$",
    )


def plot_pde_modes(modes: pd.DataFrame) -> plt.Figure:
    """Relative error of each mode of the Poisson solution over iterations.

    ``modes`` has columns ``activation``, ``optimizer``, ``seed``, ``step``,
    ``mode`` (``k`` of ``sin(pi k x)``) and ``relative_error``; rows are
    optimizers, columns activations, lines medians over seeds (range shaded).
    """
    set_theme()
    frame = modes.assign(
        activation=modes["activation"].map(_display),
        optimizer=modes["optimizer"].map(_display),
        mode=modes["mode"].map(lambda k: f"$k = {k}$"),
    )
    grid = sns.relplot(
        data=frame,
        x="step",
        y="relative_error",
        hue="mode",
        hue_order=[f"$k = {k}$" for k in sorted(modes["mode"].unique())],
        palette="colorblind",
        row="optimizer",
        col="activation",
        kind="line",
        estimator="median",
        errorbar=("pi", 100),
        height=1.7,
        aspect=TEXT_WIDTH_INCHES / 1.7 / max(modes["activation"].nunique(), 1) * 0.85,
    )
    grid.set(yscale="log")
    grid.set_axis_labels("iteration", "mode error")
    grid.set_titles("{col_name}, {row_name}")
    return grid.figure


def plot_pde_widths(widths: pd.DataFrame) -> plt.Figure:
    """Final relative L2 and H1 errors against width: trained networks and exact minimisers.

    ``widths`` has columns ``activation`` (``fem`` for the finite element
    solution on the Hat grid), ``optimizer`` (``exact`` for a solution
    computed directly: the FEM solution, and each network's output layer
    solved exactly), ``width``, ``seed``, ``relative_l2_error`` and
    ``relative_h1_error``; medians over seeds, log-log. Trained networks are
    solid lines, exact solutions dashed.
    """
    from matplotlib.ticker import NullLocator

    set_theme()
    long = widths.melt(
        id_vars=["activation", "optimizer", "width", "seed"],
        value_vars=["relative_l2_error", "relative_h1_error"],
        var_name="norm",
        value_name="error",
    )
    long["norm"] = long["norm"].map(
        {"relative_l2_error": "relative $L^2$ error", "relative_h1_error": "relative $H^1$ error"}
    )
    long["activation"] = long["activation"].map(lambda a: "FEM (P1)" if a == "fem" else _display(a))
    long["solution"] = np.where(long["optimizer"] == "exact", "exact", "trained")
    palette = {_display(k): v for k, v in ACTIVATION_COLOURS.items()}
    palette["FEM (P1)"] = (0.3, 0.3, 0.3)
    figure, axes = plt.subplots(1, 2, figsize=(TEXT_WIDTH_INCHES * 0.95, 2.4), sharex=True)
    for axis, (norm, frame) in zip(axes, long.groupby("norm", sort=False), strict=True):
        sns.lineplot(
            data=frame,
            x="width",
            y="error",
            hue="activation",
            style="solution",
            style_order=[s for s in ("trained", "exact") if s in set(frame["solution"])],
            palette={k: v for k, v in palette.items() if k in set(frame["activation"])},
            estimator="median",
            errorbar=None,
            markers=True,
            ax=axis,
        )
        axis.set(xscale="log", yscale="log", xlabel="width (units)", ylabel=norm)
        ticks = sorted(frame["width"].unique())
        axis.set_xticks(ticks, [str(t) for t in ticks])
        axis.xaxis.set_minor_locator(NullLocator())
    axes[0].get_legend().remove()
    axes[1].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False)
    figure.subplots_adjust(wspace=0.4)
    return figure

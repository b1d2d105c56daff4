"""What the paper says in numbers: its generated macros and tables.

Every number in ``paper/main.tex`` comes from a function here, through
:mod:`hatlib.latex`; nothing is typed by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from hatlib.latex import booktabs_table, escape, format_number, macro_name
from hatlib.names import DISPLAY_NAMES


def _name(key: str) -> str:
    return DISPLAY_NAMES.get(key, key)


def setup_macros(train: Mapping[str, Any], data: Mapping[str, Any], tolerance: float) -> dict:
    """Macros describing the protocol that ran (from the resolved configuration)."""
    runs = (
        len(train["activations"])
        * len(train["optimizers"])
        * len(train["frequencies"])
        * train["seeds"]
    )
    return {
        "NumRuns": str(runs),
        "NumSeeds": str(train["seeds"]),
        "Width": str(train["width"]),
        "NumPoints": str(data["num_points"]),
        "Iterations": str(train["iterations"]),
        "Tolerance": format_number(tolerance),
        "MaxFrequency": str(max(train["frequencies"])),
    }


def condition_number_macros(table: pd.DataFrame) -> dict:
    """Condition numbers on uniform grids per basis, and the P1 mass matrix on graded grids.

    ``table`` has columns ``basis``, ``mesh_ratio``, ``num_elements``,
    ``condition_number``. Per basis: the largest uniform-grid value, its grid,
    and the growth per grid doubling (geometric mean of ``kappa(2n)/kappa(n)``,
    16 for ``n^4`` growth). For ``hat`` on graded grids: the value at the largest
    mesh ratio.
    """
    macros = {}
    uniform = table[table["mesh_ratio"] == 1]
    for basis, group in uniform.groupby("basis"):
        group = group.sort_values("num_elements")
        kappa = group["condition_number"].to_numpy()
        sizes = group["num_elements"].to_numpy()
        macros[macro_name("kappa", basis, "max")] = format_number(kappa.max())
        macros[macro_name("kappa", basis, "max", "grid")] = str(int(sizes[kappa.argmax()]))
        if len(sizes) > 1:
            doublings = np.log2(sizes[-1] / sizes[0])
            growth = (kappa[-1] / kappa[0]) ** (1.0 / doublings)
            macros[macro_name("kappa", basis, "growth")] = format_number(growth)
    graded = table[(table["basis"] == "hat") & (table["mesh_ratio"] > 1)]
    if len(graded):
        worst = graded.loc[graded["mesh_ratio"].idxmax()]
        macros["MaxMeshRatio"] = str(int(worst["mesh_ratio"]))
        macros["KappaHatMaxRatio"] = format_number(worst["condition_number"])
        macros["GradedElements"] = str(int(worst["num_elements"]))
    return macros


def decay_macros(decay: pd.DataFrame) -> dict:
    """Eigenvalue decay exponent per basis on the largest grid, with its confidence interval."""
    from hatlib.modes import CONFIDENCE_LEVEL

    macros = {"ConfidenceLevel": f"{100 * CONFIDENCE_LEVEL:.0f}"}
    largest = decay["num_elements"].max()
    macros["DecayGrid"] = str(int(largest))
    for row in decay[decay["num_elements"] == largest].itertuples():
        macros[macro_name("decay", row.basis)] = format_number(row.exponent, 4)
        macros[macro_name("decay", row.basis, "interval")] = (
            f"[{format_number(row.lower, 3)}, {format_number(row.upper, 3)}]"
        )
    return macros


def gd_step_macros(steps: pd.DataFrame) -> dict:
    """Agreement of predicted and measured gradient-descent steps.

    The worst relative difference over uncensored runs (in percent), the
    number of runs compared and censored, and per activation the steps for
    the highest sine frequency.
    """
    compared = steps[~steps["censored"].astype(bool)]
    macros = {
        "GdWorstDifference": format_number(100 * compared["relative_difference"].max(), 2),
        "GdComparedRuns": str(len(compared)),
        "GdCensoredRuns": str(len(steps) - len(compared)),
    }
    sines = steps[steps["kind"] == "sine"]
    if len(sines):
        top = sines["index"].max()
        macros["GdTopFrequency"] = str(int(top))
        for row in sines[sines["index"] == top].itertuples():
            macros[macro_name("gd", "steps", row.activation)] = format_number(row.predicted_steps)
    return macros


def _clean(value: float) -> float:
    """``value`` with rounding noise of a zero (below ``1e-9`` in magnitude) set to zero."""
    return 0.0 if abs(value) < 1e-9 else value


def exponent_phrase(exponent: float, lower: float, upper: float) -> str:
    """The learning-time exponent with its interval as text, or why it is missing."""
    exponent, lower, upper = _clean(exponent), _clean(lower), _clean(upper)
    if not np.isfinite(exponent):
        if np.isfinite(lower):
            return f"at least {format_number(lower, 2)}"
        return "not measurable (too few uncensored runs)"
    value = format_number(exponent, 2)
    if np.isfinite(lower) and np.isposinf(upper):
        return f"{value} [{format_number(lower, 2)}, $\\infty$)"
    if not (np.isfinite(lower) and np.isfinite(upper)):
        return f"{value} (interval not identified)"
    return f"{value} [{format_number(lower, 2)}, {format_number(upper, 2)}]"


def exponent_macros(exponents: pd.DataFrame) -> dict:
    """One text-mode macro per initialisation, activation and optimizer: exponent and interval.

    The main initialisation's macros have no initialisation in their name.
    """
    macros = {}
    for row in exponents.itertuples():
        parts = ["exponent", row.activation, row.optimizer]
        if row.initialisation != "fem_grid":
            parts.append(row.initialisation)
        macros[macro_name(*parts)] = exponent_phrase(row.exponent, row.lower, row.upper)
    # the paper quotes the B-spline exponents: say so when a configuration does not train them
    for activation in ("bspline2", "bspline3"):
        for optimizer in ("sgd", "adam"):
            macros.setdefault(
                macro_name("exponent", activation, optimizer), "not measured (not trained)"
            )
    return macros


def speedup_table(speedups: pd.DataFrame) -> str:
    """Booktabs table: Hat's speed-up over ReLU per optimizer (rows) and frequency (columns).

    A censored ReLU median makes the cell a lower bound (``> x``), a censored
    Hat median an upper bound (``< x``); both censored: a dash.
    """
    speedups = speedups[speedups["frequency"] != 0]  # 0: the mean over frequencies
    frequencies = sorted(speedups["frequency"].unique())
    header = ["optimizer", *(f"$k = {k}$" for k in frequencies)]
    rows = []
    for optimizer, group in speedups.groupby("optimizer", sort=False):
        cells = [_name(optimizer)]
        for k in frequencies:
            row = group[group["frequency"] == k]
            if row.empty or row["bound"].iloc[0] == "none":
                cells.append("--")
                continue
            prefix = {"lower": "$>$", "upper": "$<$"}.get(row["bound"].iloc[0], "")
            cells.append(f"{prefix}${format_number(row['speedup'].iloc[0], 2)}$")
        rows.append(cells)
    return booktabs_table(header, rows, "l" + "r" * len(frequencies))


def digits_macros(accuracy: pd.DataFrame) -> dict:
    """Mean test accuracy per activation on the digits, in percent."""
    means = accuracy.groupby("activation")["test_accuracy"].mean()
    return {
        macro_name("accuracy", activation): format_number(100 * value, 3)
        for activation, value in means.items()
    }


def final_error_macros(summary: pd.DataFrame) -> dict:
    """Median final relative error at the highest frequency, per activation and optimizer."""
    top = summary[summary["frequency"] == summary["frequency"].max()]
    medians = top.groupby(["activation", "optimizer"])["final_error"].median()
    return {
        macro_name("final", "error", activation, optimizer): format_number(value)
        for (activation, optimizer), value in medians.items()
    }


def _basis_table(wide: pd.DataFrame, index_header: str) -> str:
    header = [index_header, *(rf"$\kappa$ ({_name(basis)})" for basis in wide.columns)]
    rows = [
        [str(int(key)), *(f"${format_number(value)}$" for value in values)]
        for key, values in zip(wide.index, wide.to_numpy(), strict=True)
    ]
    return booktabs_table(header, rows, "r" * len(header))


def condition_number_table(table: pd.DataFrame) -> str:
    """Booktabs table: uniform grid size ``n`` against the condition number of each basis."""
    uniform = table[table["mesh_ratio"] == 1]
    wide = uniform.pivot(index="num_elements", columns="basis", values="condition_number")
    return _basis_table(wide, "$n$")


def mesh_ratio_table(table: pd.DataFrame) -> str:
    """Booktabs table: mesh ratio of the graded grids against the condition number of each basis.

    The uniform grid (ratio 1) of the same size is the first row.
    """
    graded_size = table.loc[table["mesh_ratio"] > 1, "num_elements"]
    size = int(graded_size.iloc[0]) if len(graded_size) else int(table["num_elements"].min())
    same = table[table["num_elements"] == size]
    wide = same.pivot(index="mesh_ratio", columns="basis", values="condition_number")
    return _basis_table(wide, "mesh ratio")


def learning_time_table(summary: pd.DataFrame) -> str:
    """Booktabs table: median iterations to tolerance per activation, optimizer and frequency.

    A median that is censored (more than half of the seeds never reached the
    tolerance) is shown as ``> cap``; runs that diverged are counted in the
    cell (``2 div.``), or make it ``diverged`` when all of them did.
    """
    frequencies = sorted(summary["frequency"].unique())
    header = ["activation", "optimizer", *(f"$k = {k}$" for k in frequencies)]
    rows = []
    for (activation, optimizer), group in summary.groupby(["activation", "optimizer"]):
        cells = [_name(activation), _name(optimizer)]
        for k in frequencies:
            runs = group[group["frequency"] == k]
            diverged = int((runs.get("status", pd.Series(dtype=str)) == "diverged").sum())
            if diverged == len(runs):
                cells.append("diverged")
                continue
            median = int(np.median(runs["iterations_to_tolerance"]))
            prefix = "$>$" if runs["censored"].mean() > 0.5 else ""
            suffix = f" ({diverged} div.)" if diverged else ""
            cells.append(f"{prefix}{median}{suffix}")
        rows.append(cells)
    return booktabs_table(header, rows, "ll" + "r" * len(frequencies))


def _stop_sentence(hold: int | None, condition: str) -> str:
    """The paper's sentence on the rule that stops a learned run (``hold`` steps, or never)."""
    if hold is None:
        return "Every run trains for all its iterations."
    return (
        f"A run stops once {condition} at every record for ${hold}$ iterations; every "
        "learning time is read off records before the stop, so none changes."
    )


def _list(values) -> str:
    return ", ".join(str(value) for value in values)


def methods_table(
    data: Mapping[str, Any],
    train: Mapping[str, Any],
    theory: Mapping[str, Any],
    fem: Mapping[str, Any],
    tolerance: float,
    chosen: pd.DataFrame | None = None,
    grid: Mapping[str, Any] | None = None,
    multi: Mapping[str, Any] | None = None,
    digits: Mapping[str, Any] | None = None,
    classic: Mapping[str, Any] | None = None,
    pde: Mapping[str, Any] | None = None,
) -> str:
    """Booktabs table of every protocol choice, rendered from the resolved configuration.

    ``chosen`` (initialisation, activation, optimizer, learning_rate) lists the
    learning rates the selection rule picked; ``grid`` the candidates per optimizer;
    ``multi``, ``digits``, ``classic`` and ``pde`` the sections of those experiments.
    """
    rows = [
        ["sample grid", f"{data['num_points']} points of $[0, 1)$, endpoint excluded"],
        ["target frequencies $k$", _list(train["frequencies"])],
        ["activations", _list(_name(a) for a in train["activations"])],
        ["hidden units", str(train["width"])],
        ["initialisation", escape(train["initialisation"])],
        ["optimizers", _list(_name(o) for o in train["optimizers"])],
        *[
            [f"learning-rate candidates, {_name(o)}", _list(f"${format_number(r)}$" for r in g)]
            for o, g in (grid or {}).items()
        ],
        *[
            [
                f"learning rate, {_name(r.activation)}, {_name(r.optimizer)}"
                + (
                    ""
                    if r.initialisation == train["initialisation"]
                    else f" ({escape(r.initialisation)})"
                ),
                f"${format_number(r.learning_rate)}$",
            ]
            for r in (chosen.itertuples() if chosen is not None else [])
        ],
        ["iterations (cap)", str(train["iterations"])],
        ["trained parameters", escape(train["trainable"])],
        ["error logged every", f"{train['log_every']} steps"],
        ["seeds per setting", str(train["seeds"])],
        ["floating point", escape(train["dtype"])],
        ["tolerance (relative $L^2$ error)", f"${format_number(tolerance)}$"],
        ["FEM grids $n$", _list(fem["grid_sizes"])],
        [
            "random grids",
            f"{fem['graded_elements']} elements, mesh ratios {_list(fem['mesh_ratios'])}",
        ],
        ["theory: hidden units, samples", f"{theory['width']}, {theory['num_points']}"],
        [
            "theory: targets",
            f"sines $k$ = {_list(theory['frequencies'])}; modes {_list(theory['modes'])}",
        ],
        ["theory: error reduction, step cap", f"{theory['reduction']}, {theory['max_steps']}"],
        *_experiment_rows(train, multi, digits),
        *_beyond_rows(multi, classic, pde),
    ]
    return booktabs_table(["setting", "value"], rows, "ll")


def _beyond_rows(
    multi: Mapping[str, Any] | None,
    classic: Mapping[str, Any] | None,
    pde: Mapping[str, Any] | None,
) -> list[list[str]]:
    """Methods-table rows of the alternatives, the classic protocol and the Poisson problem."""
    rows = []
    alternatives = (multi or {}).get("alternatives", {})
    if "fourier" in alternatives:
        spec = alternatives["fourier"]
        rows.append(
            [
                "Fourier features",
                f"{spec['features']} rows of $B$, $\\sigma = {format_number(spec['sigma'])}$; "
                rf"ReLU {spec['depth']} $\times$ {spec['width']} units",
            ]
        )
    if "siren" in alternatives:
        spec = alternatives["siren"]
        rows.append(
            [
                "SIREN",
                rf"{spec['depth']} $\times$ {spec['width']} units, "
                f"$\\omega_0 = {format_number(spec['omega0'])}$",
            ]
        )
    if classic:
        rows += [
            [
                "classic protocol: network",
                rf"{classic['depth']} $\times$ {classic['width']} units, "
                + _list(
                    f"{_name(m['activation'])} ({escape(m['initialisation'])})"
                    for m in classic["models"]
                ),
            ],
            [
                "classic protocol: data, steps",
                f"{classic['num_points']} points, $k_i$ = {_list(classic['frequencies'])}; "
                f"Adam ${format_number(classic['learning_rate'])}$, {classic['iterations']} steps",
            ],
        ]
    if pde:
        rows += [
            [
                "Poisson problem: modes, units",
                f"{_list(pde['modes'])}; {pde['width']} units "
                f"(widths {_list(pde['widths'])}), {escape(pde['trainable'])} layer trained",
            ],
            [
                "Poisson problem: steps, seeds, quadrature",
                f"{pde['iterations']}, {pde['seeds']}, {pde['quadrature_cells']} cells "
                "$\\times$ 3 Gauss points",
            ],
        ]
    return rows


def _experiment_rows(
    train: Mapping[str, Any], multi: Mapping[str, Any] | None, digits: Mapping[str, Any] | None
) -> list[list[str]]:
    """Methods-table rows of the learning-rate rule, ablation, multi-frequency and digits runs."""
    rows = []
    selection = train.get("learning_rate_selection")
    if selection:
        rows.append(
            [
                "learning-rate rule",
                f"$k = {selection['frequency']}$, {selection['iterations']} steps, "
                f"{selection['seeds']} seeds; lowest median error, no divergence",
            ]
        )
    ablation = train.get("ablation")
    if ablation and ablation["initialisations"]:
        rows.append(
            [
                "initialisation ablation",
                f"{_list(_name(a) for a in ablation['activations'])} with "
                f"{_list(escape(i) for i in ablation['initialisations'])}",
            ]
        )
    if multi:
        shallow, deep = multi["networks"]["shallow"], multi["networks"]["deep"]
        two_d = multi["two_d"]
        rows += [
            ["multi-frequency: 1-D $k_j$", _list(multi["one_d"]["frequencies"])],
            [
                "multi-frequency: 2-D $k_j$",
                _list(f"$({a}, {b})$" for a, b in two_d["frequencies"])
                + f" on a ${two_d['points_per_side']}^2$ grid",
            ],
            [
                "multi-frequency: networks",
                f"shallow {shallow['width']} units; deep {deep['depth']} "
                rf"$\times$ {deep['width']} units",
            ],
            [
                "multi-frequency: steps, seeds, tolerance",
                f"{multi['iterations']}, {multi['seeds']}, "
                rf"$\Delta(k) < {format_number(multi['tolerance'])}$",
            ],
        ]
    if digits:
        rows += [
            [
                "digits: classes, test share",
                f"{digits['classes'][0]} vs {digits['classes'][1]}, "
                f"${format_number(digits['test_fraction'])}$",
            ],
            [
                "digits: units, steps, seeds",
                f"{digits['width']}, {digits['iterations']}, {digits['seeds']}",
            ],
            [
                "digits: high part's share of the target's norm",
                f"${format_number(digits['high_share'])}$ (sets the filter width)",
            ],
        ]
    return rows


def reproducibility_appendix(
    metadata: list[dict], runtimes: pd.DataFrame, commit: str, configuration_hash: str
) -> str:
    """Two booktabs tables: the software and machine that ran, and time per rule.

    ``metadata`` are the training runs' descriptions (their ``environment``);
    ``runtimes`` has columns ``rule`` and ``seconds``, one row per job.
    """
    environment = metadata[0]["environment"]
    versions = environment["versions"]
    devices = sorted({run["environment"]["device"] for run in metadata})
    rows = [
        *[[escape(name), escape(str(version))] for name, version in sorted(versions.items())],
        ["training device", escape(", ".join(devices))],
        ["platform", escape(environment["platform"])],
        ["machine", escape(environment["machine"])],
        ["git commit", r"\texttt{" + escape(commit) + "}"],
        ["configuration hash", r"\texttt{" + escape(configuration_hash) + "}"],
    ]
    software = booktabs_table(["item", "value"], rows, "ll")
    per_rule = runtimes.groupby("rule")["seconds"].agg(["count", "sum"]).reset_index()
    time_rows = [
        [escape(row.rule), str(int(row.count)), f"${format_number(row.sum)}$"]
        for row in per_rule.itertuples()
    ]
    time_rows.append(
        ["all", str(int(per_rule["count"].sum())), f"${format_number(per_rule['sum'].sum())}$"]
    )
    timing = booktabs_table(["rule", "jobs", "seconds"], time_rows, "lrr")
    return software + "\n\\bigskip\n\n" + timing


def experiment_macros(
    train: Mapping[str, Any], multi: Mapping[str, Any], digits: Mapping[str, Any]
) -> dict:
    """Macros describing the learning-rate rule, multi-frequency and digits protocols."""
    selection = train["learning_rate_selection"]
    shallow, deep = multi["networks"]["shallow"], multi["networks"]["deep"]
    one_d, two_d = multi["one_d"], multi["two_d"]
    return {
        "SelectionFrequency": str(selection["frequency"]),
        "SelectionIterations": str(selection["iterations"]),
        "SelectionSeeds": str(selection["seeds"]),
        "MultiFrequencies": _list(one_d["frequencies"]),
        "MultiNumPoints": str(one_d["num_points"]),
        "MultiTwoFrequencies": _list(f"$({a}, {b})$" for a, b in two_d["frequencies"]),
        "MultiGridSide": str(two_d["points_per_side"]),
        "MultiSeeds": str(multi["seeds"]),
        "MultiIterations": str(multi["iterations"]),
        "MultiSelectionIterations": str(multi["selection_iterations"]),
        "MultiTolerance": format_number(multi["tolerance"]),
        "MultiStop": _stop_sentence(
            multi.get("stop_after_learned"),
            rf"every $\Delta(k)$ has stayed below ${format_number(multi['tolerance'])}$",
        ),
        "ShallowWidth": str(shallow["width"]),
        "DeepDepth": str(deep["depth"]),
        "DeepWidth": str(deep["width"]),
        "TwoDWidth": str(two_d["width"]),
        "ElementsPerPeriod": format_number(two_d["elements_per_period"]),
        "DigitClassA": str(digits["classes"][0]),
        "DigitClassB": str(digits["classes"][1]),
        "DigitsWidth": str(digits["width"]),
        "DigitsIterations": str(digits["iterations"]),
        "DigitsSeeds": str(digits["seeds"]),
        "DigitsHighShare": format_number(digits["high_share"]),
        "DigitsTestPercent": format_number(100 * digits["test_fraction"]),
        "DigitsSource": "scikit-learn's bundled digits (8 by 8 pixels)"
        if digits["images"] is None
        else "MNIST (IDX files)",
    }


def speedup_macros(speedups: pd.DataFrame) -> dict:
    """Hat's speed-up over ReLU over all frequencies (``frequency == 0``), per optimizer."""
    macros = {}
    for row in speedups[speedups["frequency"] == 0].itertuples():
        prefix = "at least " if row.bound == "lower" else ""
        value = row.lower if np.isnan(row.speedup) else row.speedup
        macros[macro_name("speedup", row.optimizer)] = (
            f"{prefix}{format_number(value, 2)} [{format_number(row.lower, 2)}, "
            + ("$\\infty$)" if np.isposinf(row.upper) else f"{format_number(row.upper, 2)}]")
        )
    return macros


def _iterations_cell(iterations: float, censored: bool) -> str:
    """Iterations as a table cell; a censored value is a lower bound (``$\\geq$``)."""
    if not np.isfinite(iterations):
        return "--"
    return (r"$\geq$" if censored else "") + f"${round(iterations)}$"


#: Rows of the alternatives table: (setting suffix, activation, label).
COMPARISON_METHODS = [
    ("shallow", "relu", "ReLU, shallow"),
    ("deep", "relu", "ReLU, deep"),
    ("shallow", "hat", "Hat, shallow"),
    ("deep", "hat", "Hat, deep"),
    ("fourier", "relu", "Fourier features + ReLU"),
    ("siren", "sine", "SIREN"),
]


def comparison_table(comparison: pd.DataFrame) -> str:
    """Booktabs table: final error and iterations until every frequency is learned.

    ``comparison`` (:func:`hatlib.analysis.method_comparison`) has the columns
    ``setting`` (``"1d-shallow"``, ...), ``activation``, ``optimizer``,
    ``final_error``, ``iterations`` and ``censored``. Rows are methods per
    input dimension, column pairs optimizers.
    """
    optimizers = [o for o in ("sgd", "adam") if o in set(comparison["optimizer"])]
    header = ["target", "method"]
    for optimizer in optimizers:
        header += [f"error ({_name(optimizer)})", f"iterations ({_name(optimizer)})"]
    rows = []
    for dimension in ("1d", "2d"):
        for suffix, activation, label in COMPARISON_METHODS:
            cell = comparison[
                (comparison["setting"] == f"{dimension}-{suffix}")
                & (comparison["activation"] == activation)
            ]
            if cell.empty:
                continue
            row = [f"{dimension[0]}-D", escape(label)]
            for optimizer in optimizers:
                match = cell[cell["optimizer"] == optimizer]
                if match.empty:
                    row += ["--", "--"]
                    continue
                entry = match.iloc[0]
                row += [
                    f"${format_number(entry['final_error'], 2)}$",
                    _iterations_cell(entry["iterations"], bool(entry["censored"])),
                ]
            rows.append(row)
    return booktabs_table(header, rows, "ll" + "rr" * len(optimizers))


def classic_table(learned: pd.DataFrame) -> str:
    """Booktabs table: first iteration each frequency reaches each threshold, per model.

    ``learned`` (:func:`hatlib.experiments.classic.first_reaching`) has the columns
    ``case``, ``activation``, ``initialisation``, ``seed``, ``frequency``,
    ``threshold``, ``iterations`` and ``censored``; cells are medians over
    seeds (``$\\geq$`` when the median run never reached the threshold).
    """
    frequencies = sorted(learned["frequency"].unique())
    header = ["amplitudes", "model", "level", *(f"${k}$" for k in frequencies)]
    rows = []
    keys = ["case", "activation", "initialisation", "threshold"]
    for (case, activation, initialisation, threshold), group in learned.groupby(keys, sort=False):
        row = [
            escape(case),
            escape(f"{_name(activation)}, {initialisation}"),
            format_number(threshold),
        ]
        for k in frequencies:
            runs = group[group["frequency"] == k]
            values = runs["iterations"].to_numpy(dtype=float)
            censored = runs["censored"].to_numpy(dtype=bool)
            order = np.lexsort((values, censored))
            middle = order[(len(order) - 1) // 2]
            row.append(_iterations_cell(values[middle], bool(censored[middle])))
        rows.append(row)
    return booktabs_table(header, rows, "lll" + "r" * len(frequencies))


def pde_table(summary: pd.DataFrame) -> str:
    """Booktabs table of the Ritz solutions: rate, final errors, iterations to tolerance.

    ``summary`` has per ``activation`` and ``optimizer`` the chosen
    ``learning_rate``, ``final_l2_error``, ``final_h1_error``, ``iterations``,
    ``censored`` and the FEM solution's ``fem_l2_error`` and ``fem_h1_error``
    (one row for it at the end). With the columns ``minimiser_l2_error`` and
    ``minimiser_h1_error`` (the energy's exact minimiser over each network's
    output layer), one row per activation before the FEM row.
    """
    header = ["solution", "optimizer", "learning rate", "$L^2$ error", "$H^1$ error", "iterations"]
    rows = []
    for row in summary.itertuples():
        rows.append(
            [
                _name(row.activation),
                _name(row.optimizer),
                f"${format_number(row.learning_rate)}$",
                f"${format_number(row.final_l2_error, 2)}$",
                f"${format_number(row.final_h1_error, 2)}$",
                _iterations_cell(row.iterations, bool(row.censored)),
            ]
        )
    if {"minimiser_l2_error", "minimiser_h1_error"} <= set(summary.columns):
        for activation, row in summary.groupby("activation", sort=False).first().iterrows():
            rows.append(
                [
                    f"{_name(activation)} (output layer solved)",
                    "--",
                    "--",
                    f"${format_number(row['minimiser_l2_error'], 2)}$",
                    f"${format_number(row['minimiser_h1_error'], 2)}$",
                    "--",
                ]
            )
    first = summary.iloc[0]
    rows.append(
        [
            "P1 FEM (direct solve)",
            "--",
            "--",
            f"${format_number(first['fem_l2_error'], 2)}$",
            f"${format_number(first['fem_h1_error'], 2)}$",
            "--",
        ]
    )
    return booktabs_table(header, rows, "llrrrr")


def beyond_macros(
    classic: Mapping[str, Any],
    pde: Mapping[str, Any],
    multi: Mapping[str, Any],
    pde_summary: pd.DataFrame,
    classic_learned: pd.DataFrame,
    conditioning: pd.DataFrame | None = None,
) -> dict:
    """Macros of the experiments beyond the original: protocols and headline numbers.

    ``conditioning`` (:func:`hatlib.pde.ritz_conditioning`) adds the condition
    number of the Ritz Hessian at the main width and its growth exponent, per
    activation.
    """
    fourier = multi["alternatives"].get("fourier", {})
    siren = multi["alternatives"].get("siren", {})
    macros = {
        "ClassicNumPoints": str(classic["num_points"]),
        "ClassicFrequencies": _list(classic["frequencies"]),
        "ClassicDepth": str(classic["depth"]),
        "ClassicLayers": str(classic["depth"] + 1),
        "ClassicWidth": str(classic["width"]),
        "ClassicRate": format_number(classic["learning_rate"]),
        "ClassicIterations": str(classic["iterations"]),
        "ClassicLogEvery": str(classic["log_every"]),
        "ClassicSeeds": str(classic["seeds"]),
        "ClassicThresholds": _list(format_number(t) for t in classic["thresholds"]),
        "ClassicTopThreshold": format_number(max(classic["thresholds"])),
        "ClassicStop": _stop_sentence(
            classic.get("stop_after_learned"),
            f"every frequency has stayed at or above ${format_number(max(classic['thresholds']))}$",
        ),
        "ClassicSubnormals": (
            "Subnormal numbers are treated as zero in every thread (the processor's "
            "flush-to-zero mode), where float32 arithmetic on them is slow."
            if classic.get("flush_subnormals")
            else "Subnormal numbers are kept, as IEEE arithmetic defines them."
        ),
        "PdeModes": _list(pde["modes"]),
        "PdeWidth": str(pde["width"]),
        "PdeWidths": _list(pde["widths"]),
        "PdeSeeds": str(pde["seeds"]),
        "PdeIterations": str(pde["iterations"]),
        "PdeCells": str(pde["quadrature_cells"]),
        "PdeTolerance": format_number(pde["tolerance"]),
        "PdeElements": str(pde["width"] - 1),
        "FourierFeatures": str(fourier.get("features", 0)),
        "FourierSigma": format_number(fourier.get("sigma", float("nan"))),
        "FourierDepth": str(fourier.get("depth", 0)),
        "FourierWidth": str(fourier.get("width", 0)),
        "SirenOmega": format_number(siren.get("omega0", float("nan"))),
        "SirenDepth": str(siren.get("depth", 0)),
        "SirenWidth": str(siren.get("width", 0)),
    }
    for row in pde_summary.itertuples():
        macros[macro_name("pde", "error", row.activation, row.optimizer)] = format_number(
            row.final_h1_error, 2
        )
    if len(pde_summary):
        macros["PdeErrorFem"] = format_number(pde_summary["fem_h1_error"].iloc[0], 2)
    if "minimiser_h1_error" in pde_summary.columns:
        for activation, row in pde_summary.groupby("activation", sort=False).first().iterrows():
            macros[macro_name("pde", "minimiser", activation)] = format_number(
                row["minimiser_h1_error"], 2
            )
    if conditioning is not None and len(conditioning):
        from hatlib.pde import conditioning_exponents

        for row in conditioning_exponents(conditioning).itertuples():
            macros[macro_name("pde", "condition", "slope", row.activation)] = format_number(
                row.exponent, 2
            )
        main = conditioning[conditioning["width"] == pde["width"]]
        for row in main.itertuples():
            macros[macro_name("pde", "condition", row.activation)] = format_number(
                row.condition_number, 2
            )
    top = max(classic["thresholds"])
    highest = classic_learned[
        np.isclose(classic_learned["threshold"], top)
        & (classic_learned["frequency"] == classic_learned["frequency"].max())
    ]
    for (case, activation, initialisation), group in highest.groupby(
        ["case", "activation", "initialisation"]
    ):
        values = group["iterations"].to_numpy(dtype=float)
        censored = group["censored"].to_numpy(dtype=bool)
        order = np.lexsort((values, censored))
        middle = order[(len(order) - 1) // 2]
        prefix = "at least " if censored[middle] else ""
        name = macro_name("classic", "top", case, activation, initialisation)
        macros[name] = prefix + format_number(values[middle])
    return macros


# The workflow's learning-rate search tables (input names of the paper rules) and the
# experiment each belongs to, as the paper prints it.
SEARCH_EXPERIMENTS = {
    "search_single": "single frequency",
    "search_multi": "multi-frequency",
    "search_digits": "digits",
    "search_pde": "Poisson problem",
    "search_images": "image classification",
}


def learning_rate_edges(searches: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Every learning-rate selection of the workflow and where its choice lies in its grid.

    ``searches`` maps an experiment's name (as the paper prints it) to its
    search table (:func:`hatlib.analysis.selection_edges` reads it). Returns
    one row per selection: ``experiment``, ``model`` (LaTeX: the activation's
    display name, with the setting or initialisation when the table has one),
    ``optimizer``,
    ``learning_rate``, ``candidates`` and ``position``.
    """
    from hatlib.analysis import selection_edges

    frames = []
    for experiment, search in searches.items():
        edges = selection_edges(search)
        model = edges["activation"].map(_name) if "activation" in edges else experiment
        for column in ("setting", "initialisation"):
            if column in edges:
                model = model + " (" + edges[column].astype(str).map(escape) + ")"
        frames.append(
            edges.assign(experiment=experiment, model=model)[
                ["experiment", "model", "optimizer", "learning_rate", "candidates", "position"]
            ]
        )
    return pd.concat(frames, ignore_index=True)


def edge_macros(edges: pd.DataFrame) -> dict:
    """``LearningRateSelections`` (how many) and ``LearningRateEdges`` (how many chose an end)."""
    return {
        "LearningRateSelections": str(len(edges)),
        "LearningRateEdges": str(int((edges["position"] != "inside").sum())),
    }


def edge_table(edges: pd.DataFrame) -> str:
    """Booktabs table of the selections whose chosen rate is an end of its grid.

    ``edges`` is a :func:`learning_rate_edges` table; one row saying "none"
    when every choice lies inside its grid.
    """
    header = ["experiment", "model", "optimizer", "chosen rate", "end of the grid"]
    rows = [
        [
            escape(row.experiment),
            row.model,
            _name(row.optimizer),
            f"${format_number(row.learning_rate)}$",
            f"{row.position} of {row.candidates}",
        ]
        for row in edges[edges["position"] != "inside"].itertuples()
    ]
    if not rows:
        rows = [["none", "--", "--", "--", "--"]]
    return booktabs_table(header, rows, "lllrl")

import numpy as np
import pandas as pd

from hatlib.plotting import (
    plot_classic_heatmaps,
    plot_method_heatmaps,
    plot_pde_widths,
    plot_training_error,
)


def test_training_error_figure_marks_diverged_runs():
    steps = np.arange(0, 50, 10)
    rows = []
    for seed, status in [(0, "completed"), (1, "diverged")]:
        errors = 1.0 / (steps + 1.0)
        if status == "diverged":
            errors = np.where(steps < 40, errors * 3, np.inf)
        for step, error in zip(steps, errors, strict=True):
            rows.append(("hat", "sgd", 1, seed, status, step, error))
    history = pd.DataFrame(
        rows,
        columns=[
            "activation",
            "optimizer",
            "frequency",
            "seed",
            "status",
            "step",
            "relative_l2_error",
        ],
    )
    figure = plot_training_error(history)
    crosses = [
        collection
        for axis in figure.axes
        for collection in axis.collections
        if collection.get_label() == "diverged"
    ]
    assert len(crosses) == 1
    np.testing.assert_allclose(crosses[0].get_offsets(), [[30, 3 / 31]])
    healthy = plot_training_error(history[history["seed"] == 0])
    assert not [c for a in healthy.axes for c in a.collections if c.get_label() == "diverged"]


def _grid(keys: dict, frequencies, steps, value):
    rows = [
        {**keys, "seed": 0, "step": step, "frequency": k, "value": value(k, step)}
        for k in frequencies
        for step in steps
    ]
    return pd.DataFrame(rows)


def test_classic_heatmaps_have_a_panel_per_case_and_model_with_medians():
    frames = []
    for case in ("equal", "increasing"):
        for activation, init in (("relu", "torch_default"), ("hat", "fem_deep")):
            frame = _grid(
                {"case": case, "activation": activation, "initialisation": init},
                [5, 10, 15],
                [0, 100, 200],
                lambda k, step: min(step / (10 * k), 1.0),
            )
            frames.append(frame.rename(columns={"value": "magnitude"}))
    figure = plot_classic_heatmaps(pd.concat(frames))
    panels = [axis for axis in figure.axes if axis.get_label() != "<colorbar>"]
    assert len(panels) == 4
    mesh = panels[0].collections[0]
    # rows are frequencies from the bottom, columns steps: k = 5 at step 100 reaches 1
    np.testing.assert_allclose(mesh.get_array().reshape(3, 3)[0], [0, 1, 1])
    assert [t.get_text() for t in panels[0].get_yticklabels()] == ["5", "10", "15"]


def test_method_heatmaps_skip_methods_that_did_not_run():
    frames = []
    for setting, activation in (("1d-shallow", "hat"), ("1d-siren", "sine")):
        frame = _grid(
            {"setting": setting, "activation": activation, "optimizer": "adam"},
            [1, 4],
            [0, 10],
            lambda k, step: 1.0 / (1 + step * k),
        )
        frames.append(
            frame.assign(magnitude=frame["frequency"]).rename(columns={"value": "relative_error"})
        )
    methods = [
        ("1d-shallow", "hat", "Hat"),
        ("1d-fourier", "relu", "Fourier"),
        ("1d-siren", "sine", "SIREN"),
    ]
    figure = plot_method_heatmaps(pd.concat(frames), methods)
    titles = [axis.get_title() for axis in figure.axes if axis.get_title()]
    assert titles == ["Hat", "SIREN"]


def test_pde_widths_figure_draws_networks_and_exact_solutions():
    widths = pd.DataFrame(
        {
            "activation": ["hat", "hat", "relu", "relu", "hat", "hat", "fem", "fem"],
            "optimizer": ["adam"] * 4 + ["exact"] * 4,
            "width": [16, 32] * 4,
            "seed": 0,
            "relative_l2_error": [0.1, 0.03, 0.2, 0.1, 0.04, 0.01, 0.05, 0.012],
            "relative_h1_error": [0.3, 0.15, 0.5, 0.4, 0.25, 0.12, 0.2, 0.1],
        }
    )
    figure = plot_pde_widths(widths)
    assert figure.axes[0].get_legend() is None  # one legend, beside the right panel
    labels = [text.get_text() for text in figure.axes[1].get_legend().get_texts()]
    assert {"Hat", "ReLU", "FEM (P1)", "trained", "exact"} <= set(labels)
    # Hat trained (solid) and Hat exact (dashed) are separate lines, not one median.
    hat = [line for line in figure.axes[0].get_lines() if len(line.get_xdata()) == 2]
    styles = {(tuple(line.get_ydata()), line.get_linestyle()) for line in hat}
    assert ((0.1, 0.03), "-") in styles
    assert any(ys == (0.04, 0.01) and style != "-" for ys, style in styles)
    assert figure.axes[0].get_yscale() == "log"

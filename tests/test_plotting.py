import numpy as np
import pandas as pd

from hatlib.plotting import plot_training_error


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

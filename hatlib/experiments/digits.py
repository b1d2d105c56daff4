"""Two classes of handwritten digits: low- and high-frequency parts of the target."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

# PyTorch is imported by run_digits only: the data and summary jobs start without it.


def digits_frame(data) -> pd.DataFrame:
    """A :class:`hatlib.digits.DigitsData` as one table: ``split``, ``target``, ``p0..``."""
    frames = []
    for split in ("train", "test"):
        inputs = getattr(data, f"{split}_inputs")
        pixels = pd.DataFrame(inputs, columns=[f"p{i}" for i in range(inputs.shape[1])])
        frames.append(pixels.assign(split=split, target=getattr(data, f"{split}_targets")))
    table = pd.concat(frames, ignore_index=True)
    return table[["split", "target", *[c for c in table.columns if c.startswith("p")]]]


def digits_split(table: pd.DataFrame, share: float) -> dict[str, float]:
    """The frequency split of the digits target: the rule and what it gives.

    The Gaussian filter's width ``filter_delta`` is the one at which the
    high-frequency part of the training target carries ``share`` of its norm
    (:func:`hatlib.digits.filter_width_for_share`); returned with the median
    distance between training inputs, the width in those units, the share
    reached and the number of training samples.
    """
    from hatlib.digits import filter_width_for_share, high_share, median_distance

    pixels = [c for c in table.columns if c.startswith("p")]
    train_rows = table[table["split"] == "train"]
    inputs, targets = train_rows[pixels].to_numpy(), train_rows["target"].to_numpy()
    delta = filter_width_for_share(targets, inputs, share)
    median = median_distance(inputs)
    return {
        "target_share": float(share),
        "high_share": high_share(targets, inputs, delta),
        "filter_delta": delta,
        "median_distance": median,
        "filter_width": delta / median,
        "train_samples": len(train_rows),
    }


def run_digits(
    table: pd.DataFrame,
    activation: str,
    settings: dict,
    candidates: dict[str, Sequence[float]],
    split: dict[str, float],
    device: str = "auto",
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame, dict[str, object]]:
    """Shallow networks on the digits table (:func:`digits_frame`), every optimizer.

    The low- and high-frequency errors on the training set use the Gaussian
    filter of width ``split["filter_delta"]`` (:func:`digits_split`). Every
    activation gets the same first layer's directions and anchors (drawn from
    the seed; Hat's scale is its localised one). Returns the history, the components table
    (``optimizer``, ``seed``, ``step``, ``part`` low/high, ``relative_error``),
    the test accuracy per optimizer and seed (share of test samples whose
    output has the target's sign), the learning-rate searches and metadata.
    """
    import torch

    from hatlib.digits import gaussian_filter_matrix
    from hatlib.experiments.common import fit_setting, run_probed_fit
    from hatlib.spectral import FilterProbe

    pixels = [c for c in table.columns if c.startswith("p")]
    train_rows, test_rows = table[table["split"] == "train"], table[table["split"] == "test"]
    inputs, targets = train_rows[pixels].to_numpy(), train_rows["target"].to_numpy()
    delta = split["filter_delta"]
    probe = FilterProbe(targets, gaussian_filter_matrix(inputs, delta))
    histories, components, accuracies, searches, runs = [], [], [], [], {}
    for optimizer in settings["optimizers"]:
        network = {"depth": 1, "width": settings["width"]}
        setting = fit_setting(activation, optimizer, network, settings, candidates)
        result, search, metadata, model = run_probed_fit(
            inputs, targets, probe, 2, setting, device, data_dependent=True
        )
        parameter = next(model.parameters())
        test_inputs = torch.as_tensor(test_rows[pixels].to_numpy(), dtype=parameter.dtype)
        with torch.no_grad():
            output = model(test_inputs.to(parameter.device)).to(torch.float64).cpu().numpy()
        correct = np.sign(output) == test_rows["target"].to_numpy()[None, :]
        accuracies.append(
            pd.DataFrame(
                {
                    "optimizer": optimizer,
                    "seed": list(setting.seeds),
                    "test_accuracy": correct.mean(axis=1),
                    "test_samples": len(test_rows),
                    "status": result.status,
                }
            )
        )
        parts = result.spectrum.assign(part=result.spectrum["component"].map({0: "low", 1: "high"}))
        components.append(parts.drop(columns="component").assign(optimizer=optimizer))
        histories.append(result.history.assign(optimizer=optimizer))
        searches.append(search.assign(optimizer=optimizer, chosen_rate=metadata["learning_rate"]))
        runs[optimizer] = metadata
    metadata = {
        "activation": activation,
        "split": dict(split),
        "train_samples": len(train_rows),
        "test_samples": len(test_rows),
        "runs": runs,
    }
    component_table = pd.concat(components, ignore_index=True)
    component_table = component_table[["optimizer", "seed", "step", "part", "relative_error"]]
    return (
        pd.concat(histories, ignore_index=True),
        component_table,
        pd.concat(accuracies, ignore_index=True),
        pd.concat(searches, ignore_index=True),
        metadata,
    )


def activation_ratios(
    learned: pd.DataFrame,
    reference: str = "relu",
    candidate: str = "hat",
    replicates: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """Per optimizer and part: ``reference``'s learning time over ``candidate``'s, paired by seed.

    ``learned`` (:func:`hatlib.analysis.learning_iterations`) has the columns
    ``activation``, ``optimizer``, ``seed``, ``part``, ``lower`` and
    ``upper``. Seed ``s`` of both activations has the same first layer's
    directions and anchors, so the runs are paired: the statistic is the
    median over seeds of the within-seed ratio
    (:func:`hatlib.statistics.paired_ratio_interval`, bounds from censoring and
    the records, seed bootstrap). Columns ``optimizer``, ``part``, ``ratio``,
    ``lower``, ``upper``, ``bound``, ``seeds``; above 1: ``candidate`` is faster.
    """
    from hatlib.statistics import paired_ratio_interval

    rows = []
    for (optimizer, part), group in learned.groupby(["optimizer", "part"], sort=True):
        by_activation = {a: g.set_index("seed") for a, g in group.groupby("activation")}
        if reference not in by_activation or candidate not in by_activation:
            continue
        seeds = sorted(set(by_activation[reference].index) & set(by_activation[candidate].index))
        ref, cand = by_activation[reference].loc[seeds], by_activation[candidate].loc[seeds]
        estimate = paired_ratio_interval(
            (ref["lower"].to_numpy(), ref["upper"].to_numpy()),
            (cand["lower"].to_numpy(), cand["upper"].to_numpy()),
            replicates,
            level,
            seed,
        )
        rows.append(
            {
                "optimizer": optimizer,
                "part": part,
                "ratio": estimate.value,
                "lower": estimate.lower,
                "upper": estimate.upper,
                "bound": estimate.bound,
                "seeds": len(seeds),
            }
        )
    columns = ["optimizer", "part", "ratio", "lower", "upper", "bound", "seeds"]
    return pd.DataFrame(rows, columns=columns)

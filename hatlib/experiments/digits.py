"""Two classes of handwritten digits: low- and high-frequency parts of the target."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import torch

from hatlib.experiments.common import fit_setting, run_probed_fit


def digits_frame(data) -> pd.DataFrame:
    """A :class:`hatlib.digits.DigitsData` as one table: ``split``, ``target``, ``p0..``."""
    frames = []
    for split in ("train", "test"):
        inputs = getattr(data, f"{split}_inputs")
        pixels = pd.DataFrame(inputs, columns=[f"p{i}" for i in range(inputs.shape[1])])
        frames.append(pixels.assign(split=split, target=getattr(data, f"{split}_targets")))
    table = pd.concat(frames, ignore_index=True)
    return table[["split", "target", *[c for c in table.columns if c.startswith("p")]]]


def run_digits(
    table: pd.DataFrame,
    activation: str,
    settings: dict,
    candidates: dict[str, Sequence[float]],
    device: str = "auto",
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame, dict[str, object]]:
    """Shallow networks on the digits table (:func:`digits_frame`), every optimizer.

    The low- and high-frequency errors on the training set use the Gaussian
    filter of width ``settings["filter_width"]`` times the median distance
    between training inputs. Returns the history, the components table
    (``optimizer``, ``seed``, ``step``, ``part`` low/high, ``relative_error``),
    the test accuracy per optimizer and seed (share of test samples whose
    output has the target's sign), the learning-rate searches and metadata.
    """
    from hatlib.digits import gaussian_filter_matrix, median_distance
    from hatlib.spectral import FilterProbe

    pixels = [c for c in table.columns if c.startswith("p")]
    train_rows, test_rows = table[table["split"] == "train"], table[table["split"] == "test"]
    inputs, targets = train_rows[pixels].to_numpy(), train_rows["target"].to_numpy()
    delta = settings["filter_width"] * median_distance(inputs)
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
        "filter_delta": delta,
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

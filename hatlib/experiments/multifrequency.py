"""Targets with several frequencies, 1-D and 2-D: per-frequency learning times."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from hatlib.experiments.common import fit_setting, run_probed_fit


def run_multifrequency(
    data: pd.DataFrame,
    bins: Sequence,
    activation: str,
    network: dict,
    settings: dict,
    candidates: dict[str, Sequence[float]],
    device: str = "auto",
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict[str, object]]:
    """One network family on a multi-frequency target, with every optimizer of ``settings``.

    ``data`` has columns ``x0`` (, ``x1``) and ``y`` on a uniform grid (1-D:
    ``N`` points; 2-D: ``n x n`` row-major); ``bins`` the target's frequencies
    (integers or vectors). ``network`` holds ``depth`` and ``width``;
    ``settings`` the ``multifrequency`` configuration section. Returns the
    history (``optimizer``, ``seed``, ``step``, ``loss``, ``relative_l2_error``),
    the per-frequency errors (``optimizer``, ``seed``, ``step``, ``frequency``
    label, ``magnitude`` ``|k|``, ``relative_error`` ``Delta(k)``), the
    learning-rate searches and the metadata.
    """
    from hatlib.spectral import DFTProbe
    from hatlib.targets import frequency_label

    columns = [c for c in data.columns if c.startswith("x")]
    inputs = data[columns].to_numpy()
    inputs = inputs[:, 0] if len(columns) == 1 else inputs
    targets = data["y"].to_numpy()
    side = round(len(data) ** (1 / len(columns)))
    shape = (side,) * len(columns)
    vectors = [np.atleast_1d(np.asarray(k, dtype=np.int64)) for k in bins]
    probe = DFTProbe(targets, shape, vectors)
    labels = pd.DataFrame(
        {
            "component": range(len(vectors)),
            "frequency": [frequency_label(k) for k in vectors],
            "magnitude": [float(np.linalg.norm(k)) for k in vectors],
        }
    )
    histories, spectra, searches, runs = [], [], [], {}
    for optimizer in settings["optimizers"]:
        setting = fit_setting(activation, optimizer, network, settings, candidates)
        result, search, metadata, _ = run_probed_fit(
            inputs, targets, probe, len(vectors), setting, device
        )
        histories.append(result.history.assign(optimizer=optimizer))
        spectrum = result.spectrum.merge(labels, on="component").drop(columns="component")
        spectra.append(spectrum.assign(optimizer=optimizer))
        searches.append(search.assign(optimizer=optimizer, chosen_rate=metadata["learning_rate"]))
        runs[optimizer] = metadata
    history = pd.concat(histories, ignore_index=True)
    spectrum = pd.concat(spectra, ignore_index=True)
    order = ["optimizer", "seed", "step", "frequency", "magnitude", "relative_error"]
    spectrum = spectrum[order].sort_values(["optimizer", "seed", "step", "magnitude"])
    history = history[["optimizer", *[c for c in history.columns if c != "optimizer"]]]
    metadata = {"activation": activation, "network": network, "shape": shape, "runs": runs}
    return history, spectrum.reset_index(drop=True), pd.concat(searches), metadata

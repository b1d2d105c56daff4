import numpy as np
import pandas as pd
import pytest
import torch

from hatlib.classic import (
    SpectrumProbe,
    build_classic_network,
    classic_dataset,
    first_reaching,
    run_classic,
)

FREQUENCIES = [2, 6, 12]


def test_dataset_is_the_sum_of_sines_on_the_grid_without_endpoint():
    data = classic_dataset(64, FREQUENCIES, [1.0, 0.5, 0.25], phase_seed=3)
    assert data["x"].iloc[0] == 0 and data["x"].iloc[-1] == pytest.approx(63 / 64)
    spectrum = np.abs(np.fft.rfft(data["y"].to_numpy())) * 2 / 64
    np.testing.assert_allclose(spectrum[FREQUENCIES], [1.0, 0.5, 0.25], atol=1e-12)
    others = np.delete(spectrum, FREQUENCIES)
    assert others.max() < 1e-12


@pytest.mark.parametrize(
    ("frequencies", "amplitudes", "message"),
    [([2, 32], [1, 1], r"frequencies must lie in \[1, 32.0\)"), ([2, 6], [1], "2 frequencies")],
)
def test_bad_dataset_arguments_are_named(frequencies, amplitudes, message):
    with pytest.raises(ValueError, match=message):
        classic_dataset(64, frequencies, amplitudes, 0)


def test_probe_gives_one_for_the_target_and_the_fraction_fitted():
    amplitudes = [1.0, 0.5, 0.25]
    target = classic_dataset(64, FREQUENCIES, amplitudes, 0)["y"].to_numpy()
    probe = SpectrumProbe(target, FREQUENCIES, amplitudes)
    y = torch.tensor(target)
    # residual = output - target: outputs equal to the target, to zero, to 0.3 x the target
    residual = torch.stack([y * 0, -y, -0.7 * y])
    values = probe(residual).numpy()
    np.testing.assert_allclose(values, [[1, 1, 1], [0, 0, 0], [0.3, 0.3, 0.3]], atol=1e-12)


def test_first_reaching_finds_the_first_record_and_censors_the_rest():
    spectrum = pd.DataFrame(
        {
            "frequency": [2] * 4 + [6] * 4,
            "step": [0, 10, 20, 30] * 2,
            "magnitude": [0.1, 0.6, 0.95, 0.4, 0.0, 0.2, 0.55, 0.7],
        }
    )
    table = first_reaching(spectrum, [0.5, 0.9], ["frequency"]).set_index(
        ["frequency", "threshold"]
    )
    assert table.loc[(2, 0.5), "iterations"] == 10 and not table.loc[(2, 0.5), "censored"]
    assert table.loc[(2, 0.9), "iterations"] == 20
    assert table.loc[(6, 0.5), "iterations"] == 20
    assert table.loc[(6, 0.9), "iterations"] == 30 and table.loc[(6, 0.9), "censored"]


def test_default_initialisation_is_nn_linear_in_every_layer():
    model = build_classic_network("relu", "torch_default", 16, 3, seeds=[0, 1])
    for weight, bias in zip(model.weights, model.biases, strict=True):
        bound = 1 / np.sqrt(weight.shape[1])
        assert weight.abs().max() <= bound and bias.abs().max() <= bound
        assert weight.abs().max() > 0.5 * bound  # drawn over the whole range
    alone = build_classic_network("relu", "torch_default", 16, 3, seeds=[1])
    torch.testing.assert_close(alone.weights[2][0], model.weights[2][1])
    with pytest.raises(ValueError, match="unknown initialisation 'xavier'"):
        build_classic_network("relu", "xavier", 16, 3, seeds=[0])


SETTINGS = {
    "width": 64,
    "depth": 2,
    "seeds": 2,
    "learning_rate": 1e-3,
    "iterations": 300,
    "log_every": 20,
    "dtype": "float32",
    "checkpoint_every": 0,
}


def test_relu_learns_low_frequencies_first_and_hat_catches_up():
    torch.set_num_threads(1)
    amplitudes = [1.0, 1.0, 1.0]
    data = classic_dataset(64, FREQUENCIES, amplitudes, 0)
    _, relu, _ = run_classic(
        data, FREQUENCIES, amplitudes, "relu", "torch_default", SETTINGS, "cpu"
    )
    _, hat, metadata = run_classic(
        data, FREQUENCIES, amplitudes, "hat", "fem_deep", SETTINGS, "cpu"
    )
    assert set(relu.columns) == {"seed", "step", "frequency", "amplitude", "magnitude"}
    assert metadata["status"] == {"0": "completed", "1": "completed"}
    final = lambda table: table[table["step"] == 300].groupby("frequency")["magnitude"].median()  # noqa: E731
    relu_final, hat_final = final(relu), final(hat)
    # spectral bias: ReLU has fitted the lowest frequency better than the highest
    assert relu_final[2] > relu_final[12] + 0.2
    # Hat's highest frequency is further along than ReLU's
    assert hat_final[12] > relu_final[12] + 0.2
    again = run_classic(data, FREQUENCIES, amplitudes, "hat", "fem_deep", SETTINGS, "cpu")[1]
    pd.testing.assert_frame_equal(hat, again)

import numpy as np
import pandas as pd
import pytest
import torch

from hatlib.experiments.classic import (
    SpectrumProbe,
    build_classic_network,
    classic_dataset,
    classic_phases,
    first_reaching,
    run_classic,
)
from hatlib.targets import multi_sine, random_phases, uniform_grid

FREQUENCIES = [2, 6, 12]


def targets_of(data):
    """The targets ``(S, N)`` of a long classic table, in seed order."""
    return np.stack([group["y"].to_numpy() for _, group in data.groupby("seed", sort=True)])


def test_dataset_is_the_sum_of_sines_on_the_grid_without_endpoint():
    data = classic_dataset(64, FREQUENCIES, [1.0, 0.5, 0.25], phase_seed=3, seeds=2)
    assert list(data.columns) == ["seed", "x", "y"] and len(data) == 128
    assert data["seed"].tolist() == [0] * 64 + [1] * 64
    for _, group in data.groupby("seed"):
        assert group["x"].iloc[0] == 0 and group["x"].iloc[-1] == pytest.approx(63 / 64)
        assert group["x"].is_monotonic_increasing
        spectrum = np.abs(np.fft.rfft(group["y"].to_numpy())) * 2 / 64
        np.testing.assert_allclose(spectrum[FREQUENCIES], [1.0, 0.5, 0.25], atol=1e-12)
        others = np.delete(spectrum, FREQUENCIES)
        assert others.max() < 1e-12


def test_each_seed_has_its_own_phases_and_seed_zero_those_of_phase_seed():
    amplitudes = [1.0, 0.5, 0.25]
    data = classic_dataset(64, FREQUENCIES, amplitudes, phase_seed=3, seeds=3)
    targets, x = targets_of(data), uniform_grid(64)
    # seed 0: the single target of phase_seed, as before seeds had their own phases
    single = multi_sine(x, FREQUENCIES, amplitudes, random_phases(len(FREQUENCIES), 3))
    np.testing.assert_array_equal(targets[0], single)
    for seed in range(3):
        phases = classic_phases(len(FREQUENCIES), 3, seed)
        np.testing.assert_array_equal(targets[seed], multi_sine(x, FREQUENCIES, amplitudes, phases))
        for other in range(seed):
            assert np.abs(targets[seed] - targets[other]).max() > 0.1
    # the phases of (phase_seed, seed) differ from those of every other pair
    draws = [classic_phases(3, phase_seed, seed) for phase_seed in range(3) for seed in range(3)]
    assert len({tuple(np.round(draw, 12)) for draw in draws}) == len(draws)
    # and the first seeds of a larger run are those of a smaller one
    pd.testing.assert_frame_equal(
        classic_dataset(64, FREQUENCIES, amplitudes, 3, seeds=2), data[data["seed"] < 2]
    )


@pytest.mark.parametrize(
    ("frequencies", "amplitudes", "message"),
    [([2, 32], [1, 1], r"frequencies must lie in \[1, 32.0\)"), ([2, 6], [1], "2 frequencies")],
)
def test_bad_dataset_arguments_are_named(frequencies, amplitudes, message):
    with pytest.raises(ValueError, match=message):
        classic_dataset(64, frequencies, amplitudes, 0, seeds=1)
    with pytest.raises(ValueError, match="seeds must be a positive integer"):
        classic_dataset(64, [2, 6], [1, 1], 0, seeds=0)


def test_probe_gives_one_for_the_target_and_the_fraction_fitted():
    amplitudes = [1.0, 0.5, 0.25]
    target = classic_dataset(64, FREQUENCIES, amplitudes, 0, seeds=1)["y"].to_numpy()
    probe = SpectrumProbe(target, FREQUENCIES, amplitudes)
    y = torch.tensor(target)
    # residual = output - target: outputs equal to the target, to zero, to 0.3 x the target
    residual = torch.stack([y * 0, -y, -0.7 * y])
    values = probe(residual).numpy()
    np.testing.assert_allclose(values, [[1, 1, 1], [0, 0, 0], [0.3, 0.3, 0.3]], atol=1e-12)


def test_probe_on_per_member_targets_measures_each_member_against_its_own():
    amplitudes = [1.0, 0.5, 0.25]
    targets = targets_of(classic_dataset(64, FREQUENCIES, amplitudes, 0, seeds=2))
    probe = SpectrumProbe(targets, FREQUENCIES, amplitudes)
    y = torch.tensor(targets)
    # residual = output - own target: each member fits its own target exactly
    np.testing.assert_allclose(probe(y * 0).numpy(), np.ones((2, 3)), atol=1e-12)
    np.testing.assert_allclose(probe(-y).numpy(), np.zeros((2, 3)), atol=1e-12)
    np.testing.assert_allclose(probe(-0.7 * y).numpy(), np.full((2, 3), 0.3), atol=1e-12)
    # the same residuals read against the other member's target are not a fit
    swapped = SpectrumProbe(targets[::-1], FREQUENCIES, amplitudes)
    assert np.all(np.abs(swapped(y * 0).numpy() - 1) < 1e-12)  # magnitudes alike ...
    assert np.all(np.abs(swapped(-0.7 * y).numpy() - 0.3) > 1e-3)  # ... but not phases
    assert np.all(np.abs(swapped(-y).numpy()) > 1e-3)
    # a probe of member 0's target alone misreads member 1
    shared = SpectrumProbe(targets[0], FREQUENCIES, amplitudes)(-0.7 * y).numpy()
    np.testing.assert_allclose(shared[0], 0.3, atol=1e-12)
    assert np.all(np.abs(shared[1] - 0.3) > 1e-3)
    with pytest.raises(ValueError, match=r"shape \(N,\) or \(S, N\)"):
        SpectrumProbe(targets[None], FREQUENCIES, amplitudes)


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
    "phase_seed": 0,
    "learning_rate": 1e-3,
    "iterations": 300,
    "log_every": 20,
    "dtype": "float32",
    "checkpoint_every": 0,
}


def test_relu_learns_low_frequencies_first_and_hat_catches_up():
    torch.set_num_threads(1)
    amplitudes = [1.0, 1.0, 1.0]
    data = classic_dataset(64, FREQUENCIES, amplitudes, 0, seeds=SETTINGS["seeds"])
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


TINY = {**SETTINGS, "width": 8, "depth": 1, "iterations": 4, "log_every": 2}


def test_run_classic_trains_each_seed_on_its_own_target():
    torch.set_num_threads(1)
    amplitudes = [1.0, 0.5, 0.25]
    settings = {**TINY, "phase_seed": 5}
    data = classic_dataset(64, FREQUENCIES, amplitudes, 5, seeds=2)
    history, spectrum, metadata = run_classic(
        data.sample(frac=1.0, random_state=0),  # row order does not matter
        FREQUENCIES,
        amplitudes,
        "relu",
        "torch_default",
        settings,
        "cpu",
    )
    assert metadata["phases"] == {
        str(seed): classic_phases(3, 5, seed).tolist() for seed in range(2)
    }
    assert metadata["phases"]["0"] != metadata["phases"]["1"]
    assert sorted(spectrum["seed"].unique()) == [0, 1]
    # the relative error at step 0 is that of each untrained network against its own target
    model = build_classic_network("relu", "torch_default", 8, 1, seeds=[0, 1])
    with torch.no_grad():
        output = model(torch.tensor(uniform_grid(64), dtype=torch.float32)).double().numpy()
    targets = targets_of(data)
    own = np.linalg.norm(output - targets, axis=1) / np.linalg.norm(targets, axis=1)
    other = np.linalg.norm(output - targets[::-1], axis=1) / np.linalg.norm(targets, axis=1)
    first = history[history["step"] == 0].set_index("seed")["relative_l2_error"]
    np.testing.assert_allclose(first.loc[[0, 1]].to_numpy(), own, rtol=1e-6)
    assert np.all(np.abs(other / own - 1) > 1e-4)  # 100 x that tolerance
    # the probe reads the networks' own outputs: it adds back the target trained on
    start = spectrum[spectrum["step"] == 0].sort_values(["seed", "frequency"])
    expected = np.abs(np.fft.rfft(output, axis=1)[:, FREQUENCIES]) / (32 * np.array(amplitudes))
    np.testing.assert_allclose(start["magnitude"].to_numpy(), expected.ravel(), rtol=1e-5)


def test_run_classic_rejects_data_of_other_seeds_or_phases():
    amplitudes = [1.0, 0.5, 0.25]
    data = classic_dataset(64, FREQUENCIES, amplitudes, 0, seeds=2)
    run = lambda frame, settings: run_classic(  # noqa: E731
        frame, FREQUENCIES, amplitudes, "relu", "torch_default", settings, "cpu"
    )
    with pytest.raises(ValueError, match=r"seeds \[0, 1\] but classic.seeds = 3"):
        run(data, {**TINY, "seeds": 3})
    with pytest.raises(ValueError, match=r"seeds \[0\] but classic.seeds = 2"):
        run(data[data["seed"] == 0], TINY)
    with pytest.raises(ValueError, match=r"seeds \[0, 2\] but classic.seeds = 2"):
        run(data.assign(seed=data["seed"] * 2), TINY)
    with pytest.raises(ValueError, match=r"classic\.phase_seed = 1"):
        run(data, {**TINY, "phase_seed": 1})


def test_stopping_learned_runs_changes_no_learning_time():
    torch.set_num_threads(1)
    amplitudes = [1.0, 1.0, 1.0]
    data = classic_dataset(64, FREQUENCIES, amplitudes, 0, seeds=SETTINGS["seeds"])
    base = {**SETTINGS, "thresholds": [0.5, 0.9], "iterations": 400}
    _, full, ran = run_classic(data, FREQUENCIES, amplitudes, "hat", "fem_deep", base, "cpu")
    stopping = {**base, "stop_after_learned": 40}
    _, short, stopped = run_classic(
        data, FREQUENCIES, amplitudes, "hat", "fem_deep", stopping, "cpu"
    )
    assert ran["status"] == {"0": "completed", "1": "completed"}
    assert stopped["status"] == {"0": "learned", "1": "learned"}
    ends = short.groupby("seed")["step"].max()
    assert (ends < base["iterations"]).all()
    keys = ["seed", "frequency"]
    learned = first_reaching(short, base["thresholds"], keys)
    assert not learned["censored"].any()
    # each seed stopped once every frequency had been at 0.9 for 40 steps, no earlier
    top = learned[learned["threshold"] == 0.9].groupby("seed")["upper"].max()
    assert (ends - top >= 40).all() and (ends - top <= 40 + SETTINGS["log_every"]).all()
    pd.testing.assert_frame_equal(learned, first_reaching(full, base["thresholds"], keys))
    # every record up to the stop is the uninterrupted run's
    before = full.merge(ends.rename("end"), on="seed")
    before = before[before["step"] <= before["end"]].drop(columns="end")
    pd.testing.assert_frame_equal(before.reset_index(drop=True), short.reset_index(drop=True))

import numpy as np
import pytest
import torch

from hatlib.fem import mass_matrix, uniform_nodes
from hatlib.models import build_shallow_network
from hatlib.targets import sine_dataset
from hatlib.training import LearnedStop, TrainingConfig, geometric_steps, record_steps, train

DATA = sine_dataset(2, 128)


def _fit(activation="hat", optimizer="adam", learning_rate=0.01, iterations=200, **kwargs):
    seeds = kwargs.pop("seeds", [5])
    dtype = kwargs.pop("dtype", torch.float32)
    initialisation = kwargs.pop("initialisation", None)
    model = build_shallow_network(activation, 32, initialisation, seeds=seeds, dtype=dtype)
    config = TrainingConfig(optimizer, learning_rate, iterations, log_every=10, **kwargs)
    return train(model, DATA["x"].to_numpy(), DATA["y"].to_numpy(), config, [1, 2, 3])


def test_history_and_spectrum_tables():
    result = _fit(iterations=95, seeds=[5, 6])
    assert result.status == ["completed", "completed"] and result.steps == [95, 95]
    first = result.history[result.history["member"] == 0]
    assert first["step"].tolist() == record_steps(95, 10).tolist()
    assert {*range(0, 100, 10), 95, *range(11)} <= set(first["step"])
    assert list(result.spectrum.columns) == ["member", "step", "dft_frequency", "relative_error"]
    assert len(result.spectrum) == 3 * len(result.history)
    assert first["relative_l2_error"].iloc[-1] < first["relative_l2_error"].iloc[0]


def test_relative_error_is_consistent_with_the_loss():
    result = _fit(iterations=20, dtype=torch.float64)
    history = result.history
    norm = np.linalg.norm(DATA["y"])
    np.testing.assert_allclose(
        history["relative_l2_error"], np.sqrt(history["loss"] * len(DATA)) / norm, rtol=1e-12
    )


def test_training_is_bitwise_deterministic_on_cpu():
    first, second = _fit(seeds=[1, 2]), _fit(seeds=[1, 2])
    assert first.history.equals(second.history)
    assert first.spectrum.equals(second.spectrum)


@pytest.mark.parametrize("activation", ["relu", "hat", "tanh"])
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_batched_training_equals_training_each_seed_alone(activation, optimizer, dtype):
    rate = 0.01 if optimizer == "adam" else 0.05
    options = {"initialisation": "torch_default", "dtype": dtype, "iterations": 60}
    batch = _fit(activation, optimizer, rate, seeds=[3, 4, 5], **options)
    for member, seed in enumerate([3, 4, 5]):
        alone = _fit(activation, optimizer, rate, seeds=[seed], **options).history
        together = batch.history[batch.history["member"] == member].reset_index(drop=True)
        together = together.assign(member=0)
        if dtype == torch.float64:
            assert together.equals(alone)
        else:
            np.testing.assert_allclose(
                together["relative_l2_error"], alone["relative_l2_error"], rtol=1e-5
            )


def test_divergence_is_recorded_per_member_not_raised():
    result = _fit(activation="relu", optimizer="sgd", learning_rate=1e4, iterations=500)
    assert result.status == ["diverged"]
    assert result.steps[0] < 500
    assert not np.isfinite(result.history["loss"].iloc[-1])


def test_stop_below_ends_each_member_separately():
    result = _fit(iterations=5000, stop_below=0.2, seeds=[1, 2])
    assert result.status == ["converged", "converged"]
    for member in (0, 1):
        errors = result.history.loc[result.history["member"] == member, "relative_l2_error"]
        assert errors.iloc[-1] < 0.2 and (errors.iloc[:-1] >= 0.2).all()


def test_outer_weight_gradient_step_is_the_least_squares_gradient():
    # Hat features on the grid, output weights only: the loss is quadratic in a with
    # Hessian 2 G, G the discrete Gram matrix, which approximates the mass matrix M.
    width, num_points, rate = 17, 256, 0.5
    model = build_shallow_network("hat", width, dtype=torch.float64)
    x = torch.arange(num_points, dtype=torch.float64) / num_points
    target = torch.sin(2 * torch.pi * x)
    features = model.features(x).detach()[0]  # (N, width)
    np.testing.assert_allclose(
        (features.T @ features / num_points).numpy(),
        mass_matrix(uniform_nodes(width - 1)),
        atol=2e-3,
    )
    weight = model.outer_weight.detach()[0].clone()
    bias = model.outer_bias.detach()[0].clone()
    inner = model.inner_weight.detach().clone()
    residual = features @ weight + bias - target  # (N,)
    expected_weight = weight - rate * 2 * features.T @ residual / num_points

    config = TrainingConfig("sgd", rate, 1, log_every=1, trainable="outer_weight")
    train(model, x.numpy(), target.numpy(), config, [1])

    torch.testing.assert_close(model.outer_weight.detach()[0], expected_weight, rtol=0, atol=1e-13)
    assert torch.equal(model.outer_bias.detach()[0], bias)
    assert torch.equal(model.inner_weight.detach(), inner)


def test_autograd_path_for_models_without_fused_gradients():
    class Linear(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.slope = torch.nn.Parameter(torch.zeros(2, 1, dtype=torch.float64))

        def forward(self, x):
            return self.slope * x[None, :]

    model = Linear()
    x = np.arange(64) / 64
    config = TrainingConfig("sgd", 0.5, 200, log_every=50)
    result = train(model, x, 3 * x, config, [1])
    torch.testing.assert_close(model.slope.detach(), torch.full((2, 1), 3.0, dtype=torch.float64))
    assert result.status == ["completed", "completed"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("optimizer", "rmsprop", "unknown optimizer 'rmsprop'"),
        ("learning_rate", -1.0, "learning_rate must be positive"),
        ("log_every", 0, "log_every must be at least 1"),
        ("trainable", "inner", "trainable must be one of"),
    ],
)
def test_training_config_rejects_bad_values(field, value, message):
    fields = {"optimizer": "sgd", "learning_rate": 0.1, "iterations": 10, "log_every": 1}
    with pytest.raises((ValueError, KeyError), match=message):
        TrainingConfig(**{**fields, field: value})


@pytest.mark.parametrize("iterations", [0, 7, 10, 11, 100, 20_000, 123_457])
def test_geometric_schedule_resolves_any_step_to_twelve_percent(iterations):
    steps = geometric_steps(iterations)
    assert steps[0] == 0 and steps[-1] == iterations and np.all(np.diff(steps) > 0)
    assert set(range(min(iterations, 10) + 1)) <= set(steps)
    later = steps[steps >= 10]
    assert np.all(later[1:] / later[:-1] <= 10 ** (1 / 20) + 1e-12)
    for decade in range(1, int(np.log10(max(iterations, 1)))):
        inside = steps[(steps >= 10**decade) & (steps < 10 ** (decade + 1))]
        assert len(inside) >= 20
    assert geometric_steps(iterations, per_decade=0).tolist() == sorted({0, iterations})


def test_schedule_rejects_bad_values():
    with pytest.raises(ValueError, match="records_per_decade"):
        TrainingConfig("adam", 0.01, 10, 5, records_per_decade=-1)
    with pytest.raises(ValueError, match="tolerances"):
        TrainingConfig("adam", 0.01, 10, 5, tolerances=(0.1, -1.0))


def test_crossings_are_the_exact_first_steps_below_each_tolerance():
    options = {"dtype": torch.float64, "iterations": 150, "seeds": [1, 2]}
    result = _fit(tolerances=(0.5, 0.2, 1e-9), **options)
    every = _fit(records_per_decade=0, **options)  # same run, recorded below at every step
    model = build_shallow_network("hat", 32, None, seeds=[1, 2], dtype=torch.float64)
    config = TrainingConfig("adam", 0.01, 150, log_every=1)
    dense = train(model, DATA["x"].to_numpy(), DATA["y"].to_numpy(), config, [1]).history
    assert every.history["relative_l2_error"].iloc[-1] == pytest.approx(
        dense[dense["member"] == 1]["relative_l2_error"].iloc[-1]
    )
    crossings = result.crossings.set_index(["member", "tolerance"])["first_step"]
    for member in (0, 1):
        errors = dense[dense["member"] == member].set_index("step")["relative_l2_error"]
        for tolerance in (0.5, 0.2):
            below = errors.index[errors < tolerance]
            assert len(below) and crossings[(member, tolerance)] == below[0]
        assert crossings[(member, 1e-9)] == -1  # never reached: right-censored
    assert result.history.equals(_fit(**options).history)  # recording changes nothing


def test_recorded_frequency_errors_bracket_the_exact_learning_time():
    """Delta(k) read off the geometric records brackets its every-step crossing within 12.2%."""
    model = build_shallow_network("hat", 32, None, seeds=[4], dtype=torch.float64)
    dense = TrainingConfig("adam", 0.003, 400, log_every=1)
    every = train(model, DATA["x"].to_numpy(), DATA["y"].to_numpy(), dense, [2]).spectrum
    model = build_shallow_network("hat", 32, None, seeds=[4], dtype=torch.float64)
    sparse = TrainingConfig("adam", 0.003, 400, log_every=1000)
    records = train(model, DATA["x"].to_numpy(), DATA["y"].to_numpy(), sparse, [2]).spectrum
    assert len(records) < len(every) / 4
    threshold = float(every["relative_error"].quantile(0.3))
    exact = int(every.loc[every["relative_error"] < threshold, "step"].iloc[0])
    upper = int(records.loc[records["relative_error"] < threshold, "step"].iloc[0])
    lower = int(records.loc[records["step"] < upper, "step"].iloc[-1])
    assert lower < exact <= upper and upper <= 1.123 * max(lower, 10)


def _stopped(frequencies, stop, iterations=1500):
    model = build_shallow_network("hat", 32, None, seeds=[1, 2])
    config = TrainingConfig("adam", 0.01, iterations, log_every=10, stop_learned=stop)
    return train(model, DATA["x"].to_numpy(), DATA["y"].to_numpy(), config, frequencies)


def test_learned_stop_waits_until_every_frequency_stayed_learned():
    stop = LearnedStop(0.1, above=False, hold=50)
    full, short = _stopped([2], None), _stopped([2], stop)
    assert short.status == ["learned", "learned"] and max(short.steps) < 1500
    for member, end in enumerate(short.steps):
        errors = full.spectrum[full.spectrum["member"] == member].set_index("step")
        errors = errors["relative_error"]
        learned = errors.index[errors < 0.1]
        # it stopped at the first record ending 50 steps of learned records, not before
        since = max(s for s in errors.index[errors >= 0.1] if s < end) + 1
        first = min(s for s in learned if s >= since)
        assert end == min(s for s in errors.index if s >= first + 50)
        mine = short.spectrum[short.spectrum["member"] == member]
        assert mine["step"].max() == end
        np.testing.assert_array_equal(mine["relative_error"], errors.loc[:end])
    # a frequency that is never learned (the target has none of it) keeps every run going
    never = _stopped([2, 5], stop)
    assert never.status == ["completed", "completed"] and never.steps == [1500, 1500]


@pytest.mark.parametrize(
    "arguments, message",
    [((0.1, False, 0), "hold must be at least 1"), ((float("nan"), True, 5), "finite")],
)
def test_learned_stop_rejects_bad_values(arguments, message):
    with pytest.raises(ValueError, match=message):
        LearnedStop(*arguments)


@pytest.mark.parametrize("activation", ["relu", "hat", "tanh"])
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
@pytest.mark.parametrize("trainable", ["all", "outer"])
def test_optimizer_inside_the_kernel_call_equals_the_separate_update(
    activation, optimizer, trainable, monkeypatch
):
    """The fused step (update and gradients in one kernel call) against the Python optimizer."""
    import hatlib.kernels

    rate = 0.01 if optimizer == "adam" else 0.05
    runs = []
    for fused in (True, False):
        model = build_shallow_network(activation, 32, "torch_default", seeds=[1, 2])
        if fused:
            # an optimizer the kernel does not implement gets no fused step
            assert model.fused_step(list(model.parameters()), None, torch.zeros(1), None) is None
        else:
            model.fused_step = lambda *arguments: None
        config = TrainingConfig(optimizer, rate, 150, log_every=10, trainable=trainable)
        with monkeypatch.context() as patch:
            if fused:  # the fused run never calls the gradient-only kernel
                patch.setattr(hatlib.kernels, "shallow_loss_and_gradients", None)
            result = train(model, DATA["x"].to_numpy(), DATA["y"].to_numpy(), config, [2])
        runs.append((result, [p.detach().clone() for p in model.parameters()]))
    (fused, fused_parameters), (separate, separate_parameters) = runs
    if optimizer == "sgd":  # the same operations in the same order: bitwise equal
        assert fused.history.equals(separate.history)
        pairs = zip(fused_parameters, separate_parameters, strict=True)
        assert all(torch.equal(p, q) for p, q in pairs)
    else:  # Adam's update may contract a multiply-add: equal to float32 rounding
        np.testing.assert_allclose(
            fused.history["relative_l2_error"], separate.history["relative_l2_error"], rtol=1e-5
        )
        for p, q in zip(fused_parameters, separate_parameters, strict=True):
            torch.testing.assert_close(p, q, rtol=1e-4, atol=1e-5)
    again = train(
        build_shallow_network(activation, 32, "torch_default", seeds=[1, 2]),
        DATA["x"].to_numpy(),
        DATA["y"].to_numpy(),
        TrainingConfig(optimizer, rate, 150, log_every=10, trainable=trainable),
        [2],
    )
    assert again.history.equals(fused.history)  # bitwise reproducible

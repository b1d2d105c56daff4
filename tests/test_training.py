import numpy as np
import pytest
import torch

from hatlib.fem import mass_matrix, uniform_nodes
from hatlib.models import build_shallow_network
from hatlib.targets import sine_dataset
from hatlib.training import TrainingConfig, train

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
    assert first["step"].tolist() == [*range(0, 100, 10), 95]
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

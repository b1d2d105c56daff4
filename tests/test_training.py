import numpy as np
import pytest
import torch

from hatlib.fem import mass_matrix, uniform_nodes
from hatlib.models import build_shallow_network
from hatlib.targets import sine_dataset
from hatlib.training import TrainingConfig, train


def _fit(activation="hat", optimizer="adam", learning_rate=0.01, iterations=200, **kwargs):
    data = sine_dataset(2, 128)
    model = build_shallow_network(activation, 32, seed=5, dtype=kwargs.pop("dtype", torch.float32))
    config = TrainingConfig(optimizer, learning_rate, iterations, log_every=10, **kwargs)
    return train(model, data["x"].to_numpy(), data["y"].to_numpy(), config, [1, 2, 3])


def test_history_and_spectrum_tables():
    result = _fit(iterations=95)
    assert result.status == "completed" and result.steps == 95
    assert result.history["step"].tolist() == [*range(0, 100, 10), 95]
    assert list(result.spectrum.columns) == ["step", "dft_frequency", "relative_error"]
    assert len(result.spectrum) == 3 * len(result.history)
    assert result.history["relative_l2_error"].iloc[-1] < result.history["relative_l2_error"][0]


def test_training_is_bitwise_deterministic_on_cpu():
    first, second = _fit(), _fit()
    assert first.history.equals(second.history)
    assert first.spectrum.equals(second.spectrum)


def test_divergence_is_recorded_not_raised():
    result = _fit(activation="relu", optimizer="sgd", learning_rate=1e4, iterations=500)
    assert result.status == "diverged"
    assert result.steps < 500
    assert not np.isfinite(result.history["loss"].iloc[-1])


def test_stop_below_ends_the_run_early():
    result = _fit(iterations=5000, stop_below=0.2)
    assert result.status == "converged"
    assert result.history["relative_l2_error"].iloc[-1] < 0.2
    assert (result.history["relative_l2_error"].iloc[:-1] >= 0.2).all()


def test_outer_only_gradient_step_is_the_least_squares_gradient():
    # Hat features on the grid, outer layer only: the loss is quadratic in (a, c) with
    # Hessian 2 G, G the discrete Gram matrix, which approximates the mass matrix M.
    width, num_points, rate = 17, 256, 0.5
    model = build_shallow_network("hat", width, seed=0, dtype=torch.float64)
    x = torch.arange(num_points, dtype=torch.float64) / num_points
    target = torch.sin(2 * torch.pi * x)
    features = model.features(x).detach()  # (N, width)
    np.testing.assert_allclose(
        (features.T @ features / num_points).numpy(),
        mass_matrix(uniform_nodes(width - 1)),
        atol=2e-3,
    )
    weight, bias = model.outer_weight.detach().clone(), model.outer_bias.detach().clone()
    inner = model.inner_weight.detach().clone()
    residual = features @ weight + bias - target  # (N,)
    expected_weight = weight - rate * 2 * features.T @ residual / num_points
    expected_bias = bias - rate * 2 * residual.mean()

    config = TrainingConfig("sgd", rate, 1, log_every=1, trainable="outer")
    train(model, x.numpy(), target.numpy(), config, [1])

    torch.testing.assert_close(model.outer_weight.detach(), expected_weight, rtol=0, atol=1e-13)
    torch.testing.assert_close(model.outer_bias.detach(), expected_bias, rtol=0, atol=1e-13)
    assert torch.equal(model.inner_weight.detach(), inner)


def test_outer_only_leaves_inner_weights_unchanged():
    model = build_shallow_network("relu", 8, seed=0)
    inner = model.inner_weight.detach().clone()
    data = sine_dataset(1, 32)
    config = TrainingConfig("adam", 0.01, 20, log_every=5, trainable="outer")
    train(model, data["x"].to_numpy(), data["y"].to_numpy(), config, [1])
    assert torch.equal(model.inner_weight, inner)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("optimizer", "rmsprop", "unknown optimizer 'rmsprop'"),
        ("learning_rate", -1.0, "learning_rate must be positive"),
        ("log_every", 0, "log_every must be at least 1"),
    ],
)
def test_training_config_rejects_bad_values(field, value, message):
    fields = {"optimizer": "sgd", "learning_rate": 0.1, "iterations": 10, "log_every": 1}
    with pytest.raises((ValueError, KeyError), match=message):
        TrainingConfig(**{**fields, field: value})

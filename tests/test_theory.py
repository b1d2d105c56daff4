import numpy as np
import pytest

from hatlib.experiments.gd_steps import GradientDescentSetup, measure_gd_steps, predict_gd_steps
from hatlib.theory import (
    least_squares_problem,
    mode_steps,
    parse_target,
    steps_to_reduce,
    target_values,
)


def test_mode_steps_formula():
    steps = mode_steps(np.array([4.0, 2.0, 1.0, 0.01]), reduction=10)
    # factors 0, 1/2, 3/4, 0.9975
    assert steps[0] == 1
    assert steps[1] == np.ceil(np.log(0.1) / np.log(0.5))
    assert steps[2] == np.ceil(np.log(0.1) / np.log(0.75))
    assert steps[3] == pytest.approx(np.ceil(np.log(0.1) / np.log(0.9975)))


def test_steps_to_reduce_matches_explicit_gradient_descent():
    rng = np.random.default_rng(0)
    features = rng.normal(size=(50, 6)) * np.array([1, 0.5, 0.3, 0.2, 0.1, 0.05])
    targets = rng.normal(size=50)
    problem = least_squares_problem(features, targets)
    # Iterate gradient descent on mean((F a - y)^2) by hand.
    weights = np.zeros(6)
    errors = []
    for _ in range(3000):
        errors.append(np.linalg.norm(features @ weights - problem.best_fit))
        weights -= problem.learning_rate * 2 * features.T @ (features @ weights - targets) / 50
    errors = np.array(errors) / errors[0]
    expected = int(np.argmax(errors < 0.1))
    assert steps_to_reduce(problem, 10) == expected
    np.testing.assert_allclose(errors[:50], [problem.relative_error(t) for t in range(50)])


def test_steps_to_reduce_rejects_unstable_rates_and_caps():
    features = np.eye(3)
    problem = least_squares_problem(features, np.ones(3), learning_rate=10.0)
    with pytest.raises(ValueError, match="lambda_max"):
        steps_to_reduce(problem)
    slow = least_squares_problem(np.diag([1.0, 1e-6, 1.0]), np.ones(3))
    assert steps_to_reduce(slow, 10, limit=1000) is None


def test_parse_target():
    assert parse_target("sine3") == ("sine", 3)
    assert parse_target("mode12") == ("mode", 12)
    for bad in ("sine0", "mode", "cosine2", "sine-1"):
        with pytest.raises(ValueError, match="target"):
            parse_target(bad)


def test_mode_targets_are_eigenfunctions():
    x = np.arange(64) / 64
    features = np.column_stack([np.ones(64), x, x**2])
    gram = features.T @ features / 64
    eigenvalues = np.linalg.eigvalsh(gram)
    second = target_values("mode2", x, features)
    # The mode's coefficient vector is an eigenvector with the second-largest eigenvalue.
    coefficients = np.linalg.lstsq(features, second, rcond=None)[0]
    np.testing.assert_allclose(gram @ coefficients, eigenvalues[-2] * coefficients, atol=1e-12)


@pytest.mark.parametrize("activation", ["relu", "hat"])
def test_predicted_and_measured_steps_agree(activation):
    setup = GradientDescentSetup(activation, width=16, num_points=256, max_steps=20_000)
    targets = ["sine1", "sine2", "sine3", "mode2", "mode4", "mode8", "mode16"]
    predicted = predict_gd_steps(setup, targets).set_index("target")["predicted_steps"]
    compared = 0
    for target in targets:
        if predicted[target] > setup.max_steps:
            continue
        measured = measure_gd_steps(setup, target)
        assert not measured["censored"]
        assert abs(measured["measured_steps"] - predicted[target]) <= 0.05 * predicted[target]
        compared += 1
    assert compared >= 4
    if activation == "relu":  # the spectral bias: higher modes need many more steps
        assert predicted["mode8"] > 100 * predicted["mode2"]
    else:
        assert predicted.max() <= 20

import math

import numpy as np
import pandas as pd
import pytest
import torch

from hatlib.activations import SLOPES
from hatlib.analysis import choose_learning_rate
from hatlib.models import build_shallow_network
from hatlib.pde import (
    PoissonProblem,
    fem_errors,
    fem_solution,
    gauss_legendre,
    mode_errors,
    network_values,
    relative_errors,
    ritz_energy,
    ritz_learning_rate_search,
    solve_ritz,
)
from hatlib.training import record_steps

PROBLEM = PoissonProblem((1, 3), (1.0, 0.5))


def test_problem_source_and_derivative_match_finite_differences():
    problem = PoissonProblem((2, 5, 1), (0.3, -0.7, 1.1))
    x = np.linspace(0.05, 0.95, 37)
    h = 1e-4
    second = (problem.solution(x + h) - 2 * problem.solution(x) + problem.solution(x - h)) / h**2
    np.testing.assert_allclose(-second, problem.source(x), rtol=0, atol=1e-5 * 25 * np.pi**2)
    h = 1e-5
    first = (problem.solution(x + h) - problem.solution(x - h)) / (2 * h)
    np.testing.assert_allclose(first, problem.derivative(x), rtol=0, atol=1e-6)
    assert problem.solution(np.array([0.0, 1.0])) == pytest.approx([0.0, 0.0], abs=1e-15)


def test_energy_is_minus_half_the_squared_energy_norm():
    problem = PoissonProblem((2, 7), (0.4, -1.5))
    x, weights = gauss_legendre(64, 4)
    assert problem.energy() == pytest.approx(-0.5 * weights @ problem.derivative(x) ** 2, rel=1e-12)
    as_tensor = [torch.from_numpy(v) for v in (problem.derivative(x), problem.solution(x))]
    exact = ritz_energy(as_tensor[0][None], as_tensor[1][None], torch.from_numpy(problem.source(x)),
                        torch.from_numpy(weights))  # fmt: skip
    assert float(exact[0]) == pytest.approx(problem.energy(), rel=1e-12)


@pytest.mark.parametrize(
    ("modes", "coefficients", "field"),
    [
        ((1, 2), (1.0,), "coefficients"),
        ((), (), "modes"),
        ((0, 2), (1.0, 1.0), "modes"),
        ((1.5,), (1.0,), "modes"),
        ((3, 3), (1.0, 2.0), "modes"),
        ((1, 2), (1.0, 0.0), "coefficients"),
        ((1,), (math.nan,), "coefficients"),
    ],
)
def test_problem_rejects_bad_fields(modes, coefficients, field):
    with pytest.raises(ValueError, match=field):
        PoissonProblem(modes, coefficients)


def test_problem_normalises_its_fields():
    problem = PoissonProblem([np.int64(2), 3], [1, np.float32(0.5)])
    assert problem.modes == (2, 3) and problem.coefficients == (1.0, 0.5)
    assert type(problem.modes[0]) is int and hash(problem) == hash(PoissonProblem((2, 3), (1, 0.5)))


@pytest.mark.parametrize("points", [1, 2, 3, 4])
def test_gauss_legendre_is_exact_per_cell_to_degree_2p_minus_1(points):
    cells = 3
    x, weights = gauss_legendre(cells, points)
    assert x.shape == weights.shape == (cells * points,)
    assert np.all(np.diff(x) > 0) and 0 < x[0] and x[-1] < 1
    degree = 2 * points - 1
    # A different polynomial on each cell, kinked at the cell boundaries 1/3 and 2/3.
    for power in range(degree + 1):
        values = np.abs(x - 1 / 3) ** power + np.abs(x - 2 / 3) ** power
        exact = ((2 / 3) ** (power + 1) + (1 / 3) ** (power + 1)) * 2 / (power + 1)
        assert weights @ values == pytest.approx(exact, rel=1e-13)
    too_high = np.abs(x - 1 / 3) ** (degree + 1)
    exact = ((2 / 3) ** (degree + 2) + (1 / 3) ** (degree + 2)) / (degree + 2)
    assert abs(weights @ too_high - exact) > 1e-12


def test_gauss_legendre_integrates_a_sine_accurately():
    x, weights = gauss_legendre(16)
    assert weights @ np.sin(np.pi * x) == pytest.approx(2 / np.pi, abs=1e-10)
    with pytest.raises(ValueError, match="cells"):
        gauss_legendre(0)
    with pytest.raises(ValueError, match="points"):
        gauss_legendre(4, 0)


@pytest.mark.parametrize("num_elements", [1, 2, 7, 32])
def test_fem_solution_is_the_nodal_interpolant(num_elements):
    problem = PoissonProblem((1, 4, 9), (1.0, -0.3, 0.2))
    values = fem_solution(problem, num_elements)
    nodes = np.arange(num_elements + 1) / num_elements
    assert values.shape == (num_elements + 1,) and values[0] == values[-1] == 0.0
    np.testing.assert_allclose(values, problem.solution(nodes), rtol=0, atol=1e-10)


def test_fem_errors_converge_at_orders_two_and_one():
    errors = np.array([fem_errors(PROBLEM, n) for n in (8, 16, 32, 64)])  # (4, 2)
    ratios = errors[:-1] / errors[1:]
    np.testing.assert_allclose(ratios[:, 0], 4.0, rtol=0.05)
    np.testing.assert_allclose(ratios[:, 1], 2.0, rtol=0.05)
    assert np.all(errors[:, 0] < errors[:, 1])


def _network(activation, width=9, seeds=(0, 1)):
    return build_shallow_network(activation, width, "torch_default", seeds, dtype=torch.float64)


@pytest.mark.parametrize("activation", sorted(SLOPES))
def test_network_values_derivative_matches_autograd_and_differences(activation):
    model = _network(activation)
    with torch.no_grad():  # scale up so that Hat and the B-splines vary on [0, 1]
        model.inner_weight.mul_(6.0)
        model.inner_bias.mul_(3.0)
    x = torch.rand(50, generator=torch.Generator().manual_seed(4), dtype=torch.float64)
    x.requires_grad_(True)
    u, du = network_values(model, x)
    assert u.shape == du.shape == (2, 50)
    (by_autograd,) = torch.autograd.grad(u.sum(), x)
    np.testing.assert_allclose(du.detach().sum(0), by_autograd, rtol=1e-12, atol=1e-12)
    h = 1e-6
    with torch.no_grad():
        difference = (network_values(model, x + h)[0] - network_values(model, x - h)[0]) / (2 * h)
    np.testing.assert_allclose(du.detach(), difference, rtol=0, atol=1e-6)
    ends, _ = network_values(model, torch.tensor([0.0, 1.0], dtype=torch.float64))
    assert torch.all(ends == 0)


@pytest.mark.parametrize("activation", ["bspline2", "tanh", "hat"])
def test_energy_gradient_matches_parameter_differences(activation):
    model = _network(activation, seeds=(3,))
    with torch.no_grad():
        model.inner_weight.mul_(6.0)
    x, weights = (torch.from_numpy(v) for v in gauss_legendre(32))
    f = torch.from_numpy(PROBLEM.source(x.numpy()))
    energy = ritz_energy(*reversed(network_values(model, x)), f, weights)
    gradients = torch.autograd.grad(energy.sum(), list(model.parameters()))
    for parameter, gradient in zip(model.parameters(), gradients, strict=True):
        assert torch.count_nonzero(gradient) > 0
        direction = torch.randn(parameter.shape, generator=torch.Generator().manual_seed(1),
                                dtype=torch.float64)  # fmt: skip
        h = 1e-6
        with torch.no_grad():
            parameter.add_(h * direction)
            up = ritz_energy(*reversed(network_values(model, x)), f, weights)
            parameter.sub_(2 * h * direction)
            down = ritz_energy(*reversed(network_values(model, x)), f, weights)
            parameter.add_(h * direction)
        expected = float((up - down)[0]) / (2 * h)
        assert float((gradient * direction).sum()) == pytest.approx(expected, rel=1e-5, abs=1e-7)


def test_mode_and_relative_errors_of_a_known_perturbation():
    x, weights = (torch.from_numpy(v) for v in gauss_legendre(64, 4))
    exact = torch.from_numpy(PROBLEM.solution(x.numpy()))
    slope = torch.from_numpy(PROBLEM.derivative(x.numpy()))
    delta = torch.tensor([[0.1], [-0.02]], dtype=torch.float64)
    u = exact + delta * torch.sin(3 * math.pi * x)  # (2, Q): mode 3 off by delta
    du = slope + delta * 3 * math.pi * torch.cos(3 * math.pi * x)
    errors = mode_errors(PROBLEM, u, x, weights)
    np.testing.assert_allclose(errors, [[0.0, 0.2], [0.0, 0.04]], atol=1e-12)
    l2, h1 = relative_errors(PROBLEM, u, du, x, weights)
    norm_l2 = math.sqrt((1.0 + 0.25) / 2)
    norm_h1 = math.sqrt((math.pi**2 + 0.25 * 9 * math.pi**2) / 2)
    np.testing.assert_allclose(l2, [0.1 / math.sqrt(2) / norm_l2, 0.02 / math.sqrt(2) / norm_l2])
    expected_h1 = np.array([0.1, 0.02]) * 3 * math.pi / math.sqrt(2) / norm_h1
    np.testing.assert_allclose(h1, expected_h1, rtol=1e-10)


def _hat_model(seeds=(0, 1), width=33):
    return build_shallow_network("hat", width, "fem_grid", seeds, dtype=torch.float64)


def test_energy_gap_is_half_the_squared_energy_error():
    # Quadrature cells aligned with the Hat grid: every integrand is smooth on each cell.
    result = solve_ritz(PROBLEM, _hat_model(), "sgd", 1e-3, 0, 1, quadrature_cells=64)
    history = result.history
    assert list(history["step"]) == [0, 0] and result.status == ["completed"] * 2
    squared_norm = -2 * PROBLEM.energy()
    expected = 0.5 * history["relative_h1_error"] ** 2 * squared_norm
    np.testing.assert_allclose(history["energy_gap"], expected, rtol=1e-8)
    np.testing.assert_allclose(history["energy"] - history["energy_gap"], PROBLEM.energy())


def _galerkin_minimum(model, cells):
    """Least Ritz energy over the outer layer of member 0, from the normal equations."""
    x, weights = gauss_legendre(cells)
    x_t = torch.from_numpy(x)
    pre = x_t[:, None] * model.inner_weight[0].detach() + model.inner_bias[0].detach()
    phi = torch.cat([model.activation.function(pre), torch.ones(len(x), 1)], dim=1)
    dphi = torch.cat([SLOPES["hat"](pre) * model.inner_weight[0].detach(),
                      torch.zeros(len(x), 1)], dim=1)  # fmt: skip
    bubble = (x_t * (1 - x_t))[:, None]
    psi = (bubble * phi).numpy()
    dpsi = ((1 - 2 * x_t)[:, None] * phi + bubble * dphi).numpy()
    stiffness = dpsi.T @ (weights[:, None] * dpsi)
    load = psi.T @ (weights * PROBLEM.source(x))
    coefficients = np.linalg.lstsq(stiffness, load, rcond=None)[0]
    return -0.5 * load @ coefficients


def test_adam_on_the_outer_layer_reaches_the_galerkin_minimum():
    model = _hat_model()
    minimum = _galerkin_minimum(model, 64)
    result = solve_ritz(PROBLEM, model, "adam", 0.05, 400, 50, 64, trainable="outer")
    assert result.status == ["completed", "completed"] and result.steps == [400, 400]
    for _, run in result.history.groupby("member"):
        first, last = run.iloc[0], run.iloc[-1]
        assert list(run["step"]) == record_steps(400, 50).tolist()
        assert last["relative_h1_error"] < first["relative_h1_error"] / 10
        assert last["energy_gap"] < first["energy_gap"] / 100
        assert last["energy"] == pytest.approx(minimum, rel=1e-6)
    final = result.modes[result.modes["step"] == 400]
    assert list(final["mode"]) == [1, 3, 1, 3] and (final["relative_error"] < 0.01).all()
    initial = result.modes[result.modes["step"] == 0]
    assert (initial["relative_error"] > 0.1).all()
    # The inner layer was not trained: the same grid as a fresh model.
    torch.testing.assert_close(model.inner_bias, _hat_model().inner_bias, rtol=0, atol=0)


def test_training_all_parameters_lowers_the_energy():
    model = build_shallow_network("relu", 32, "fem_grid", (0,), dtype=torch.float64)
    before = model.inner_bias.detach().clone()
    result = solve_ritz(PROBLEM, model, "adam", 0.03, 150, 50, 64)
    gaps = result.history["energy_gap"].to_numpy()
    assert gaps[-1] < gaps[0] / 5
    assert not torch.equal(model.inner_bias.detach(), before)


def test_absurd_learning_rate_diverges_and_stops_recording():
    result = solve_ritz(PROBLEM, _hat_model(), "sgd", 1e6, 500, 10, 64)
    assert result.status == ["diverged", "diverged"]
    assert all(0 < steps < 500 for steps in result.steps)
    for member, run in result.history.groupby("member"):
        assert run["step"].iloc[-1] == result.steps[member]
        assert not np.isfinite(run["energy"].iloc[-1])
        assert np.isfinite(run["energy"].iloc[:-1]).all()
    assert result.modes["step"].max() == max(result.steps)


def test_a_diverged_member_leaves_the_others_alone():
    alone = solve_ritz(PROBLEM, _hat_model((0,)), "adam", 0.05, 60, 20, 32)
    model = _hat_model((0, 1))
    with torch.no_grad():
        model.outer_weight[1] = 1e200  # energy overflows at step 0
    both = solve_ritz(PROBLEM, model, "adam", 0.05, 60, 20, 32)
    assert both.status == ["completed", "diverged"] and both.steps == [60, 0]
    assert list(both.history.loc[both.history["member"] == 1, "step"]) == [0]
    pd.testing.assert_frame_equal(
        both.history[both.history["member"] == 0], alone.history, rtol=1e-12
    )


def test_solve_ritz_is_deterministic():
    def run():
        model = build_shallow_network("relu", 16, "torch_default", (0, 1, 2))
        return solve_ritz(PROBLEM, model, "adam", 0.01, 40, 10, 48)

    first, second = run(), run()
    pd.testing.assert_frame_equal(first.history, second.history, check_exact=True)
    pd.testing.assert_frame_equal(first.modes, second.modes, check_exact=True)
    assert first.history["energy"].dtype == np.float64
    assert first.status == second.status


@pytest.mark.parametrize(
    ("keywords", "message"),
    [
        ({"optimizer": "lbfgs"}, "optimizer"),
        ({"learning_rate": 0.0}, "learning_rate"),
        ({"learning_rate": math.inf}, "learning_rate"),
        ({"iterations": -1}, "iterations"),
        ({"log_every": 0}, "log_every"),
        ({"trainable": "inner"}, "trainable"),
        ({"quadrature_cells": 0}, "cells"),
    ],
)
def test_solve_ritz_rejects_bad_settings(keywords, message):
    settings = {"optimizer": "sgd", "learning_rate": 0.1, "iterations": 1, "log_every": 1}
    settings["quadrature_cells"] = 8
    with pytest.raises((ValueError, KeyError), match=message):
        solve_ritz(PROBLEM, _hat_model((0,), 5), **{**settings, **keywords})


def test_learning_rate_search_picks_a_stable_rate():
    seeds = (0, 1)
    search = ritz_learning_rate_search(
        PROBLEM,
        lambda: _hat_model(seeds, 17),
        "sgd",
        [0.01, 0.1, 1e6],
        iterations=40,
        quadrature_cells=32,
        seeds=seeds,
    )
    assert list(search.columns) == ["learning_rate", "seed", "final_error", "status"]
    assert len(search) == 6 and list(search["seed"]) == [0, 1] * 3
    diverged = search[search["learning_rate"] == 1e6]
    assert (diverged["status"] == "diverged").all()
    stable = search[search["learning_rate"] < 1]
    assert (stable["status"] == "completed").all() and (stable["final_error"] < 1).all()
    assert choose_learning_rate(search) == 0.1


def test_fem_width_table_uses_the_hat_grid_and_converges():
    from hatlib.pde import fem_width_table

    problem = PoissonProblem((1, 4), (1.0, 1.0))
    table = fem_width_table(problem, [17, 33, 65])
    assert table["num_elements"].tolist() == [16, 32, 64]
    assert table.loc[0, "relative_h1_error"] == pytest.approx(fem_errors(problem, 16)[1], rel=1e-12)
    ratios = table["relative_l2_error"].to_numpy()[:-1] / table["relative_l2_error"].to_numpy()[1:]
    assert np.all(ratios > 3.5)  # second order in L2


def test_run_pde_tables_and_the_chosen_rate_is_used():
    import torch

    from hatlib.experiments.poisson import run_pde

    torch.set_num_threads(1)
    settings = {
        "modes": [1, 4],
        "coefficients": [1.0, 1.0],
        "activations": ["hat"],
        "optimizers": ["adam"],
        "width": 17,
        "widths": [9, 17],
        "seeds": 2,
        "iterations": 60,
        "log_every": 20,
        "selection_iterations": 20,
        "learning_rates": {"sgd": [0.01], "adam": [0.01, 0.1, 1e6]},
        "quadrature_cells": 32,
        "tolerance": 0.1,
        "trainable": "outer",
        "dtype": "float64",
    }
    history, modes, widths, search, metadata = run_pde("hat", settings, "cpu")
    chosen = search.loc[search["chosen"], "learning_rate"].unique()
    assert len(chosen) == 1 and chosen[0] == metadata["runs"]["adam"]["learning_rate"] < 1e6
    assert sorted(modes["mode"].unique()) == [1, 4]
    assert sorted(history["step"].unique()) == record_steps(60, 20).tolist()
    assert widths["width"].tolist() == [9, 9, 17, 17]
    first = history[history["step"] == 0]["relative_h1_error"].median()
    last = history[history["step"] == 60]["relative_h1_error"].median()
    assert last < 0.5 * first
    # the main run and the width run of the same width and rate are the same computation
    main = history[history["step"] == 60].sort_values("seed")["relative_h1_error"].to_numpy()
    sweep = widths[widths["width"] == 17].sort_values("seed")["relative_h1_error"].to_numpy()
    np.testing.assert_array_equal(main, sweep)


def test_ritz_hessian_is_the_energy_s_second_derivative():
    from hatlib.pde import ritz_hessian

    hessian = ritz_hessian("relu", 8, 64)
    model = build_shallow_network("relu", 8, "fem_grid", seeds=[0], dtype=torch.float64)
    x, weights = (torch.from_numpy(v) for v in gauss_legendre(64, 3))
    theta = np.random.default_rng(0).normal(size=9)
    with torch.no_grad():
        model.outer_weight.copy_(torch.from_numpy(theta[:8])[None, :])
        model.outer_bias.fill_(theta[8])
    _, du = network_values(model, x)
    # the quadratic part of the energy, (1/2) int u'^2, is (1/2) theta' K theta
    quadratic = 0.5 * float((du[0].detach() ** 2) @ weights)
    assert quadratic == pytest.approx(0.5 * theta @ hessian @ theta, rel=1e-12)


def test_hat_ritz_conditioning_grows_like_the_square_of_the_width_and_relu_faster():
    from hatlib.pde import conditioning_exponents, ritz_conditioning

    table = ritz_conditioning(["hat", "relu"], [16, 32, 64], 128)
    exponents = conditioning_exponents(table).set_index("activation")["exponent"]
    assert exponents["hat"] == pytest.approx(2.0, abs=0.2)
    assert exponents["relu"] > exponents["hat"] + 1
    assert (table["condition_number"] > 1).all()


def test_aligned_rule_integrates_across_kinks_exactly_and_a_uniform_rule_does_not():
    from hatlib.pde import aligned_rule

    kink = 1 / 3  # not an edge of any uniform cell
    exact = (1 - kink) ** 3 / 3  # int_0^1 relu(x - kink)^2
    x, weights = aligned_rule(np.array([kink, -0.5, 1.5]), 4, 2)
    assert weights.sum() == pytest.approx(1.0, abs=1e-15) and np.all(np.diff(x) > 0)
    assert len(x) == 2 * 5  # four cells, one split at the kink; outside points dropped
    assert weights @ np.maximum(x - kink, 0) ** 2 == pytest.approx(exact, rel=1e-13)
    x, weights = gauss_legendre(4, 2)
    assert abs(weights @ np.maximum(x - kink, 0) ** 2 - exact) > 1e-5


def test_network_breakpoints_are_the_hat_grid():
    from hatlib.pde import network_breakpoints

    model = build_shallow_network("hat", 5, "fem_grid", seeds=[0, 1], dtype=torch.float64)
    expected = np.arange(-1, 6) / 4  # nodes j/4 and the supports' outer ends
    np.testing.assert_allclose(network_breakpoints(model), expected, atol=1e-14)
    smooth = build_shallow_network("tanh", 5, "fem_grid", dtype=torch.float64)
    assert network_breakpoints(smooth).size == 0


def test_ritz_minimiser_does_not_depend_on_how_fine_the_cells_are():
    # Hat nodes j/(n-1) are not edges of the equal cells: without the split at the
    # kinks the minimiser's L2 error changed with the cells (here 0.062 at 128
    # cells against 0.030 at 1024).
    from hatlib.pde import ritz_minimiser

    problem = PoissonProblem((1, 4, 16), (1.0, 1.0, 1.0))
    coarse = ritz_minimiser(problem, "hat", 64, 128)
    fine = ritz_minimiser(problem, "hat", 64, 1024)
    for key in ("relative_l2_error", "relative_h1_error"):
        assert coarse[key] == pytest.approx(fine[key], rel=1e-5)
    # E(u) - E(u*) = |u - u*|_1^2 / 2 holds for the minimiser up to the quadrature
    squared_norm = -2 * problem.energy()
    expected_gap = 0.5 * fine["relative_h1_error"] ** 2 * squared_norm
    assert fine["energy_gap"] == pytest.approx(expected_gap, rel=1e-6)


def test_ritz_minimiser_converges_at_the_finite_element_rates():
    from hatlib.pde import minimiser_width_table

    problem = PoissonProblem((1, 3), (1.0, 0.5))
    table = minimiser_width_table(problem, ["hat", "relu"], [32, 64, 128], 256)
    for _, group in table.groupby("activation"):
        h1 = np.polyfit(np.log(group["width"]), np.log(group["relative_h1_error"]), 1)[0]
        l2 = np.polyfit(np.log(group["width"]), np.log(group["relative_l2_error"]), 1)[0]
        assert h1 == pytest.approx(-1.0, abs=0.1)  # |u - u_h|_1 ~ h
        assert l2 == pytest.approx(-2.0, abs=0.2)  # ||u - u_h|| ~ h^2


def test_training_the_outer_layer_approaches_the_minimiser_from_above():
    from hatlib.pde import ritz_minimiser

    problem = PoissonProblem((1, 4), (1.0, 1.0))
    best = ritz_minimiser(problem, "hat", 12, 48)
    model = build_shallow_network("hat", 12, "fem_grid", seeds=[0, 1], dtype=torch.float64)
    result = solve_ritz(problem, model, "adam", 0.05, 1500, 1500, 48, trainable="outer")
    final = result.history[result.history["step"] == 1500]
    assert (final["energy_gap"] >= best["energy_gap"] * (1 - 1e-9)).all()
    np.testing.assert_allclose(final["relative_h1_error"], best["relative_h1_error"], rtol=1e-3)


@pytest.mark.parametrize("activation", ["relu", "hat"])
@pytest.mark.parametrize(("optimizer", "rate"), [("sgd", 0.002), ("adam", 0.02)])
@pytest.mark.parametrize("trainable", ["outer", "outer_weight"])
def test_quadratic_energy_trains_as_autograd_does(activation, optimizer, rate, trainable):
    # With the inner layer fixed, the energy from its Hessian and load is the quadrature
    # energy: in float64 the two evaluations give the same run to rounding, in float32 to
    # float32 rounding; a wrong Hessian, load or gradient split moves the runs far apart.
    problem = PoissonProblem((1, 4, 16), (1.0, 1.0, 1.0))
    for dtype, tolerance in ((torch.float64, 1e-9), (torch.float32, 1e-4)):
        runs = []
        for quadratic in (True, False):
            model = build_shallow_network(activation, 48, "fem_grid", (0, 1), dtype)
            with torch.no_grad():  # a start away from the grid's zero output layer
                model.outer_weight.copy_(torch.linspace(-1.0, 1.0, 96).reshape(2, 48))
                model.outer_bias.fill_(0.3)
            runs.append(
                solve_ritz(
                    problem,
                    model,
                    optimizer,
                    rate,
                    300,
                    50,
                    64,
                    trainable=trainable,
                    quadratic=quadratic,
                )
            )
        fast, reference = runs
        assert fast.status == reference.status == ["completed", "completed"]
        assert len(fast.history) == len(reference.history)
        for column in ["energy", "energy_gap", "relative_l2_error", "relative_h1_error"]:
            np.testing.assert_allclose(
                fast.history[column], reference.history[column], rtol=tolerance
            )
        gaps = reference.history.groupby("member")["energy_gap"]
        assert (gaps.last() < gaps.first()).all()  # the runs train


def test_quadratic_energy_needs_a_fixed_inner_layer_and_is_deterministic():
    with pytest.raises(ValueError, match="quadratic"):
        solve_ritz(PROBLEM, _hat_model((0,), 5), "sgd", 0.1, 1, 1, 8, quadratic=True)

    def run():
        model = build_shallow_network("relu", 32, "fem_grid", (0, 1, 2))
        return solve_ritz(PROBLEM, model, "adam", 0.01, 200, 10, 48, trainable="outer")

    first, second = run(), run()
    pd.testing.assert_frame_equal(first.history, second.history, check_exact=True)
    pd.testing.assert_frame_equal(first.modes, second.modes, check_exact=True)

"""The 2-D first layer: ridges on a grid along fixed directions, and what it can fit frozen."""

import copy

import numpy as np
import pytest
import torch
import yaml

from hatlib.activations import get_activation
from hatlib.config import ConfigError, check_config
from hatlib.experiments.multifrequency import first_layer_grid, first_layer_table
from hatlib.models import build_deep_network, build_shallow_network
from hatlib.paper_experiments import first_layer_latex_table
from hatlib.ridge_grid import (
    feature_conditioning,
    frozen_features,
    ridge_grid,
    ridge_layer,
    unit_directions,
)
from hatlib.targets import uniform_grid_2d

AXES_AND_DIAGONALS = [[1, 0], [0, 1], [1, 1], [1, -1]]


def test_directions_are_unit_sign_normalised_and_distinct():
    units = unit_directions([[2, 0], [-3, 0], [0, -1], [-1, -1], [1, 1], [4, 1]])
    assert units.shape == (4, 2)
    np.testing.assert_allclose(np.linalg.norm(units, axis=1), 1.0)
    np.testing.assert_allclose(units[:3], [[1, 0], [0, 1], [2**-0.5, 2**-0.5]])
    with pytest.raises(ValueError, match="non-zero"):
        unit_directions([[0, 0]])


def test_grid_adds_the_target_directions_and_shares_width_by_periods():
    frequencies = [[1, 0], [0, 2], [2, 2], [4, 1]]
    grid = ridge_grid(AXES_AND_DIAGONALS, frequencies, 128, 5.0)
    assert grid.width == 128
    assert len(grid.directions) == 5  # (4, 1) is new; (0, 2), (2, 2) repeat an axis, a diagonal
    np.testing.assert_allclose(grid.directions[-1], np.array([4, 1]) / np.sqrt(17))
    # the highest frequency along each direction, max_j |k_j . u|
    np.testing.assert_allclose(grid.frequencies[:2], [4.0, 2.0])
    np.testing.assert_allclose(grid.frequencies[2], 5 / np.sqrt(2))
    density = grid.elements_per_period()
    assert density.min() >= 5.0
    periods = grid.spans() * np.asarray(grid.frequencies)
    # the units beyond the rule's minimum go in proportion to the periods
    extra = (np.asarray(grid.nodes) - 1) - np.ceil(5.0 * periods - 1e-9)
    share = extra.sum() * periods / periods.sum()
    assert np.all(np.abs(extra - share) < 1.0)


def test_grid_refuses_a_width_below_the_design_rule_and_names_the_width_needed():
    frequencies = [[1, 0], [0, 2], [2, 2], [4, 1]]
    with pytest.raises(ValueError, match=r"width 64 gives .* need a width of at least (\d+)") as e:
        ridge_grid(AXES_AND_DIAGONALS, frequencies, 64, 5.0)
    needed = int(str(e.value).rsplit(" ", 1)[1])
    assert ridge_grid(AXES_AND_DIAGONALS, frequencies, needed, 5.0).elements_per_period().min() >= 5
    with pytest.raises(ValueError):
        ridge_grid(AXES_AND_DIAGONALS, frequencies, needed - 1, 5.0)


@pytest.mark.parametrize("activation", ["relu", "hat", "tanh"])
def test_along_an_axis_the_layer_is_the_one_dimensional_fem_grid(activation):
    grid = ridge_grid([[1, 0]], [[3, 0]], 16, 5.0)
    weight, bias = ridge_layer(activation, grid)
    reference = build_shallow_network(activation, 16, "fem_grid", dtype=torch.float64)
    x = torch.linspace(0, 1, 41, dtype=torch.float64)
    points = torch.stack([x, torch.rand(41, dtype=torch.float64)], dim=1)
    spec = get_activation(activation)
    ours = spec.function(points @ weight + bias)
    np.testing.assert_allclose(ours.numpy(), reference.features(x)[0].detach().numpy(), atol=1e-12)


def test_hats_along_every_direction_are_a_partition_of_unity_and_share_relu_kinks():
    grid = ridge_grid(AXES_AND_DIAGONALS, [[1, 0], [2, 1]], 64, 5.0)
    points = np.random.default_rng(0).uniform(size=(500, 2))
    hats = frozen_features("hat", grid, points)[:, :-1]
    start = 0
    for count in grid.nodes:
        np.testing.assert_allclose(hats[:, start : start + count].sum(axis=1), 1.0, atol=1e-12)
        start += count
    # ReLU and Hat share directions; ReLU's first kink is Hat's first peak, the grid's start
    relu_w, relu_b = ridge_layer("relu", grid)
    hat_w, hat_b = ridge_layer("hat", grid)
    relu_anchor = -relu_b / torch.linalg.vector_norm(relu_w, dim=0)
    hat_anchor = (1.0 - hat_b) / torch.linalg.vector_norm(hat_w, dim=0)  # the peak
    first = grid.nodes[0]
    # ReLU uses the left layout (no node at the end), Hat the closed one: same first node
    np.testing.assert_allclose(relu_anchor[0], hat_anchor[0], atol=1e-12)
    assert float(hat_anchor[first - 1]) == pytest.approx(1.0)


@pytest.mark.parametrize("name", ["config.yaml", "quick.yaml"])
def test_the_configured_first_layer_can_reach_the_tolerance_frozen(repository, name):
    multi = yaml.safe_load((repository / "config" / name).read_text())["multifrequency"]
    table = first_layer_table(multi["two_d"], multi["activations"], multi["phase_seed"])
    assert set(table["activation"]) == set(multi["activations"])
    assert len(table) == len(multi["activations"]) * len(multi["two_d"]["frequencies"])
    assert (table["best_fit_error"] < multi["tolerance"]).all(), table


def test_frozen_table_tells_relu_from_hat_and_a_too_coarse_grid_fails_the_tolerance():
    two_d = {
        "points_per_side": 32,
        "frequencies": [[1, 0], [4, 1]],
        "width": 64,
        "directions": AXES_AND_DIAGONALS,
        "elements_per_period": 1.0,
    }
    table = first_layer_table(two_d, ["relu", "hat"], phase_seed=0).set_index(
        ["activation", "frequency"]
    )
    steps = table["predicted_steps"]
    # the theory's prediction along a ridge: ReLU's steps grow with |k|, Hat's barely move
    assert steps["relu", "(4, 1)"] / steps["relu", "(1, 0)"] > 20
    assert steps["hat", "(4, 1)"] / steps["hat", "(1, 0)"] < 5
    coarse = {**two_d, "width": 23}  # the least width with one element per period
    errors = first_layer_table(coarse, ["hat"], phase_seed=0)["best_fit_error"]
    assert errors.max() > 0.1
    latex = first_layer_latex_table(table.reset_index())
    assert latex.count(r"\\") == 1 + 2 * 2 and "predicted steps" in latex


def test_conditioning_is_taken_on_the_range():
    rng = np.random.default_rng(1)
    features = rng.normal(size=(50, 4))
    features = np.hstack([features, features[:, :1] + features[:, 1:2]])  # one dependency
    result = feature_conditioning(features)
    assert result["nullity"] == 1
    gram = features.T @ features / 50
    eigenvalues = np.linalg.eigvalsh(gram)
    assert result["largest"] == pytest.approx(eigenvalues[-1])
    assert result["smallest"] == pytest.approx(eigenvalues[1])
    assert result["condition_number"] == pytest.approx(eigenvalues[-1] / eigenvalues[1])


def test_deep_and_shallow_networks_use_the_grid_in_every_member():
    grid = ridge_grid(AXES_AND_DIAGONALS, [[1, 0], [2, 1]], 32, 1.0)
    layer = ridge_layer("hat", grid)
    for depth in (1, 3):
        model = build_deep_network("hat", 2, 32, depth, seeds=[0, 1], first_layer=layer)
        for member in range(2):
            np.testing.assert_allclose(model.weights[0][member].detach(), layer[0].float())
            np.testing.assert_allclose(model.biases[0][member].detach(), layer[1].float())
    with pytest.raises(ValueError, match=r"first_layer has shapes \(2, 32\)"):
        build_deep_network("hat", 2, 16, 1, first_layer=layer)


def test_two_d_width_below_the_rule_is_refused_before_any_job(repository):
    config = yaml.safe_load((repository / "config/config.yaml").read_text())
    bad = copy.deepcopy(config)
    bad["multifrequency"]["two_d"]["width"] = 64
    with pytest.raises(ConfigError, match=r"multifrequency\.two_d\.width = 64: .* at least"):
        check_config(bad)
    check_config(config)


def test_features_are_the_first_layer_of_the_trained_network():
    multi = {
        "points_per_side": 8,
        "frequencies": [[1, 0], [1, 1]],
        "width": 24,
        "directions": AXES_AND_DIAGONALS,
        "elements_per_period": 1.0,
    }
    grid = first_layer_grid(multi)
    points = uniform_grid_2d(8)
    model = build_deep_network(
        "hat", 2, grid.width, 1, dtype=torch.float64, first_layer=ridge_layer("hat", grid)
    )
    hidden = get_activation("hat").function(
        torch.as_tensor(points) @ model.weights[0][0] + model.biases[0][0]
    )
    np.testing.assert_allclose(
        hidden.detach().numpy(), frozen_features("hat", grid, points)[:, :-1]
    )


def test_exact_gram_nullity_is_the_linear_functions_every_direction_repeats():
    # Along each of M directions Hat's nodal basis reproduces 1 and u.x, ReLU's u.x - low:
    # with the output's constant, 2M + 1 (Hat) or M + 1 (ReLU) vectors in span{1, x1, x2}.
    from hatlib.ridge_grid import exact_conditioning

    grid = ridge_grid(AXES_AND_DIAGONALS, [[1, 0], [2, 1]], 64, 5.0)
    directions = len(grid.directions)
    assert exact_conditioning("hat", grid)["nullity"] == 2 * directions + 1 - 3
    assert exact_conditioning("relu", grid)["nullity"] == directions + 1 - 3
    assert np.isnan(exact_conditioning("tanh", grid)["condition_number"])


def test_first_layer_macros_quote_the_fitted_growth_of_predicted_steps():
    from hatlib.paper_experiments import first_layer_macros

    table = first_layer_table(
        {
            "points_per_side": 32,
            "frequencies": [[1, 0], [2, 0], [4, 0]],
            "width": 48,
            "directions": [[1, 0]],
            "elements_per_period": 5.0,
        },
        ["relu", "hat"],
        phase_seed=0,
    )
    macros = first_layer_macros(table)
    relu = table[table["activation"] == "relu"]
    slope = np.polyfit(np.log(relu["magnitude"]), np.log(relu["predicted_steps"]), 1)[0]
    assert macros["FirstLayerStepsExponentRelu"] == f"\\num{{{slope:.2g}}}".replace("e+0", "e")
    assert slope > 1.5  # along one axis: the 1-D ReLU theory
    assert macros["FirstLayerNullityHat"] == "1"  # one direction: 1 and x, plus the constant
    assert macros["FirstLayerWidth"] == "48"


def test_exact_spectrum_table_has_every_eigenvalue_of_the_piecewise_linear_activations():
    from hatlib.experiments.multifrequency import first_layer_spectrum

    two_d = {
        "points_per_side": 16,
        "frequencies": [[1, 0], [2, 1]],
        "width": 64,
        "directions": AXES_AND_DIAGONALS,
        "elements_per_period": 5.0,
    }
    spectrum = first_layer_spectrum(two_d, ["relu", "hat", "tanh"])
    assert set(spectrum["activation"]) == {"relu", "hat"}  # tanh has no exact Gram here
    hat = spectrum[spectrum["activation"] == "hat"]
    assert len(hat) == 64 + 1 and hat["index"].tolist() == list(range(1, 66))
    assert hat["eigenvalue"].is_monotonic_decreasing
    assert hat["eigenvalue"].iloc[-1] == pytest.approx(0.0, abs=1e-14)  # the null space

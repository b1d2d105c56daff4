import pytest
import torch

from hatlib.activations import UnknownNameError
from hatlib.models import build_shallow_network


def test_fem_grid_hat_features_are_the_nodal_basis():
    # At the nodes, the P1 nodal basis is the identity: phi_i(x_j) = delta_ij.
    width = 9
    model = build_shallow_network("hat", width, "fem_grid", dtype=torch.float64)
    nodes = torch.arange(width, dtype=torch.float64) / (width - 1)
    features = model.features(nodes)
    torch.testing.assert_close(features[0], torch.eye(width, dtype=torch.float64))


def test_fem_grid_hat_feature_is_piecewise_linear_between_nodes():
    model = build_shallow_network("hat", 5, "fem_grid", dtype=torch.float64)
    # Midpoint between nodes 1/4 and 2/4: the two neighbouring hats are 1/2 each.
    features = model.features(torch.tensor([0.375], dtype=torch.float64))[0, 0]
    torch.testing.assert_close(features, torch.tensor([0, 0.5, 0.5, 0, 0], dtype=torch.float64))


def test_fem_grid_relu_features_are_shifted_relus():
    width = 4
    model = build_shallow_network("relu", width, "fem_grid", dtype=torch.float64)
    x = torch.linspace(0, 1, 11, dtype=torch.float64)
    nodes = torch.arange(width, dtype=torch.float64) / width
    expected = torch.relu(x[:, None] - nodes[None, :])
    torch.testing.assert_close(model.features(x)[0], expected)


def test_torch_default_hat_sees_mostly_its_relu_part():
    # The trap of science.md: with |w|, |b| <= 1 on [0, 1], pre-activations stay below 2,
    # so almost no feature uses the descending half of the hat.
    model = build_shallow_network("hat", 256, "torch_default", dtype=torch.float64)
    assert model.inner_weight.abs().max() <= 1 and model.inner_bias.abs().max() <= 1
    pre = torch.linspace(0, 1, 101, dtype=torch.float64)[:, None] * model.inner_weight
    pre = pre + model.inner_bias
    assert (pre > 1).double().mean() < 0.2


def test_same_seed_same_network_and_different_seed_different_outer_layer():
    first = build_shallow_network("hat", 16, seeds=[3])
    second = build_shallow_network("hat", 16, seeds=[3])
    third = build_shallow_network("hat", 16, seeds=[4])
    for a, b in zip(first.parameters(), second.parameters(), strict=True):
        assert torch.equal(a, b)
    assert not torch.equal(first.outer_weight, third.outer_weight)
    assert torch.equal(first.inner_weight, third.inner_weight)  # fem_grid: no randomness


@pytest.mark.parametrize("initialisation", ["fem_grid", "torch_default"])
def test_batch_member_equals_network_built_alone(initialisation):
    batch = build_shallow_network("relu", 12, initialisation, seeds=[7, 2, 9])
    for member, seed in enumerate([7, 2, 9]):
        alone = build_shallow_network("relu", 12, initialisation, seeds=[seed])
        for batched, single in zip(batch.parameters(), alone.parameters(), strict=True):
            assert torch.equal(batched[member], single[0])


def test_forward_shape_and_formula():
    model = build_shallow_network("tanh", 7, "torch_default", seeds=[1, 5], dtype=torch.float64)
    x = torch.rand(13, dtype=torch.float64)
    output = model(x)
    assert output.shape == (2, 13)
    for s in range(2):
        hidden = torch.tanh(x[:, None] * model.inner_weight[s] + model.inner_bias[s])
        torch.testing.assert_close(output[s], hidden @ model.outer_weight[s] + model.outer_bias[s])


def test_unknown_initialisation_names_valid_choices():
    with pytest.raises(UnknownNameError, match="fem_grid, torch_default"):
        build_shallow_network("hat", 8, "xavier")

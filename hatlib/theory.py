"""Gradient-descent steps predicted from a Gram matrix's eigen-decomposition.

With the hidden features fixed, fitting the output weights ``a`` by gradient
descent on the mean squared error ``L(a) = mean((Phi a - y)^2)`` over ``N``
samples is a linear least-squares problem with Hessian ``2 G``,
``G = Phi^T Phi / N`` the discrete Gram matrix. From ``a_0`` the error along
the eigenvector ``v_j`` of ``G`` (eigenvalue ``lambda_j``) is multiplied by
``1 - 2 r lambda_j`` at every step of learning rate ``r``. With
``r = 1 / (2 lambda_max)`` -- the step ``eta = 1/lambda_max`` of the
least-squares form ``||Phi a - y||^2 / 2N`` -- mode ``j`` shrinks by
``1 - lambda_j / lambda_max`` per step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def mode_steps(eigenvalues: np.ndarray, reduction: float = 10.0) -> np.ndarray:
    """Steps at ``eta = 1/lambda_max`` that shrink each mode's error ``reduction``-fold.

    ``ceil(log(1/reduction) / log(1 - lambda_j/lambda_max))``; 1 for the top
    mode (its factor is 0). Returns float64 of the shape of ``eigenvalues``.
    """
    eigenvalues = np.asarray(eigenvalues, dtype=np.float64)
    factor = 1.0 - eigenvalues / eigenvalues.max()
    with np.errstate(divide="ignore"):
        steps = np.log(1.0 / reduction) / np.log(np.where(factor > 0, factor, np.nan))
    return np.where(factor > 0, np.ceil(steps), 1.0)


@dataclass(frozen=True)
class LeastSquaresProblem:
    """The eigen-decomposition of one output-layer least-squares fit.

    Attributes
    ----------
    eigenvalues:
        Eigenvalues of the discrete Gram matrix ``G = Phi^T Phi / N``, shape ``(m,)``.
    initial_error:
        Components of ``a_0 - a*`` along the eigenvectors, shape ``(m,)``.
    learning_rate:
        Step of gradient descent on the mean squared error.
    best_fit:
        The best fit ``Phi a*`` on the samples, shape ``(N,)``.
    """

    eigenvalues: np.ndarray
    initial_error: np.ndarray
    learning_rate: float
    best_fit: np.ndarray

    def relative_error(self, steps: int) -> float:
        """``||Phi (a_t - a*)|| / ||Phi (a_0 - a*)||`` after ``steps`` steps."""
        factor = (1.0 - 2.0 * self.learning_rate * self.eigenvalues) ** (2 * steps)
        energy = self.eigenvalues * self.initial_error**2
        return float(np.sqrt(np.sum(energy * factor) / np.sum(energy)))


def least_squares_problem(
    features: np.ndarray,
    targets: np.ndarray,
    initial_weights: np.ndarray | None = None,
    learning_rate: float | None = None,
) -> LeastSquaresProblem:
    """Set up the fit of ``targets`` (``(N,)``) by ``features @ a`` (``features``: ``(N, m)``).

    ``learning_rate=None`` takes ``1 / (2 lambda_max)``; ``initial_weights=None``
    starts from zero. The best fit is the minimum-norm least-squares solution.
    """
    features = np.asarray(features, dtype=np.float64)
    gram = features.T @ features / features.shape[0]
    eigenvalues, eigenvectors = np.linalg.eigh(gram)
    best_weights = np.linalg.lstsq(features, targets, rcond=None)[0]
    start = np.zeros(features.shape[1]) if initial_weights is None else initial_weights
    rate = 1.0 / (2.0 * eigenvalues.max()) if learning_rate is None else learning_rate
    return LeastSquaresProblem(
        eigenvalues=eigenvalues,
        initial_error=eigenvectors.T @ (start - best_weights),
        learning_rate=rate,
        best_fit=features @ best_weights,
    )


def steps_to_reduce(problem: LeastSquaresProblem, reduction: float = 10.0, limit: int = 10**9):
    """Fewest steps after which the error is below ``1/reduction`` of its start, or ``None``.

    The error is non-increasing in the step count when ``2 r lambda_max <= 1``,
    so doubling then bisection finds the first step; ``None`` past ``limit``.
    """
    if 2.0 * problem.learning_rate * problem.eigenvalues.max() > 1.0 + 1e-12:
        raise ValueError("learning rate above 1/(2 lambda_max): the error need not decrease")
    threshold = 1.0 / reduction
    high = 1
    while problem.relative_error(high) >= threshold:
        high *= 2
        if high > 2 * limit:
            return None
    low = high // 2  # relative_error(low) >= threshold, or low == 0
    while high - low > 1:
        middle = (low + high) // 2
        if problem.relative_error(middle) < threshold:
            high = middle
        else:
            low = middle
    return high if high <= limit else None


def parse_target(name: str) -> tuple[str, int]:
    """Split a target name: ``"sine3"`` -> ``("sine", 3)``, ``"mode12"`` -> ``("mode", 12)``."""
    for kind in ("sine", "mode"):
        if name.startswith(kind) and name[len(kind) :].isdigit() and int(name[len(kind) :]) > 0:
            return kind, int(name[len(kind) :])
    raise ValueError(f"target must be 'sine<k>' or 'mode<j>' with a positive integer, got {name!r}")


def target_values(name: str, x: np.ndarray, features: np.ndarray) -> np.ndarray:
    """Samples at ``x`` of the named target: ``sin(2 pi k x)``, or the ``j``-th eigenfunction.

    Mode ``j`` (1 = largest eigenvalue) is ``features @ v_j`` for the
    eigenvector ``v_j`` of the discrete Gram matrix of ``features`` (``(N, m)``).
    """
    kind, index = parse_target(name)
    if kind == "sine":
        return np.sin(2.0 * np.pi * index * x)
    if index > features.shape[1]:
        raise ValueError(f"target {name!r}: the basis has only {features.shape[1]} modes")
    _, eigenvectors = np.linalg.eigh(features.T @ features / features.shape[0])
    return features @ eigenvectors[:, -index]

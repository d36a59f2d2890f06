"""Losses, the output unit each pairs with, and the output-layer delta each gives.

The output delta is the gradient of the loss with respect to the output
layer's pre-activation ``z``. For the canonical pairs (log-loss with a logistic
or softmax unit, Poisson deviance with an exponential unit, squared error with
an identity unit) it is simply ``output - y``. The documents pair squared error
with a logistic unit, which gives their ``delta = error * sigmoid'(output)``:
the squared-error loss chains ``output - y`` through its unit's derivative.
Only this module knows which pairs are canonical.

Each loss is a sum over output units and a (weighted) sum over samples; the
engine divides by the total sample weight to get the mean. As in
``_activations``, the NumPy functions of the hot path are imported by name,
outputs are passed positionally and constants are 0-d arrays: on small batches
the cost of calling NumPy is what counts.
"""

import numpy as np
from numpy import add, subtract
from scipy.special import xlogy

from ._activations import _ONE, DERIVATIVES


def _weighted_row_sum(values, sample_weight):
    """Sum of ``values`` (n_samples, n_outputs) with rows weighted."""
    if sample_weight is None:
        return float(add.reduce(values, axis=None))
    return float(add.reduce(values, axis=1) @ sample_weight)


def _weighted_sum(values, sample_weight):
    """Sum of ``values`` (n_samples,), weighted."""
    if sample_weight is None:
        return float(add.reduce(values))
    return float(values @ sample_weight)


def _apply_sample_weight(delta, sample_weight):
    if sample_weight is not None:
        delta *= sample_weight[:, np.newaxis]


# The smallest probability a log is taken of, as a 0-d array of each dtype
# (see ``_activations._ONE`` for why not a Python float).
_EPS = {dtype: np.array(np.finfo(dtype).eps, dtype) for dtype in _ONE}


class SquaredError:
    """Half the squared error, summed over outputs: ``0.5 * ||output - y||^2``.

    Parameters
    ----------
    output_activation : str
        The output unit: ``"identity"`` (regression), ``"logistic"`` (the
        documents' classifier) or ``"softmax"``.
    """

    name = "squared_error"

    def __init__(self, output_activation="identity"):
        self.output_activation = output_activation
        self._output_derivative = DERIVATIVES[output_activation]

    def loss_and_delta(self, y, output, sample_weight, delta, scratch):
        """Write the output delta into ``delta``; return the weighted loss sum."""
        subtract(output, y, delta)
        if sample_weight is None:
            flat = delta.ravel()  # a view: delta is contiguous
            loss = 0.5 * float(flat.dot(flat))
        else:
            loss = 0.5 * float(np.einsum("ij,ij->i", delta, delta) @ sample_weight)
        self._output_derivative(output, delta, scratch)
        _apply_sample_weight(delta, sample_weight)
        return loss


class LogLoss:
    """Cross-entropy of the predicted probabilities.

    Parameters
    ----------
    output_activation : {"logistic", "softmax"}
        ``"logistic"``: one independent Bernoulli unit per output (binary and
        multilabel targets). ``"softmax"``: one categorical distribution over
        the outputs (multiclass targets, one-hot encoded).
    """

    name = "log_loss"

    def __init__(self, output_activation="logistic"):
        self.output_activation = output_activation

    def loss_and_delta(self, y, output, sample_weight, delta, scratch):
        """Write the output delta into ``delta``; return the weighted loss sum."""
        subtract(output, y, delta)
        eps = _EPS[output.dtype]
        if self.output_activation == "logistic":
            # With y in {0, 1}, the probability given to the true label is
            # 1 - |output - y|: the delta already holds it.
            np.abs(delta, scratch)
            subtract(_ONE[output.dtype], scratch, scratch)
            np.maximum(scratch, eps, out=scratch)
            np.log(scratch, scratch)
            loss = -_weighted_row_sum(scratch, sample_weight)
        else:
            # The probability given to each one-hot row's true class, in the
            # first n_rows numbers of the scratch array: one log per row, not
            # per output, and on contiguous memory.
            true_proba = scratch.reshape(-1)[: y.shape[0]]
            np.einsum("ij,ij->i", y, output, out=true_proba)
            np.maximum(true_proba, eps, out=true_proba)
            np.log(true_proba, true_proba)
            loss = -_weighted_sum(true_proba, sample_weight)
        _apply_sample_weight(delta, sample_weight)
        return loss


class PoissonLoss:
    """Half the Poisson deviance ``y * log(y / output) - y + output``, summed
    over outputs, with an exponential output unit (log link)."""

    name = "poisson"
    output_activation = "exp"

    def loss_and_delta(self, y, output, sample_weight, delta, scratch):
        """Write the output delta into ``delta``; return the weighted loss sum."""
        subtract(output, y, delta)
        np.divide(y, output, scratch)
        xlogy(y, scratch, out=scratch)
        scratch += delta
        loss = _weighted_row_sum(scratch, sample_weight)
        _apply_sample_weight(delta, sample_weight)
        return loss


def make_loss(name, output_activation):
    """The loss object for a loss name and the output unit the target needs.

    Parameters
    ----------
    name : {"squared_error", "log_loss", "poisson"}
        The ``loss`` parameter of the estimator.
    output_activation : str
        The output unit the estimator chose for its target.

    Returns
    -------
    loss : SquaredError, LogLoss or PoissonLoss
    """
    if name == "squared_error":
        return SquaredError(output_activation)
    if name == "log_loss":
        return LogLoss(output_activation)
    if name == "poisson":
        return PoissonLoss()
    raise ValueError(f"Unknown loss {name!r}.")

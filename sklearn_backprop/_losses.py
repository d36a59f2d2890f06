"""Losses, the output unit each pairs with, and the output-layer delta each gives.

The output delta is the gradient of the loss with respect to the output
layer's pre-activation ``z``. For the canonical pairs (log-loss with a logistic
or softmax unit, Poisson deviance with an exponential unit, squared error with
an identity unit) it is simply ``output - y``. The documents pair squared error
with a logistic unit, which gives their ``delta = error * sigmoid'(output)``:
the squared-error loss chains ``output - y`` through its unit's derivative.
Only this module knows which pairs are canonical.

This module is also the registry of losses: :data:`LOSSES` maps each name to
its class, which declares its output units (``outputs``, the canonical ones
first), the targets it is for (``targets``), and its output delta twice: for
the NumPy engine in place (``loss_and_delta``) and against the array API
(``xp_loss_and_delta``, for ``_xp_network``). The compiled loop knows a loss
by the member of ``_fast``'s loss enumeration named ``name.upper()``.

Each loss is a sum over output units and a (weighted) sum over samples; the
engine divides by the total sample weight to get the mean. As in
``_activations``, the NumPy functions of the hot path are imported by name,
outputs are passed positionally and constants are 0-d arrays: on small batches
the cost of calling NumPy is what counts.
"""

import numpy as np
from numpy import add, subtract
from scipy.special import xlogy

from ._activations import _ONE, UNITS, get_unit


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


def _xp_xlogy(xp, x, y):
    """``x * log(y)``, 0 where ``x`` is 0 unless ``y`` is NaN (as SciPy's
    ``xlogy``, which the NumPy engine uses), on the arrays' own device."""
    with np.errstate(divide="ignore", invalid="ignore"):  # NumPy-backed namespaces
        product = x * xp.log(y)
    return xp.where((x == 0) & ~xp.isnan(y), xp.zeros_like(product), product)


def _xp_weighted(xp, losses, delta, sample_weight):
    """The weighted sum of per-row ``losses`` (a 0-d array) and the weighted
    ``delta``, in namespace ``xp``."""
    if sample_weight is None:
        return xp.sum(losses), delta
    return xp.sum(losses * sample_weight), delta * sample_weight[:, None]


class Loss:
    """What every loss declares; see the module's docstring.

    Parameters
    ----------
    output_activation : str
        The output unit, one of the class's ``outputs``.
    """

    name = None
    outputs = ()
    """The output units the loss takes, canonical ones first."""
    canonical_outputs = ()
    """The output units whose delta is simply ``output - y``."""
    targets = ()
    """``"classification"`` and/or ``"regression"``: which estimators offer it."""

    def __init__(self, output_activation):
        if output_activation not in self.outputs:
            raise ValueError(
                f"The {self.name!r} loss takes an output unit among "
                f"{list(self.outputs)}, not {output_activation!r}."
            )
        self.output_activation = output_activation
        self.output_unit = get_unit(output_activation)

    def loss_and_delta(self, y, output, sample_weight, delta, scratch):
        """Write the output delta into ``delta`` (NumPy, in place, ``scratch``
        free to overwrite); return the weighted loss sum as a float."""
        raise NotImplementedError

    def xp_loss_and_delta(self, xp, y, output, sample_weight):
        """The weighted loss sum (a 0-d array of ``xp``) and the output delta."""
        raise NotImplementedError


# The smallest probability a log is taken of, as a 0-d array of each dtype
# (see ``_activations._ONE`` for why not a Python float).
_EPS = {dtype: np.array(np.finfo(dtype).eps, dtype) for dtype in _ONE}


class SquaredError(Loss):
    """Half the squared error, summed over outputs: ``0.5 * ||output - y||^2``.

    Parameters
    ----------
    output_activation : str
        The output unit: ``"identity"`` (regression), ``"logistic"`` (the
        documents' classifier) or ``"softmax"``; any other unit's delta is
        chained through its derivative as well.
    """

    name = "squared_error"
    outputs = ("identity", *(name for name in UNITS if name != "identity"))
    canonical_outputs = ("identity",)
    targets = ("classification", "regression")

    def __init__(self, output_activation="identity"):
        super().__init__(output_activation)
        self._output_derivative = self.output_unit.derivative

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

    def xp_loss_and_delta(self, xp, y, output, sample_weight):
        """The weighted loss sum (a 0-d array of ``xp``) and the output delta."""
        error = output - y
        losses = 0.5 * xp.sum(error * error, axis=1)
        delta = self.output_unit.xp_backward(xp, output, error)
        return _xp_weighted(xp, losses, delta, sample_weight)


class LogLoss(Loss):
    """Cross-entropy of the predicted probabilities.

    Parameters
    ----------
    output_activation : {"logistic", "softmax"}
        ``"logistic"``: one independent Bernoulli unit per output (binary and
        multilabel targets). ``"softmax"``: one categorical distribution over
        the outputs (multiclass targets, one-hot encoded).
    """

    name = "log_loss"
    outputs = canonical_outputs = ("logistic", "softmax")
    targets = ("classification",)

    def __init__(self, output_activation="logistic"):
        super().__init__(output_activation)

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

    def xp_loss_and_delta(self, xp, y, output, sample_weight):
        """The weighted loss sum (a 0-d array of ``xp``) and the output delta."""
        error = output - y
        eps = xp.finfo(output.dtype).eps
        if self.output_activation == "logistic":
            # With y in {0, 1}, the probability of the true label is 1 - |error|.
            true_proba = xp.clip(1 - xp.abs(error), min=eps)
            losses = -xp.sum(xp.log(true_proba), axis=1)
        else:
            true_proba = xp.clip(xp.sum(y * output, axis=1), min=eps)
            losses = -xp.log(true_proba)
        return _xp_weighted(xp, losses, error, sample_weight)


class PoissonLoss(Loss):
    """Half the Poisson deviance ``y * log(y / output) - y + output``, summed
    over outputs, with an exponential output unit (log link)."""

    name = "poisson"
    outputs = canonical_outputs = ("exp",)
    targets = ("regression",)

    def __init__(self, output_activation="exp"):
        super().__init__(output_activation)

    def loss_and_delta(self, y, output, sample_weight, delta, scratch):
        """Write the output delta into ``delta``; return the weighted loss sum."""
        subtract(output, y, delta)
        np.divide(y, output, scratch)
        xlogy(y, scratch, out=scratch)
        scratch += delta
        loss = _weighted_row_sum(scratch, sample_weight)
        _apply_sample_weight(delta, sample_weight)
        return loss

    def xp_loss_and_delta(self, xp, y, output, sample_weight):
        """The weighted loss sum (a 0-d array of ``xp``) and the output delta."""
        error = output - y
        losses = xp.sum(_xp_xlogy(xp, y, y / output) + error, axis=1)
        return _xp_weighted(xp, losses, error, sample_weight)


LOSSES = {loss.name: loss for loss in (SquaredError, LogLoss, PoissonLoss)}
"""Every loss, by name: the registry the engines, validation and the tests read."""


def loss_names(target):
    """The names of the losses for ``"classification"`` or ``"regression"``
    (what the estimators' ``loss`` parameter accepts)."""
    return {name for name, loss in LOSSES.items() if target in loss.targets}


def make_loss(name, output_activation):
    """The loss object for a loss name and the output unit the target needs.

    Parameters
    ----------
    name : str
        The ``loss`` parameter of the estimator, a key of :data:`LOSSES`.
    output_activation : str
        The output unit the estimator chose for its target.

    Returns
    -------
    loss : Loss
    """
    if name not in LOSSES:
        raise ValueError(f"Unknown loss {name!r}: the losses are {sorted(LOSSES)}.")
    return LOSSES[name](output_activation)

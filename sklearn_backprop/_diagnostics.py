"""After a fit: how many hidden activations sit where the unit is flat.

A sigmoid unit whose output is within ``1e-3`` of 0 or 1 has a derivative
``a * (1 - a)`` below ``1e-3`` (a quarter of a percent of its peak, 0.25):
backpropagation passes almost nothing through it, and when most units of a
layer are there the network's predictions barely depend on its input.
``tanh(z) = 2 * sigmoid(2 * z) - 1``, so the same band of inputs ``z`` is,
for ``tanh``, within ``2e-3`` of -1 or 1. ReLU and the identity have no
bounded range and do not saturate: their share is NaN (not measured).
"""

import warnings

import numpy as np
from sklearn.utils import _safe_indexing

from ._array_api import follow_precisely, to_host
from ._network import forward, layer_activations, quiet_floating_point
from ._threads import sized_by

# A logistic output within this distance of 0 or 1 is saturated.
SATURATION_TOLERANCE = 1e-3
# Rows of the training data the diagnostic looks at, at most: enough for a
# share to two decimals, and a forward pass that costs little beside a fit.
SATURATION_ROWS = 1000
# Warn when more than this share of a layer's activations is saturated, both
# before and after a fit (see warn_if_saturated).
SATURATION_WARNING_SHARE = 0.5


class SaturationWarning(UserWarning):
    """Most activations of a hidden layer are saturated after ``fit``.

    The fit may well have converged, to a network whose saturated units have
    stopped learning: this is about the data's scale and the parameters, not
    about the optimisation stopping early, hence not a ConvergenceWarning.
    """


def _saturated(activations, activation):
    if activation == "logistic":
        tol = SATURATION_TOLERANCE
        return (activations < tol) | (activations > 1 - tol)
    if activation == "tanh":
        return np.abs(activations) > 1 - 2 * SATURATION_TOLERANCE
    return None


def hidden_saturation(X, coefs, intercepts, activation, output_activation):
    """The share of saturated activations of each hidden layer on ``X``.

    At most ``SATURATION_ROWS`` rows of ``X``, evenly spaced, are forwarded.

    Returns
    -------
    saturation : ndarray of shape (n_hidden_layers,)
        NaN for units that do not saturate (``"relu"``, ``"identity"``).
    """
    n_hidden = len(coefs) - 1
    weights = coefs[0]  # where the result goes (an array API fit: its device)
    if activation not in ("logistic", "tanh") or n_hidden == 0:
        return follow_precisely(np.full(n_hidden, np.nan), weights)
    n_samples = X.shape[0]
    if n_samples > SATURATION_ROWS:
        X = _safe_indexing(
            X, np.linspace(0, n_samples - 1, SATURATION_ROWS).astype(np.intp)
        )
    # A few rows: computed by the NumPy engine on the host, whatever the
    # namespace of the fit.
    X, coefs = to_host(X), [to_host(coef) for coef in coefs]
    if intercepts is not None:
        intercepts = [to_host(intercept) for intercept in intercepts]
    saturation = _hidden_saturation(X, coefs, intercepts, activation)
    return follow_precisely(saturation, weights)


def _hidden_shape(X, coefs, *args):
    """The units and the rows of the products of ``_hidden_saturation``."""
    return [coefs[0].shape[0]] + [coef.shape[1] for coef in coefs[:-1]], X.shape[0]


@sized_by(_hidden_shape)
def _hidden_saturation(X, coefs, intercepts, activation):
    """The saturated share of each hidden layer of host arrays: the hidden
    layers only are forwarded (the output layer plays no part), on the BLAS
    threads that products of their size get in a fit or a predict."""
    hidden = coefs[:-1]
    dtype = coefs[0].dtype
    outputs = [np.empty((X.shape[0], coef.shape[1]), dtype) for coef in hidden]
    units = layer_activations(activation, activation, len(hidden))
    intercepts = [None] * len(hidden) if intercepts is None else intercepts[:-1]
    with quiet_floating_point():
        forward(X, hidden, intercepts, units, outputs)
    return np.array(
        [_saturated(a, activation).mean() for a in outputs], dtype=np.float64
    )


def warn_if_saturated(saturation, initial_saturation, stacklevel=2):
    """Warn :class:`SaturationWarning` when a layer is mostly saturated and
    was so before this fit trained it.

    A layer that training drove into saturation has found sharp boundaries:
    its steps are where the data wants them, and the scores are usually fine
    (weakly penalised fits on standardised data do this). A layer saturated
    by the weights it started from and still saturated after training is
    stuck: the inputs' scale (or the initial weights) put most units on their
    flat parts, where no gradient reached them to move them off. That is the
    saturation that costs accuracy, and the one this warns about.

    Parameters
    ----------
    saturation, initial_saturation : ndarray of shape (n_hidden_layers,)
        Each layer's saturated share after the fit and at its start, on the
        same rows (NaN for units that do not saturate).
    """
    for layer, (share, initial) in enumerate(
        zip(saturation, initial_saturation, strict=True), start=1
    ):
        if share > SATURATION_WARNING_SHARE and initial > SATURATION_WARNING_SHARE:
            warnings.warn(
                f"{share:.0%} of the activations of hidden layer {layer} are "
                "saturated on the training data (within 1e-3 of the unit's "
                f"limits), and {initial:.0%} were before this fit trained them: "
                "there they pass almost no gradient, so they never learned, "
                "and the output changes in steps, or barely with X. Scale X "
                "(StandardScaler; QuantileTransformer or a log for heavy-tailed "
                "features), lower learning_rate_init, raise alpha, or use fewer "
                "hidden units. saturation_ holds the share of each layer.",
                SaturationWarning,
                stacklevel=stacklevel + 1,
            )

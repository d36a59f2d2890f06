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

from ._network import forward, layer_activations, quiet_floating_point
from ._xp_network import follow_precisely, to_host

# A logistic output within this distance of 0 or 1 is saturated.
SATURATION_TOLERANCE = 1e-3
# Rows of the training data the diagnostic looks at, at most: enough for a
# share to two decimals, and a forward pass that costs little beside a fit.
SATURATION_ROWS = 1000
# Warn when more than this share of a layer's activations is saturated.
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
    if activation not in ("logistic", "tanh"):
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
    dtype = coefs[0].dtype
    outputs = [np.empty((X.shape[0], coef.shape[1]), dtype) for coef in coefs]
    units = layer_activations(activation, output_activation, len(coefs))
    if intercepts is None:
        intercepts = [None] * len(coefs)
    with quiet_floating_point():
        forward(X, coefs, intercepts, units, outputs)
    saturation = np.array(
        [_saturated(a, activation).mean() for a in outputs[:-1]], dtype=np.float64
    )
    return follow_precisely(saturation, weights)


def warn_if_saturated(saturation, stacklevel=2):
    """Warn :class:`SaturationWarning` when a layer is mostly saturated."""
    for layer, share in enumerate(saturation, start=1):
        if share > SATURATION_WARNING_SHARE:
            warnings.warn(
                f"{share:.0%} of the activations of hidden layer {layer} are "
                "saturated on the training data (within 1e-3 of the unit's "
                "limits): there they pass almost no gradient and no longer "
                "learn, and the output changes in steps, or barely with X. If "
                "the scores are poor: scale X (StandardScaler; "
                "QuantileTransformer or a log for heavy-tailed features), lower "
                "learning_rate_init, raise alpha, or use fewer hidden units. "
                "saturation_ holds the share of each layer.",
                SaturationWarning,
                stacklevel=stacklevel + 1,
            )

"""The engine: a feed-forward network's weights, forward pass and backpropagation.

This module knows nothing of scikit-learn. All weights and biases live in one
flat vector, ``Network.params``; ``coefs[i]`` and ``intercepts[i]`` are views
into it, so an optimiser updates every layer in one call and L-BFGS needs no
packing. The gradient lives in a vector of the same layout.

The documents' four lines are :meth:`Network.loss_and_gradient`::

    activations[i + 1] = f(activations[i] @ coefs[i] + intercepts[i])   # forward
    deltas[-1] = loss'(y, activations[-1])    # error x sigmoid'(output)
    deltas[i - 1] = (deltas[i] @ coefs[i].T) * f'(activations[i])       # backward
    coef_grads[i] = activations[i].T @ deltas[i]      # update direction

The documents add ``activations.T @ delta`` to the weights with ``delta =
(y - output) * f'(output)``; here the delta has the opposite sign
(``output - y``, the gradient of the loss) and the optimiser subtracts it, which
is the same number. Hot loops allocate nothing per batch: every array of the
size of a batch lives in a :class:`Workspace` made once per fit.
"""

from contextlib import contextmanager
from itertools import pairwise

import numpy as np
from scipy import sparse

from ._activations import ACTIVATIONS, DERIVATIVES

# Rows per chunk when predicting: bounds the memory of a prediction to about
# this many bytes per layer, whatever the number of samples.
PREDICT_CHUNK_BYTES = 2**23


@contextmanager
def quiet_floating_point():
    """Silence NumPy's floating-point warnings inside the engine.

    ``exp`` overflowing to ``inf`` gives the sigmoid its exact limit of 0, and
    ``log`` of a clipped probability cannot fail; real numerical trouble shows
    as a non-finite loss, which the training loop turns into a clear error.
    """
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        yield


def matmul_into(a, b, out):
    """``out[...] = a @ b`` without a temporary when both are dense."""
    if sparse.issparse(a):
        out[...] = a @ b
    else:
        np.dot(a, b, out=out)


def forward(X, coefs, intercepts, activation, output_activation, outputs):
    """The forward pass, shared by training and prediction.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        The input layer.
    coefs, intercepts : list of ndarray
        The weights and biases of each layer; ``intercepts`` is None for a
        network without biases.
    activation, output_activation : str
        Names of the hidden and output units (keys of ``ACTIVATIONS``).
    outputs : list of ndarray
        One C-contiguous buffer of shape (n_samples, units) per layer, which
        receives that layer's activations.

    Returns
    -------
    output : ndarray of shape (n_samples, n_outputs)
        ``outputs[-1]``, the output layer.
    """
    hidden_unit = ACTIVATIONS[activation]
    last = len(coefs) - 1
    layer_input = X
    for i, (coef, out) in enumerate(zip(coefs, outputs)):
        matmul_into(layer_input, coef, out)
        if intercepts is not None:
            out += intercepts[i]
        if i < last:
            hidden_unit(out)
        layer_input = out
    ACTIVATIONS[output_activation](layer_input)
    return layer_input


def predict(X, coefs, intercepts, activation, output_activation):
    """Forward ``X`` through the network in chunks of rows.

    The extra memory is bounded by ``PREDICT_CHUNK_BYTES`` per layer,
    independent of the number of samples, beyond the returned array.
    """
    n_samples = X.shape[0]
    dtype = coefs[0].dtype
    layer_units = [coef.shape[1] for coef in coefs]
    result = np.empty((n_samples, layer_units[-1]), dtype=dtype)
    chunk = max(1, PREDICT_CHUNK_BYTES // (dtype.itemsize * max(layer_units)))
    hidden = [np.empty((min(chunk, n_samples), u), dtype) for u in layer_units[:-1]]
    with quiet_floating_point():
        for start in range(0, n_samples, chunk):
            stop = min(start + chunk, n_samples)
            rows = stop - start
            outputs = [h[:rows] for h in hidden] + [result[start:stop]]
            forward(X[start:stop], coefs, intercepts, activation, output_activation,
                    outputs)
    return result


class Workspace:
    """Buffers for a batch of up to ``batch_size`` rows, made once per fit.

    For each layer after the input: its activations, the deltas
    backpropagated to it, and a scratch array for the derivatives.
    """

    def __init__(self, layer_units, batch_size, dtype):
        shapes = [(batch_size, units) for units in layer_units[1:]]
        self.batch_size = batch_size
        self.activations = [np.empty(s, dtype) for s in shapes]
        self.deltas = [np.empty(s, dtype) for s in shapes]
        self.scratch = [np.empty(s, dtype) for s in shapes]

    def rows(self, n_rows):
        """The buffers cut to ``n_rows`` rows (contiguous views)."""
        if n_rows == self.batch_size:
            return self.activations, self.deltas, self.scratch
        return tuple(
            [buffer[:n_rows] for buffer in buffers]
            for buffers in (self.activations, self.deltas, self.scratch)
        )


class Network:
    """A feed-forward network: weights in one flat vector, and backpropagation.

    Parameters
    ----------
    layer_units : sequence of int
        Units per layer, input and output layers included.
    activation : str
        The hidden unit (a key of ``ACTIVATIONS``).
    loss : object
        A loss from ``_losses``; it fixes the output unit.
    fit_intercept : bool
        Whether the layers have biases.
    dtype : numpy dtype
        float32 or float64: weights, activations and gradients share it.
    """

    def __init__(self, layer_units, activation, loss, fit_intercept, dtype):
        self.layer_units = tuple(int(u) for u in layer_units)
        self.activation = activation
        self.loss = loss
        self.output_activation = loss.output_activation
        self.fit_intercept = fit_intercept
        self.dtype = np.dtype(dtype)
        shapes = list(pairwise(self.layer_units))
        self.n_coefs = sum(fan_in * fan_out for fan_in, fan_out in shapes)
        n_params = self.n_coefs + sum(self.layer_units[1:])
        self.params = np.zeros(n_params, dtype=self.dtype)
        self.coefs, self.intercepts = self.layer_views(self.params)
        self._hidden_derivative = DERIVATIVES[activation]
        self._penalty_scratch = None

    def layer_views(self, flat):
        """Split a vector laid out as ``params`` into per-layer views.

        All weight matrices come first, layer by layer, then all biases, so
        that ``flat[:n_coefs]`` holds every weight (what ``alpha`` penalises).
        """
        coefs, intercepts = [], []
        start = 0
        for fan_in, fan_out in pairwise(self.layer_units):
            stop = start + fan_in * fan_out
            coefs.append(flat[start:stop].reshape(fan_in, fan_out))
            start = stop
        for fan_out in self.layer_units[1:]:
            intercepts.append(flat[start : start + fan_out])
            start += fan_out
        return coefs, intercepts

    def set_weights(self, coefs, intercepts):
        """Copy existing weights (e.g. a fitted model's) into ``params``."""
        for dest, src in zip(self.coefs + self.intercepts, list(coefs) + list(intercepts)):
            if dest.shape != np.shape(src):
                raise ValueError(
                    f"Cannot continue training: the fitted weights have shape "
                    f"{np.shape(src)} where the network needs {dest.shape}. "
                    "Set warm_start=False, or keep hidden_layer_sizes and the "
                    "number of features and outputs of the previous fit."
                )
            dest[...] = src

    def initialize(self, init, random_state):
        """Draw the weights layer by layer, in order; biases start at zero.

        Parameters
        ----------
        init : {"glorot_uniform", "uniform", "normal"}
            ``"uniform"``: ``2 * U[0, 1) - 1`` as the first document;
            ``"normal"``: standard normal as the second document;
            ``"glorot_uniform"``: ``U(-b, b)`` with ``b = sqrt(k / (fan_in +
            fan_out))``, ``k = 2`` for the logistic unit and 6 otherwise.
        random_state : numpy.random.RandomState
            With ``RandomState(1)`` the draws are exactly the documents'
            ``np.random.seed(1)`` stream.
        """
        for coef in self.coefs:
            fan_in, fan_out = coef.shape
            if init == "uniform":
                drawn = 2 * random_state.random_sample((fan_in, fan_out)) - 1
            elif init == "normal":
                drawn = random_state.standard_normal((fan_in, fan_out))
            else:
                factor = 2.0 if self.activation == "logistic" else 6.0
                bound = np.sqrt(factor / (fan_in + fan_out))
                drawn = random_state.uniform(-bound, bound, (fan_in, fan_out))
            coef[...] = drawn
        self.params[self.n_coefs :] = 0

    def forward(self, X, outputs):
        """The forward pass of :func:`forward` with this network's weights."""
        intercepts = self.intercepts if self.fit_intercept else None
        return forward(X, self.coefs, intercepts, self.activation,
                       self.output_activation, outputs)

    def predict(self, X):
        """The output layer for ``X``, computed in bounded memory."""
        intercepts = self.intercepts if self.fit_intercept else None
        return predict(X, self.coefs, intercepts, self.activation,
                       self.output_activation)

    def evaluate(self, X, y, sample_weight):
        """The output layer for ``X`` and its weighted mean loss against ``y``
        (without the L2 penalty): what a validation set is scored with."""
        output = self.predict(X)
        delta, scratch = np.empty_like(output), np.empty_like(output)
        with quiet_floating_point():
            loss = self.loss.loss_and_delta(y, output, sample_weight, delta, scratch)
        weight_sum = X.shape[0] if sample_weight is None else sample_weight.sum()
        return output, float(loss / weight_sum) if weight_sum else 0.0

    def loss_and_gradient(self, X, y, sample_weight, alpha, workspace, grad):
        """Backpropagation: the mean loss of a batch and its gradient.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_rows, n_features)
        y : ndarray of shape (n_rows, n_outputs)
            Targets, encoded as the output layer sees them.
        sample_weight : ndarray of shape (n_rows,) or None
        alpha : float
            L2 penalty: ``0.5 * alpha * ||coefs||^2`` is added to the summed
            loss before it is divided by the total sample weight, as in
            scikit-learn's MLP.
        workspace : Workspace
        grad : ndarray laid out as ``params``
            Receives the gradient of the mean loss.

        Returns
        -------
        loss : float
            The weighted mean loss of the batch, penalty included.
        weight_sum : float
            The batch's total sample weight (its number of rows when
            unweighted). When it is zero, loss and gradient are zero.
        """
        n_rows = X.shape[0]
        activations, deltas, scratch = workspace.rows(n_rows)
        weight_sum = n_rows if sample_weight is None else float(sample_weight.sum())
        if weight_sum <= 0:
            grad[...] = 0
            return 0.0, 0.0
        output = self.forward(X, activations)
        loss = self.loss.loss_and_delta(y, output, sample_weight, deltas[-1],
                                        scratch[-1])
        coef_grads, intercept_grads = self.layer_views(grad)
        inputs = [X, *activations[:-1]]
        for i in range(len(self.coefs) - 1, -1, -1):
            matmul_into(inputs[i].T, deltas[i], coef_grads[i])
            if self.fit_intercept:
                np.sum(deltas[i], axis=0, out=intercept_grads[i])
            if i > 0:
                np.dot(deltas[i], self.coefs[i].T, out=deltas[i - 1])
                self._hidden_derivative(activations[i - 1], deltas[i - 1],
                                        scratch[i - 1])
        if not self.fit_intercept:
            grad[self.n_coefs :] = 0
        if alpha:
            loss += self._add_penalty(alpha, grad)
        grad /= weight_sum
        return loss / weight_sum, weight_sum

    def _add_penalty(self, alpha, grad):
        """Add ``alpha * coefs`` to the summed gradient; return the penalty."""
        weights = self.params[: self.n_coefs]
        if self._penalty_scratch is None:
            self._penalty_scratch = np.empty_like(weights)
        np.multiply(weights, alpha, out=self._penalty_scratch)
        grad[: self.n_coefs] += self._penalty_scratch
        return 0.5 * alpha * float(np.dot(weights, weights))

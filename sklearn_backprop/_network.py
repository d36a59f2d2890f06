"""The engine: a feed-forward network's weights, forward pass and backpropagation.

This module knows nothing of scikit-learn. All weights and biases live in one
flat vector, ``Network.params``; ``coefs[i]`` and ``intercepts[i]`` are views
into it, so an optimiser updates every layer in one call and L-BFGS needs no
packing. The gradient lives in a vector of the same layout.

The documents' four lines are :func:`forward` and
:meth:`Network.loss_and_gradient`::

    activations[i] = f(activations[i - 1] @ coefs[i] + intercepts[i])  # forward
    deltas[-1] = loss'(y, activations[-1])     # error x sigmoid'(output)
    deltas[i - 1] = (deltas[i] @ coefs[i].T) * f'(activations[i - 1])  # backward
    coef_grads[i] = activations[i - 1].T @ deltas[i]   # update direction

(``activations[-1]``, before the first layer, is ``X``.) The documents add
``activations.T @ delta`` to the weights with ``delta = (y - output) *
f'(output)``; here the delta has the opposite sign (``output - y``, the
gradient of the loss) and the optimiser subtracts it, which is the same
number.

On a small network such as the documents' 3-4-1, a batch is some twenty NumPy
calls on arrays of a few numbers, and the time goes to calling, not to
arithmetic. So nothing is allocated, cut or looked up per batch that can be
made once: every array of the size of a batch lives in a :class:`Workspace`
made once per fit, cut to a batch's rows once per size, and the per-layer
functions and transposed views are bound when the network is built.
"""

from contextlib import contextmanager
from itertools import pairwise

import numpy as np
from numpy import add, multiply

from ._activations import get_unit
from ._threads import sized_by

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


def layer_activations(activation, output_activation, n_layers):
    """The in-place activation of each of ``n_layers`` layers."""
    hidden, output = get_unit(activation).forward, get_unit(output_activation).forward
    return [hidden] * (n_layers - 1) + [output]


def forward(X, coefs, intercepts, units, outputs):
    """The forward pass, shared by training and prediction.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        The input layer.
    coefs : list of ndarray
        The weights of each layer.
    intercepts : list of ndarray or None
        The biases of each layer; None for a layer without.
    units : list of callable
        The in-place activation of each layer, which also adds the layer's
        bias (see :func:`layer_activations`).
    outputs : list of ndarray
        One C-contiguous buffer of shape (n_samples, units) per layer, which
        receives that layer's activations.

    Returns
    -------
    output : ndarray of shape (n_samples, n_outputs)
        ``outputs[-1]``, the output layer.
    """
    layer_input = X
    # (strict=True would cost more than a layer of the documents' network.)
    for coef, intercept, unit, out in zip(
        coefs, intercepts, units, outputs, strict=False
    ):
        # activations[i] = f(activations[i - 1] @ coefs[i] + intercepts[i])
        if layer_input is X and not isinstance(X, np.ndarray):
            out[...] = X @ coef  # sparse X
        else:
            layer_input.dot(coef, out)
        unit(out, intercept)  # adds the bias (None: none) and applies f
        layer_input = out
    return layer_input


def _predict_shape(X, coefs, *args):
    """The layer units and the rows per product of a ``predict`` call."""
    units = [coefs[0].shape[0]] + [coef.shape[1] for coef in coefs]
    chunk = PREDICT_CHUNK_BYTES // (coefs[0].dtype.itemsize * max(units[1:]))
    return units, min(X.shape[0], max(1, chunk))


@sized_by(_predict_shape)
def predict(X, coefs, intercepts, activation, output_activation):
    """Forward ``X`` through the network in chunks of rows.

    ``intercepts`` is None for a network without biases. The extra memory is
    bounded by ``PREDICT_CHUNK_BYTES`` per layer, independent of the number
    of samples, beyond the returned array.
    """
    n_samples = X.shape[0]
    dtype = coefs[0].dtype
    layer_units = [coef.shape[1] for coef in coefs]
    units = layer_activations(activation, output_activation, len(coefs))
    if intercepts is None:
        intercepts = [None] * len(coefs)
    result = np.empty((n_samples, layer_units[-1]), dtype=dtype)
    chunk = max(1, PREDICT_CHUNK_BYTES // (dtype.itemsize * max(layer_units)))
    hidden = [np.empty((min(chunk, n_samples), u), dtype) for u in layer_units[:-1]]
    with quiet_floating_point():
        for start in range(0, n_samples, chunk):
            stop = min(start + chunk, n_samples)
            outputs = [h[: stop - start] for h in hidden] + [result[start:stop]]
            forward(X[start:stop], coefs, intercepts, units, outputs)
    return result


class Workspace:
    """Buffers for a batch of up to ``batch_size`` rows, made once per fit.

    For each layer after the input: its activations and the deltas
    backpropagated to it; one scratch vector, which the layers use in turn
    (for the derivatives, the loss and the penalty); and a vector of ones,
    whose product with a delta sums it over the batch.
    """

    def __init__(self, layer_units, batch_size, dtype):
        self.units = list(layer_units[1:])
        self.batch_size = batch_size
        self.activations = [np.empty((batch_size, u), dtype) for u in self.units]
        self.deltas = [np.empty((batch_size, u), dtype) for u in self.units]
        self.flat_scratch = np.empty(batch_size * max(self.units), dtype)
        self.ones = np.ones(batch_size, dtype)
        self._cuts = {}
        self._full = self.rows(batch_size)

    def rows(self, n_rows):
        """The buffers cut to ``n_rows`` rows: ``activations``, their
        transposes, ``deltas``, ``scratch`` (one view per layer, sharing
        memory) and ``ones``.

        The views of the full batch and of the latest other size are kept,
        so that after its first epoch a fit cuts nothing.
        """
        cut = self._cuts.get(n_rows)
        if cut is None:
            activations = [a[:n_rows] for a in self.activations]
            cut = (
                activations,
                [a.T for a in activations],
                [d[:n_rows] for d in self.deltas],
                [
                    self.flat_scratch[: n_rows * u].reshape(n_rows, u)
                    for u in self.units
                ],
                self.ones[:n_rows],
            )
            self._cuts = {n_rows: cut}
            if n_rows != self.batch_size:
                self._cuts[self.batch_size] = self._full
        return cut


class Network:
    """A feed-forward network: weights in one flat vector, and backpropagation.

    Parameters
    ----------
    layer_units : sequence of int
        Units per layer, input and output layers included.
    activation : str
        The hidden unit (a name in ``_activations.UNITS``).
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
        # What the hot loop reads, looked up once.
        n_layers = len(shapes)
        self._units = layer_activations(activation, self.output_activation, n_layers)
        self._biases = self.intercepts if fit_intercept else [None] * n_layers
        self._coefs_T = [coef.T for coef in self.coefs]
        self._weights = self.params[: self.n_coefs]
        self._hidden_derivative = get_unit(activation).derivative
        self._hidden_layers_backward = range(n_layers - 1, 0, -1)
        self._grad = self._grad_views = None

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

    def copy(self):
        """The same network over a copy of the weights (a snapshot)."""
        new = Network(
            self.layer_units, self.activation, self.loss, self.fit_intercept, self.dtype
        )
        new.params[...] = self.params
        return new

    def set_weights(self, coefs, intercepts):
        """Copy existing weights (e.g. a fitted model's) into ``params``."""
        sources = list(coefs) + list(intercepts)
        for dest, src in zip(self.coefs + self.intercepts, sources, strict=True):
            if dest.shape != np.shape(src):
                raise ValueError(
                    f"Cannot continue training: the fitted weights have shape "
                    f"{np.shape(src)} where the network needs {dest.shape}. "
                    "Set warm_start=False, or keep hidden_layer_sizes and the "
                    "number of features and outputs of the previous fit."
                )
            dest[...] = src
        if not self.fit_intercept:
            # A network without biases has zero biases (its intercepts_),
            # whatever the fitted model continued from had.
            self.params[self.n_coefs :] = 0

    def initialize(self, init, random_state):
        """Draw the weights layer by layer, in order; biases start at zero
        except the hidden layers' with ``"spread_uniform"``.

        Parameters
        ----------
        init : {"spread_uniform", "glorot_uniform", "uniform", "normal"}
            ``"uniform"``: ``2 * U[0, 1) - 1`` as the first document;
            ``"normal"``: standard normal as the second document;
            ``"glorot_uniform"``: ``U(-b, b)`` with ``b = sqrt(k / (fan_in +
            fan_out))``, ``k`` the hidden unit's ``glorot_gain`` (2 for the
            logistic unit, 6 otherwise);
            ``"spread_uniform"``: hidden weights ``U(-b, b)`` with ``b = s *
            sqrt(3 / fan_in)`` (``w @ x`` has standard deviation ``s`` when
            ``x`` is standardised) and hidden biases ``U(-s, s)``, ``s`` the
            hidden unit's ``spread`` (see below); the output layer as
            ``"glorot_uniform"`` (``k = 6``), bias zero.

            The spread: LeCun's 1 for tanh; 2 for the logistic unit,
            ``sigmoid(z) = (1 + tanh(z / 2)) / 2``, the same curve stretched
            twice as wide: its units start on the curved part of the sigmoid,
            neither saturated nor (as with small weights and zero biases,
            where the sigmoid is nearly linear and odd) a linear model that
            must first escape a symmetric plateau.
        random_state : numpy.random.RandomState
            With ``RandomState(1)`` the draws are exactly the documents'
            ``np.random.seed(1)`` stream.
        """
        self.params[self.n_coefs :] = 0
        last = len(self.coefs) - 1
        for layer, coef in enumerate(self.coefs):
            fan_in, fan_out = coef.shape
            if init == "uniform":
                drawn = 2 * random_state.random_sample((fan_in, fan_out)) - 1
            elif init == "normal":
                drawn = random_state.standard_normal((fan_in, fan_out))
            elif init == "spread_uniform" and layer < last:
                spread = get_unit(self.activation).spread
                bound = spread * np.sqrt(3.0 / fan_in)
                drawn = random_state.uniform(-bound, bound, (fan_in, fan_out))
                if self.fit_intercept:
                    self.intercepts[layer][...] = random_state.uniform(
                        -spread, spread, fan_out
                    )
            else:
                factor = get_unit(self.activation).glorot_gain
                if init == "spread_uniform":
                    factor = 6.0
                bound = np.sqrt(factor / (fan_in + fan_out))
                drawn = random_state.uniform(-bound, bound, (fan_in, fan_out))
            coef[...] = drawn

    def new_vector(self):
        """A zero vector laid out as ``params`` (a gradient, a copy)."""
        return np.zeros_like(self.params)

    def workspace(self, batch_size):
        """The buffers for batches of up to ``batch_size`` rows."""
        return Workspace(self.layer_units, batch_size, self.dtype)

    def host_float64(self, vector):
        """A float64 copy of a vector laid out as ``params`` (what SciPy's
        L-BFGS reads)."""
        return vector.astype(np.float64)

    def set_flat(self, vector):
        """Overwrite ``params`` from a vector (e.g. L-BFGS's iterate)."""
        self.params[...] = vector

    def predict(self, X):
        """The output layer for ``X``, computed in bounded memory."""
        intercepts = self.intercepts if self.fit_intercept else None
        return predict(
            X, self.coefs, intercepts, self.activation, self.output_activation
        )

    def evaluate(self, X, y, sample_weight):
        """The output layer for ``X`` and its weighted mean loss against ``y``
        (without the L2 penalty): what a validation set is scored with."""
        output = self.predict(X)
        delta, scratch = np.empty_like(output), np.empty_like(output)
        with quiet_floating_point():
            loss = self.loss.loss_and_delta(y, output, sample_weight, delta, scratch)
        weight_sum = X.shape[0] if sample_weight is None else sample_weight.sum()
        return output, float(loss / weight_sum) if weight_sum else 0.0

    def loss_and_gradient(self, X, y, sample_weight, alpha, workspace, grad, scale=1.0):
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
            Receives the gradient of the mean loss, times ``scale``.
        scale : float, default=1.0
            A factor for the gradient (a solver's ``gradient_scale``), folded
            into the division by the total sample weight.

        Returns
        -------
        loss : float
            The weighted mean loss of the batch, penalty included.
        weight_sum : float
            The batch's total sample weight (its number of rows when
            unweighted). When it is zero, loss and gradient are zero.
        """
        n_rows = X.shape[0]
        activations, activations_T, deltas, scratch, ones = workspace.rows(n_rows)
        if sample_weight is None:
            weight_sum = n_rows
        else:
            weight_sum = float(sample_weight.sum())
            if weight_sum <= 0:
                grad[...] = 0
                return 0.0, 0.0
        if grad is not self._grad:
            self._view_gradient(grad)
        coef_grads, intercept_grads, weight_grads = self._grad_views
        # The documents' four lines: the forward pass,
        output = forward(X, self.coefs, self._biases, self._units, activations)
        # the output delta (error x sigmoid'(output) for their squared error),
        loss = self.loss.loss_and_delta(
            y, output, sample_weight, deltas[-1], scratch[-1]
        )
        # (every gradient is linear in the output delta, the smallest array
        # of the pass: the mean's 1 / weight_sum and the scale go there),
        factor = scale / weight_sum
        if factor != 1.0:  # it is 1 with the documents' settings
            multiply(deltas[-1], factor, deltas[-1])
        for i in self._hidden_layers_backward:
            # the weights' gradient, activations.T @ delta,
            activations_T[i - 1].dot(deltas[i], coef_grads[i])
            if intercept_grads:
                ones.dot(deltas[i], intercept_grads[i])
            # and the delta sent back: (delta @ coefs.T) x sigmoid'(hidden).
            deltas[i].dot(self._coefs_T[i], deltas[i - 1])
            self._hidden_derivative(activations[i - 1], deltas[i - 1], scratch[i - 1])
        # The first layer's weights' gradient, X.T @ delta.
        if isinstance(X, np.ndarray):
            X.T.dot(deltas[0], coef_grads[0])
        else:
            coef_grads[0][...] = X.T @ deltas[0]  # sparse X
        if intercept_grads:
            ones.dot(deltas[0], intercept_grads[0])
        if alpha:
            loss += self._add_penalty(
                alpha, factor, weight_grads, workspace.flat_scratch
            )
        return loss / weight_sum, weight_sum

    def _view_gradient(self, grad):
        """Make ``layer_views(grad)``, once per gradient vector.

        Without intercepts, the bias part of ``grad`` is zeroed here, once:
        nothing writes it afterwards.
        """
        coef_grads, intercept_grads = self.layer_views(grad)
        if not self.fit_intercept:
            grad[self.n_coefs :] = 0
            intercept_grads = None
        weight_grads = grad[: self.n_coefs]
        self._grad = grad
        self._grad_views = (coef_grads, intercept_grads, weight_grads)

    def _add_penalty(self, alpha, factor, weight_grads, scratch):
        """Add ``factor * alpha * coefs`` to the gradient of the weights (all
        of them, one flat view), a scratch vector's length at a time; return
        the penalty ``0.5 * alpha * ||coefs||^2``."""
        weights = self._weights
        for start in range(0, weights.shape[0], scratch.shape[0]):
            stop = min(start + scratch.shape[0], weights.shape[0])
            part = scratch[: stop - start]
            multiply(weights[start:stop], factor * alpha, part)
            add(weight_grads[start:stop], part, weight_grads[start:stop])
        return 0.5 * alpha * float(weights.dot(weights))

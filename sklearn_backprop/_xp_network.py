"""The engine for array API namespaces: PyTorch, CuPy, array-api-strict.

:class:`Network` here has the interface of ``_network.Network`` (a flat
``params`` vector, ``loss_and_gradient``, ``predict``, ``evaluate``), so the
training loop does not know which engine runs; it is the same mathematics
written once against the array API standard instead of tuned NumPy calls. Every
array stays in the namespace and on the device of the data: weights,
activations, deltas, gradients. What leaves the device is the loss, once per
epoch (and with sample weights, each batch's total weight).

The documents' four lines are :meth:`Network.loss_and_gradient`, as they
read::

    activations[i] = f(activations[i - 1] @ coefs[i] + intercepts[i])
    delta = loss'(y, activations[-1])
    delta = (delta @ coefs[i].T) * f'(activations[i - 1])
    coef_grads[i] = activations[i - 1].T @ delta

Nothing is computed in place but the updates of ``params`` and of the gradient
vector the solver reads: on a GPU each operation is one kernel whatever its
output, and new arrays keep the code the mathematics.

``_engines.select_engine`` picks the engine from the namespace of ``X``: the
NumPy engine for NumPy arrays and sparse matrices (always, without array API
dispatch), this one for anything else.
"""

import copy
from itertools import accumulate, pairwise

import numpy as np
from sklearn.utils._array_api import get_namespace, move_to

from . import _network
from ._activations import get_unit


def forward(xp, X, coefs, intercepts, activation, output_activation):
    """Every layer's activations for ``X``; the last is the output layer.

    ``intercepts`` is None for a network without biases.
    """
    activations = []
    layer_input = X
    last = len(coefs) - 1
    for i, coef in enumerate(coefs):
        z = layer_input @ coef
        if intercepts is not None:
            z = z + intercepts[i]
        unit = output_activation if i == last else activation
        layer_input = get_unit(unit).xp_forward(xp, z)
        activations.append(layer_input)
    return activations


def predict(X, coefs, intercepts, activation, output_activation):
    """Forward ``X`` through the network in chunks of rows, on its device.

    The same chunking as the NumPy engine's ``predict``: the memory of the
    hidden layers is bounded whatever the number of samples.
    """
    xp, _ = get_namespace(X)
    n_samples = X.shape[0]
    widest = max(coef.shape[1] for coef in coefs)
    itemsize = 4 if coefs[0].dtype == xp.float32 else 8
    chunk = max(1, _network.PREDICT_CHUNK_BYTES // (itemsize * widest))
    # (array-api-strict computes with NumPy: its exp may overflow to the
    # sigmoid's exact limit, as in the NumPy engine, without a warning.)
    with _network.quiet_floating_point():
        outputs = [
            forward(
                xp,
                X[start : min(start + chunk, n_samples), ...],
                coefs,
                intercepts,
                activation,
                output_activation,
            )[-1]
            for start in range(0, max(n_samples, 1), chunk)
        ]
    return outputs[0] if len(outputs) == 1 else xp.concat(outputs, axis=0)


class Network:
    """A feed-forward network whose arrays live in namespace ``xp`` on
    ``device``: the interface of ``_network.Network``.

    Parameters
    ----------
    layer_units : sequence of int
        Units per layer, input and output layers included.
    activation : str
        The hidden unit.
    loss : object
        A loss from ``_losses``; its ``name`` and ``output_activation`` say
        which loss and output unit to compute.
    fit_intercept : bool
        Whether the layers have biases.
    dtype : dtype of ``xp``
        float32 or float64.
    xp : array namespace
    device : device of ``xp``
    """

    def __init__(self, layer_units, activation, loss, fit_intercept, dtype, xp, device):
        self.layer_units = tuple(int(u) for u in layer_units)
        self.activation = activation
        self._hidden_unit = get_unit(activation)
        self.loss = loss
        self.output_activation = loss.output_activation
        self.fit_intercept = fit_intercept
        self.dtype = dtype
        self.xp, self.device = xp, device
        shapes = list(pairwise(self.layer_units))
        self.n_coefs = sum(fan_in * fan_out for fan_in, fan_out in shapes)
        n_params = self.n_coefs + sum(self.layer_units[1:])
        self.params = xp.zeros(n_params, dtype=dtype, device=device)

    @property
    def coefs(self):
        """The weight matrix of each layer (slices of ``params``)."""
        return self.layer_views(self.params)[0]

    @property
    def intercepts(self):
        """The bias vector of each layer (slices of ``params``)."""
        return self.layer_views(self.params)[1]

    def layer_views(self, flat):
        """Split a vector laid out as ``params``: all weight matrices, layer by
        layer, then all biases (the layout of the NumPy engine)."""
        shapes = list(pairwise(self.layer_units))
        sizes = [fan_in * fan_out for fan_in, fan_out in shapes]
        sizes += self.layer_units[1:]
        parts = [flat[a:b] for a, b in pairwise(accumulate(sizes, initial=0))]
        coefs = [
            self.xp.reshape(part, shape)
            for part, shape in zip(parts, shapes, strict=False)
        ]
        return coefs, parts[len(shapes) :]

    def copy(self):
        """The same network over a copy of the weights (a snapshot)."""
        snapshot = copy.copy(self)
        snapshot.params = self.xp.asarray(self.params, copy=True)
        return snapshot

    def new_vector(self):
        """A zero vector laid out as ``params``, on the device."""
        return self.xp.zeros_like(self.params)

    def workspace(self, batch_size):
        """No buffers: the array API engine allocates as the mathematics
        reads (see the module's docstring)."""
        return None

    def set_weights(self, coefs, intercepts):
        """Copy existing weights (e.g. a fitted model's) into ``params``."""
        shapes = [tuple(c.shape) for c in self.coefs + self.intercepts]
        sources = list(coefs) + list(intercepts)
        if [tuple(s.shape) for s in sources] != shapes:
            # The NumPy engine raises the error that says what to change.
            _network.Network.set_weights(self._host_network(), coefs, intercepts)
        xp = self.xp
        moved = [move_to(s, xp=xp, device=self.device) for s in sources]
        flat = [xp.astype(xp.reshape(s, (-1,)), self.dtype) for s in moved]
        self.params[...] = xp.concat(flat)
        if not self.fit_intercept:
            # As the NumPy engine: no biases, zero biases.
            self.params[self.n_coefs :] = 0

    def initialize(self, init, random_state):
        """Draw the weights exactly as the NumPy engine does, from the same
        NumPy random state, and move them to the device."""
        host = self._host_network()
        host.initialize(init, random_state)
        self.set_flat(host.params)

    def _host_network(self):
        return _network.Network(
            self.layer_units,
            self.activation,
            self.loss,
            self.fit_intercept,
            self._host_dtype(),
        )

    def _host_dtype(self):
        return np.float32 if self.dtype == self.xp.float32 else np.float64

    def host_float64(self, vector):
        """A float64 NumPy copy, on the host, of a vector laid out as
        ``params`` (what SciPy's L-BFGS reads)."""
        return np.array(move_to(vector, xp=np, device="cpu"), dtype=np.float64)

    def set_flat(self, vector):
        """Overwrite ``params`` from a NumPy vector (e.g. L-BFGS's iterate)."""
        # Cast on the host: a float32-only device cannot take float64.
        vector = np.asarray(vector, dtype=self._host_dtype())
        self.params[...] = self.xp.asarray(vector, device=self.device)

    def predict(self, X):
        """The output layer for ``X``, computed on the device."""
        coefs, intercepts = self.layer_views(self.params)
        biases = intercepts if self.fit_intercept else None
        return predict(X, coefs, biases, self.activation, self.output_activation)

    def evaluate(self, X, y, sample_weight):
        """The output layer for ``X`` and its weighted mean loss against ``y``
        (without the L2 penalty): what a validation set is scored with."""
        output = self.predict(X)
        loss, _ = self.loss.xp_loss_and_delta(self.xp, y, output, sample_weight)
        weight_sum = _weight_sum(self.xp, X, sample_weight)
        return output, float(loss) / weight_sum if weight_sum else 0.0

    def loss_and_gradient(self, X, y, sample_weight, alpha, workspace, grad, scale=1.0):
        """Backpropagation: the mean loss of a batch and its gradient.

        The parameters are those of ``_network.Network.loss_and_gradient``
        (``workspace`` is unused). The loss is returned as a 0-d array on the
        device, so that a batch does not wait for the device; the training
        loop turns the epoch's sum into a float.
        """
        xp = self.xp
        weight_sum = _weight_sum(xp, X, sample_weight)
        if weight_sum <= 0:
            grad[...] = 0
            return 0.0, 0.0
        coefs, intercepts = self.layer_views(self.params)
        biases = intercepts if self.fit_intercept else None
        # The documents' four lines: the forward pass,
        activations = forward(
            xp, X, coefs, biases, self.activation, self.output_activation
        )
        # the output delta (error x sigmoid'(output) for their squared error),
        loss, delta = self.loss.xp_loss_and_delta(xp, y, activations[-1], sample_weight)
        # scaled once to the gradient of the mean (times the solver's scale),
        factor = scale / weight_sum
        delta = delta * factor
        inputs = [X, *activations[:-1]]
        backward = self._hidden_unit.xp_backward
        coef_grads, intercept_grads = [None] * len(coefs), [None] * len(coefs)
        for i in range(len(coefs) - 1, -1, -1):
            # the weights' gradient, activations.T @ delta,
            coef_grads[i] = inputs[i].T @ delta
            intercept_grads[i] = xp.sum(delta, axis=0)
            if i > 0:
                # and the delta sent back: (delta @ coefs.T) x sigmoid'(hidden).
                delta = backward(xp, inputs[i], delta @ coefs[i].T)
        if not self.fit_intercept:
            intercept_grads = [xp.zeros_like(b) for b in intercepts]
        parts = [xp.reshape(g, (-1,)) for g in coef_grads] + intercept_grads
        grad[...] = xp.concat(parts)
        if alpha:
            # The L2 penalty 0.5 * alpha * ||weights||^2, over all weights at once.
            weights = self.params[: self.n_coefs]
            loss = loss + 0.5 * alpha * xp.sum(weights * weights)
            grad[: self.n_coefs] += (factor * alpha) * weights
        return loss / weight_sum, weight_sum


def _weight_sum(xp, X, sample_weight):
    """A batch's total sample weight as a Python float (its rows unweighted)."""
    if sample_weight is None:
        return X.shape[0]
    return float(xp.sum(sample_weight))

"""The choice of the engine that does a network's arithmetic, in one place.

Both engines give a ``Network`` class and a ``predict`` function of the same
interface, so that nothing above this seam (the estimators, ``_training``)
knows which one runs:

- ``Network(layer_units, activation, loss, fit_intercept, dtype)``: weights in
  one flat vector ``params`` (``coefs``/``intercepts`` views of it, ``n_coefs``
  weights first), ``initialize``, ``set_weights``, ``set_flat``, ``copy``,
  ``new_vector``, ``workspace(batch_size)``, ``host_float64``;
  ``loss_and_gradient(X, y, sample_weight, alpha, workspace, grad, scale)``
  returns ``(loss, weight_sum)``, ``loss`` a real scalar that may stay on the
  engine's device until the caller reads it with ``float()`` (the caller sums
  an epoch's losses, then reads the sum once), ``weight_sum`` a float;
  ``evaluate(X, y, sample_weight)`` returns the output and the mean loss as a
  float; ``predict(X)`` the output.
- ``predict(X, coefs, intercepts, activation, output_activation)``: forward
  new data through fitted weights.

The NumPy engine (``_network``) is the reference; the array API engine
(``_xp_network``) runs on the namespace and device of the data. A third
seam, below the training loop, hands a small network's whole stochastic fit
to the compiled loop (``_fast.chosen``).
"""

from functools import partial

from . import _network, _xp_network
from ._array_api import device_namespace


def select_engine(X):
    """The engine for data like ``X``: ``(make_network, predict)``.

    ``make_network(layer_units, activation, loss, fit_intercept, dtype)``
    builds a network; ``predict(X, coefs, intercepts, activation,
    output_activation)`` forwards new data. NumPy arrays and sparse matrices
    (and everything when array API dispatch is off) get the tuned NumPy
    engine; other namespaces get ``_xp_network``'s, on ``X``'s device.
    """
    namespace = device_namespace(X)
    if namespace is None:
        return _network.Network, _network.predict
    xp, device = namespace
    return partial(_xp_network.Network, xp=xp, device=device), _xp_network.predict

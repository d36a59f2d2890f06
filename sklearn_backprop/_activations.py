"""Activation functions, applied in place, and their derivatives.

Every derivative is written from the activation's *output* ``a``, as the
documents write ``nonlin(l1, deriv=True) = l1 * (1 - l1)``: backpropagation
stores the outputs of the forward pass and never needs the inputs again.

``ACTIVATIONS[name](z)`` overwrites ``z`` with ``f(z)``.
``DERIVATIVES[name](a, delta, scratch)`` overwrites ``delta`` with
``delta * f'(z)`` where ``a = f(z)``; ``scratch`` is a buffer shaped like
``a`` that it may overwrite. Nothing here allocates an array the size of a
layer. The caller silences floating-point overflow once around its loop (see
``_network.quiet_floating_point``): ``exp`` overflowing to ``inf`` is exactly
the limit the sigmoid needs, not an error.
"""

import numpy as np
from numpy import add, multiply, negative, reciprocal, sign, square, subtract

# Written for speed on the documents' arrays of a few numbers, where calling
# NumPy costs far more than the arithmetic. NumPy's functions are imported by
# name where the name is free (``np.add`` is a slow lookup: Python 3.11 cannot
# cache attributes of a module that defines ``__getattr__``, as NumPy does);
# outputs are passed positionally (``exp(z, z)`` is ``exp(z, out=z)``: the
# keyword costs a tenth of the call); and constants are 0-d arrays of the
# operand's dtype, which NumPy takes faster than a Python float and which
# never change the result's dtype.
_ONE = {np.dtype(t): np.ones((), t) for t in (np.float32, np.float64)}
_HALF = {dtype: one / 2 for dtype, one in _ONE.items()}
_ZERO = {dtype: one - one for dtype, one in _ONE.items()}
_ONE_FLOAT64, _HALF_FLOAT32 = _ONE[np.dtype(np.float64)], _HALF[np.dtype(np.float32)]


def logistic(z):
    """The documents' sigmoid ``1 / (1 + exp(-z))``, in place.

    In float64 this is the documents' own formula, operation for operation,
    so their printed numbers reproduce bit for bit. In float32 the equivalent
    ``0.5 + 0.5 * tanh(z / 2)`` is used: it never overflows and is faster.
    """
    if z.dtype == np.float32:
        _logistic_float32(z)
    else:
        _logistic_float64(z)


def _logistic_float64(z):
    negative(z, z)
    np.exp(z, z)
    add(z, _ONE_FLOAT64, z)
    reciprocal(z, z)


def _logistic_float32(z):
    multiply(z, _HALF_FLOAT32, z)
    np.tanh(z, z)
    multiply(z, _HALF_FLOAT32, z)
    add(z, _HALF_FLOAT32, z)


def tanh(z):
    """Hyperbolic tangent, in place."""
    np.tanh(z, z)


def relu(z):
    """Rectified linear unit ``max(z, 0)``, in place."""
    np.maximum(z, _ZERO[z.dtype], out=z)  # positional out is deprecated here


def identity(z):
    """The identity: nothing to do."""


def softmax(z):
    """Row-wise softmax, in place, shifted by the row maximum so that no
    ``exp`` can overflow."""
    z -= z.max(axis=1, keepdims=True)
    np.exp(z, z)
    z /= z.sum(axis=1, keepdims=True)


def exp(z):
    """Exponential, in place (the output unit of the Poisson loss)."""
    np.exp(z, z)


def logistic_derivative(a, delta, scratch):
    """``delta *= a * (1 - a)``: the documents' ``nonlin(a, deriv=True)``."""
    subtract(_ONE[a.dtype], a, scratch)
    multiply(scratch, a, scratch)
    multiply(delta, scratch, delta)


def tanh_derivative(a, delta, scratch):
    """``delta *= 1 - a**2``."""
    square(a, scratch)
    subtract(_ONE[a.dtype], scratch, scratch)
    multiply(delta, scratch, delta)


def relu_derivative(a, delta, scratch):
    """``delta *= (a > 0)``; ``sign(a)`` is that indicator since ``a >= 0``."""
    sign(a, scratch)
    multiply(delta, scratch, delta)


def identity_derivative(a, delta, scratch):
    """The identity's derivative is one: nothing to do."""


def softmax_derivative(a, delta, scratch):
    """Multiply ``delta`` by the softmax Jacobian: ``a * (delta - <delta, a>)``.

    Only the squared-error loss on a softmax output needs it; log-loss pairs
    with softmax through the shortcut ``delta = a - y``.
    """
    multiply(delta, a, scratch)
    delta -= scratch.sum(axis=1, keepdims=True)
    delta *= a


def exp_derivative(a, delta, scratch):
    """The exponential is its own derivative: ``delta *= a``."""
    multiply(delta, a, delta)


ACTIVATIONS = {
    "logistic": logistic,
    "tanh": tanh,
    "relu": relu,
    "identity": identity,
    "softmax": softmax,
    "exp": exp,
}

DERIVATIVES = {
    "logistic": logistic_derivative,
    "tanh": tanh_derivative,
    "relu": relu_derivative,
    "identity": identity_derivative,
    "softmax": softmax_derivative,
    "exp": exp_derivative,
}

HIDDEN_ACTIVATIONS = ("logistic", "tanh", "relu", "identity")


def activation_for(name, dtype):
    """``ACTIVATIONS[name]``, with the logistic formula chosen for ``dtype``
    once rather than on every call."""
    if name == "logistic":
        return _logistic_float32 if dtype == np.float32 else _logistic_float64
    return ACTIVATIONS[name]

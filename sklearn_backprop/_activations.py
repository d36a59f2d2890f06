"""Activation functions, applied in place, and their derivatives.

Every derivative is written from the activation's *output* ``a``, as the
documents write ``nonlin(l1, deriv=True) = l1 * (1 - l1)``: backpropagation
stores the outputs of the forward pass and never needs the inputs again.

``ACTIVATIONS[name](z)`` overwrites ``z`` with ``f(z)``.
``DERIVATIVES[name](a, delta, scratch)`` overwrites ``delta`` with
``delta * f'(z)`` where ``a = f(z)``; ``scratch`` is a buffer shaped like
``a`` that it may overwrite. Nothing here allocates an array the size of a
layer. The caller silences floating-point overflow once around its loop (see
``_network.quiet_overflow``): ``exp`` overflowing to ``inf`` is exactly the
limit the sigmoid needs, not an error.
"""

import numpy as np


def logistic(z):
    """The documents' sigmoid ``1 / (1 + exp(-z))``, in place.

    In float64 this is the documents' own formula, operation for operation,
    so their printed numbers reproduce bit for bit. In float32 the equivalent
    ``0.5 + 0.5 * tanh(z / 2)`` is used: it never overflows and is faster.
    """
    if z.dtype == np.float32:
        z *= 0.5
        np.tanh(z, out=z)
        z *= 0.5
        z += 0.5
    else:
        np.negative(z, out=z)
        np.exp(z, out=z)
        z += 1.0
        np.reciprocal(z, out=z)


def tanh(z):
    """Hyperbolic tangent, in place."""
    np.tanh(z, out=z)


def relu(z):
    """Rectified linear unit ``max(z, 0)``, in place."""
    np.maximum(z, 0, out=z)


def identity(z):
    """The identity: nothing to do."""


def softmax(z):
    """Row-wise softmax, in place, shifted by the row maximum so that no
    ``exp`` can overflow."""
    z -= z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)


def exp(z):
    """Exponential, in place (the output unit of the Poisson loss)."""
    np.exp(z, out=z)


def logistic_derivative(a, delta, scratch):
    """``delta *= a * (1 - a)``: the documents' ``nonlin(a, deriv=True)``."""
    np.subtract(1.0, a, out=scratch)
    scratch *= a
    delta *= scratch


def tanh_derivative(a, delta, scratch):
    """``delta *= 1 - a**2``."""
    np.square(a, out=scratch)
    np.subtract(1.0, scratch, out=scratch)
    delta *= scratch


def relu_derivative(a, delta, scratch):
    """``delta *= (a > 0)``; ``sign(a)`` is that indicator since ``a >= 0``."""
    np.sign(a, out=scratch)
    delta *= scratch


def identity_derivative(a, delta, scratch):
    """The identity's derivative is one: nothing to do."""


def softmax_derivative(a, delta, scratch):
    """Multiply ``delta`` by the softmax Jacobian: ``a * (delta - <delta, a>)``.

    Only the squared-error loss on a softmax output needs it; log-loss pairs
    with softmax through the shortcut ``delta = a - y``.
    """
    np.multiply(delta, a, out=scratch)
    delta -= scratch.sum(axis=1, keepdims=True)
    delta *= a


def exp_derivative(a, delta, scratch):
    """The exponential is its own derivative: ``delta *= a``."""
    delta *= a


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

"""Activation functions, applied in place, and their derivatives.

Every derivative is written from the activation's *output* ``a``, as the
documents write ``nonlin(l1, deriv=True) = l1 * (1 - l1)``: backpropagation
stores the outputs of the forward pass and never needs the inputs again.

This module is also the registry of units: :data:`UNITS` maps each name to a
:class:`Unit` holding everything an engine, ONNX export, validation or a test
needs to know about it. ``UNITS[name].forward(z, bias)`` overwrites ``z`` with
``f(z + bias)`` (``bias`` None: ``f(z)``); taking the bias lets a unit fold it
into a pass it makes anyway. ``UNITS[name].derivative(a, delta, scratch)``
overwrites ``delta`` with ``delta * f'(z)`` where ``a = f(z)``; ``scratch`` is
a buffer shaped like ``a`` that it may overwrite. Nothing here allocates an
array the size of a layer. The caller silences floating-point overflow once
around its loop (see ``_network.quiet_floating_point``): ``exp`` overflowing
to ``inf`` is exactly the limit the sigmoid needs, not an error.

To add a unit: its :class:`Unit` here (NumPy and array API arithmetic, ONNX
export), its code in ``_fast/_loop.pxd`` and its arithmetic in
``_fast/_loop.pyx`` (``_unit`` and ``_derivative``). Nothing else needs to
change: parameter validation, the docstrings, the engines and the tests
(``tests/test_engines.py``, ``test_gradients.py``, ``test_registry.py``)
read this registry. (Names appear elsewhere only where a unit is treated
specially: the estimators' choice of output unit, the saturation diagnostic
of the logistic and tanh units, the default ``init`` of the logistic one.)
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy import add, divide, multiply, negative, reciprocal, sign, square, subtract

# Written for speed on the documents' arrays of a few numbers, where calling
# NumPy costs far more than the arithmetic. NumPy's functions are imported by
# name where the name is free (``np.add`` is a slow lookup: Python 3.11 cannot
# cache attributes of a module that defines ``__getattr__``, as NumPy does);
# outputs are passed positionally (``exp(z, z)`` is ``exp(z, out=z)``: the
# keyword costs a tenth of the call); and constants are 0-d arrays of the
# operand's dtype, which NumPy takes faster than a Python float and which
# never change the result's dtype.
_ONE = {np.dtype(t): np.ones((), t) for t in (np.float32, np.float64)}
_ZERO = {dtype: one - one for dtype, one in _ONE.items()}


def logistic(z, bias=None):
    """The documents' sigmoid ``1 / (1 + exp(-z))``, in place.

    Their own formula, operation for operation, so that in float64 their
    printed numbers reproduce bit for bit. With a bias, ``-(z + bias)`` is
    computed as ``(-bias) - z`` in one pass, which rounds to the same number
    (rounding to nearest is symmetric), instead of adding then negating.
    ``exp(-z)`` overflows to ``inf`` for very negative ``z``, which gives the
    exact limit 0 (the engine silences the warning); in float32 this is also
    faster here than the overflow-free ``0.5 + 0.5 * tanh(z / 2)``, NumPy's
    float32 ``exp`` being twice as fast as its ``tanh``.
    """
    if bias is None:
        negative(z, z)
    else:
        subtract(negative(bias), z, z)
    np.exp(z, z)
    add(z, _ONE[z.dtype], z)
    reciprocal(z, z)


def tanh(z, bias=None):
    """Hyperbolic tangent, in place."""
    if bias is not None:
        add(z, bias, z)
    np.tanh(z, z)


def relu(z, bias=None):
    """Rectified linear unit ``max(z, 0)``, in place."""
    if bias is not None:
        add(z, bias, z)
    np.maximum(z, _ZERO[z.dtype], out=z)  # positional out is deprecated here


def identity(z, bias=None):
    """The identity: only the bias to add."""
    if bias is not None:
        add(z, bias, z)


def softmax(z, bias=None):
    """Row-wise softmax, in place, shifted by the row maximum so that no
    ``exp`` can overflow.

    A row holds one number per class, and NumPy reduces such a short axis
    slowly: the maxima come from a transposed copy, reduced along its long
    axis, and the sums from a product with ones.
    """
    if bias is not None:
        add(z, bias, z)
    row_max = np.maximum.reduce(z.T.copy(), axis=0)
    subtract(z, row_max[:, np.newaxis], z)
    np.exp(z, z)
    row_sum = z.dot(np.ones(z.shape[1], z.dtype))
    divide(z, row_sum[:, np.newaxis], z)


def exp(z, bias=None):
    """Exponential, in place (the output unit of the Poisson loss)."""
    if bias is not None:
        add(z, bias, z)
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


# The same units written against the array API (``xp``), for the engine of
# ``_xp_network``: ``xp_forward(xp, z)`` returns ``f(z)``, and
# ``xp_backward(xp, a, delta)`` returns ``delta`` times the derivative at the
# output ``a = f(z)`` (the softmax's Jacobian-vector product), new arrays
# rather than in place (see ``_xp_network``).


def _xp_softmax(xp, z):
    """Row-wise softmax, shifted by the row maximum so no ``exp`` overflows."""
    exp_z = xp.exp(z - xp.max(z, axis=1, keepdims=True))
    return exp_z / xp.sum(exp_z, axis=1, keepdims=True)


def _xp_softmax_backward(xp, a, delta):
    """The softmax Jacobian times ``delta``: ``a * (delta - <delta, a>)``."""
    return a * (delta - xp.sum(delta * a, axis=1, keepdims=True))


@dataclass(frozen=True)
class Unit:
    """What every engine and exporter needs to know about one unit.

    Attributes
    ----------
    name : str
        The name the estimators' parameters and fitted attributes use.
    forward, derivative : callable
        The NumPy engine's in-place ``f`` and ``delta *= f'`` (from the
        output), as described in the module's docstring.
    xp_forward, xp_backward : callable
        The same for the array API engine, returning new arrays.
    hidden : bool
        Whether it may be a hidden unit (element-wise: the compiled loop
        takes a hidden layer's derivative over its whole block at once).
    onnx : tuple of (str, dict), callable or None
        What ONNX export applies after a layer's ``MatMul``/``Add``: an
        operator and its attributes; or, for a unit onnxruntime has no
        operator for in both precisions, ``onnx(graph, z, proto, dtype)``
        adding the nodes (``graph.node(op, inputs, **attributes)``,
        ``graph.constant(name, array, proto)``) and returning the output's
        name; None for the identity (nothing to apply).
    spread : float
        The spread ``s`` of a hidden unit's input under
        ``init="spread_uniform"`` (see ``Network.initialize``).
    glorot_gain : float
        ``k`` of ``"glorot_uniform"``, ``b = sqrt(k / (fan_in + fan_out))``.

    The compiled loop knows a unit by its code, the member of ``_fast``'s
    unit enumeration named ``name.upper()``.
    """

    name: str
    forward: Callable
    derivative: Callable
    xp_forward: Callable
    xp_backward: Callable
    hidden: bool = True
    onnx: tuple | None = None
    spread: float = 1.0
    glorot_gain: float = 6.0


UNITS = {
    unit.name: unit
    for unit in (
        Unit(
            "logistic",
            logistic,
            logistic_derivative,
            lambda xp, z: 1 / (1 + xp.exp(-z)),
            lambda xp, a, delta: delta * (a * (1 - a)),
            onnx=("Sigmoid", {}),
            # sigmoid(z) = (1 + tanh(z / 2)) / 2: tanh's spread, twice as wide
            spread=2.0,
            glorot_gain=2.0,
        ),
        Unit(
            "tanh",
            tanh,
            tanh_derivative,
            lambda xp, z: xp.tanh(z),
            lambda xp, a, delta: delta * (1 - a * a),
            onnx=("Tanh", {}),
        ),
        Unit(
            "relu",
            relu,
            relu_derivative,
            lambda xp, z: xp.clip(z, min=0),
            lambda xp, a, delta: delta * xp.astype(a > 0, a.dtype),
            onnx=("Relu", {}),
        ),
        Unit(
            "identity",
            identity,
            identity_derivative,
            lambda xp, z: z,
            lambda xp, a, delta: delta,
        ),
        Unit(
            "softmax",
            softmax,
            softmax_derivative,
            _xp_softmax,
            _xp_softmax_backward,
            hidden=False,
            onnx=("Softmax", {"axis": 1}),
        ),
        Unit(
            "exp",
            exp,
            exp_derivative,
            lambda xp, z: xp.exp(z),
            lambda xp, a, delta: delta * a,
            hidden=False,
            onnx=("Exp", {}),
        ),
    )
}
"""Every unit, by name: the one registry the engines, ONNX export, parameter
validation and the tests read."""

HIDDEN_UNITS = tuple(name for name, unit in UNITS.items() if unit.hidden)
"""The names the ``activation`` parameter accepts."""


def get_unit(name):
    """The :class:`Unit` called ``name``; a ValueError for an unknown name
    (never a fallback to another unit)."""
    try:
        return UNITS[name]
    except KeyError:
        raise ValueError(
            f"Unknown unit {name!r}: the units are {sorted(UNITS)}."
        ) from None

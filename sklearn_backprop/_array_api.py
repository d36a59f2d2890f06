"""Namespace utilities: where arrays live, and moving them there.

The one module that knows array API namespaces and devices apart from the
array API engine itself (as scikit-learn's ``utils/_array_api.py``): the
estimators validate data to :func:`float_dtypes`, make everything
:func:`follow` ``X`` to its namespace and device, and bring what is computed
once per fit on the host back with :func:`to_host`.
"""

import numpy as np
import scipy.sparse as sp
from sklearn import get_config
from sklearn.externals.array_api_compat import array_namespace
from sklearn.utils._array_api import (
    _is_numpy_namespace,
    _max_precision_float_dtype,
    get_namespace,
    get_namespace_and_device,
    move_to,
)


def device_namespace(X):
    """``(xp, device)`` of ``X`` when it lives outside NumPy (an array API
    namespace other than NumPy's), else None: NumPy arrays, sparse matrices,
    and everything when array API dispatch is off."""
    if isinstance(X, np.ndarray) or not get_config()["array_api_dispatch"]:
        return None  # (what follows costs 15 us)
    xp, _, device = get_namespace_and_device(X)
    return None if _is_numpy_namespace(xp) else (xp, device)


def all_finite(array):
    """Whether every number of ``array`` (of any namespace) is finite.

    Asked in the array's own namespace whatever the dispatch setting: a model
    fitted on a device may be copied or loaded with dispatch off, where
    ``get_namespace`` would hand a device array to NumPy.
    """
    if isinstance(array, np.ndarray):
        return bool(np.all(np.isfinite(array)))
    try:
        xp = array_namespace(array)
    except TypeError:  # not an array (a damaged file's list, say)
        return bool(np.all(np.isfinite(array)))
    return bool(xp.all(xp.isfinite(array)))


def float_dtypes(X):
    """The float dtypes ``X`` may be validated to, most precise first: float64
    and float32 of its namespace, or float32 alone on a device without float64
    (e.g. Apple's MPS)."""
    xp, _, device = get_namespace_and_device(X)
    if _is_numpy_namespace(xp):
        return (np.float64, np.float32)
    if _max_precision_float_dtype(xp, device) == xp.float32:
        return (xp.float32,)
    return (xp.float64, xp.float32)


def follow(array, X):
    """``array`` in the namespace, on the device and of the float dtype of
    ``X``: "everything follows X" (targets, weights, a validation set).

    The dtype is cast where ``array`` lives, before it moves, so that a
    float64 array reaches a float32-only device as float32.
    """
    if array is None:
        return None
    xp, _, device = get_namespace_and_device(X)
    if _is_numpy_namespace(xp):
        if not (isinstance(array, np.ndarray) or sp.issparse(array)):
            # From another library (a validation set, say): to the host.
            array = to_host(array)
        return array.astype(X.dtype, copy=False)
    source_xp, _ = get_namespace(array)
    dtype_name = "float32" if X.dtype == xp.float32 else "float64"
    array = source_xp.astype(array, getattr(source_xp, dtype_name))
    return move_to(array, xp=xp, device=device)


def follow_precisely(array, like):
    """``array`` in the namespace and on the device of ``like``, keeping its
    dtype (float64, say, for a regressor's target scaling) unless that device
    has no float64."""
    xp, _, device = get_namespace_and_device(like)
    if _is_numpy_namespace(xp):
        return array
    source_xp, _ = get_namespace(array)
    if _max_precision_float_dtype(xp, device) == xp.float32:
        array = source_xp.astype(array, source_xp.float32)
    return move_to(array, xp=xp, device=device)


def to_host(array):
    """``array`` as a NumPy array on the host (None stays None): for what is
    computed once per fit on the labels, such as their encoding."""
    if array is None or isinstance(array, np.ndarray):
        return array
    return move_to(array, xp=np, device="cpu")

"""Spline features: a cubic B-spline basis of each numeric input, joined to
the inputs.

A network of logistic units bends its response to one feature only through
units that every other feature feeds too. A B-spline basis of the feature
gives the first layer a local handle on each stretch of its range: on the
real tasks of ``benchmarks/realdata.py`` this is what lifted the classifier
on both halves (``docs/defaults.rst``, "Spline features").

The basis is scikit-learn's :class:`~sklearn.preprocessing.SplineTransformer`
(cubic, ``extrapolation="linear"``, ``include_bias=True``), with its knots at
the quantiles of each column (weighted, duplicates merged, so that a column
of mostly one value gets fewer knots, not repeated ones). Only columns with
at least :data:`MIN_DISTINCT` distinct values get one: a 0/1 column or a
small count has nothing for a spline to bend between.

:func:`fit_splines` fits it, and stores it as plain arrays in a dict (what
``skops`` loads without trusting anything new): a cubic polynomial per piece
of each column's range, between consecutive knots and beyond the outer ones
(linear there), in the local coordinate ``u = (x - origin) / scale``.
:func:`add_splines` evaluates them in the namespace of ``X`` (NumPy, or any
array API library), and ``onnx.py`` writes the same formula into the graph.
Every piece is a polynomial fitted exactly through four points of
SplineTransformer's own basis, so the formula is its, to rounding.
"""

import numpy as np
from scipy import sparse
from sklearn.preprocessing import SplineTransformer
from sklearn.utils._array_api import get_namespace_and_device

# A column needs this many distinct values (among rows of positive weight)
# to get a basis.
MIN_DISTINCT = 20
# When more columns than this qualify, none gets a basis: it would multiply
# the first layer's width, and so a fit's cost, by ``n_knots + 3`` for many
# columns (breast cancer's 30: slower than MLP), and on the one such real
# task measured (ad, 127 columns) it gained nothing.
MAX_COLUMNS = 16
DEGREE = 3
# The points each piece's cubic goes through, in its local coordinate: the
# knots at its ends and two between (beyond the outer knots, a knot interval
# outwards).
_INNER_POINTS = np.array([0.0, 1 / 3, 2 / 3, 1.0])


def fit_splines(X, n_knots, sample_weight=None):
    """The spline basis of the columns of ``X`` that take one, as a dict of
    arrays (see the module's docstring), or None when no column does.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
        The network's inputs, on the host. Of a sparse X, only the columns
        stored for at least half of the rows may take a basis.
    n_knots : int
        Knots at most per column (at the quantiles 0, 1 / (n_knots - 1),
        ..., 1): ``n_knots + 2`` basis functions.
    sample_weight : ndarray of shape (n_samples,) or None
        Weights of the rows in the quantiles: a weight of 2 counts the row
        twice, a weight of 0 not at all.
    """
    candidates = np.arange(X.shape[1])
    if sparse.issparse(X):
        # Only columns stored for most rows (a scaled numeric column), not
        # the mostly-zero ones of a one-hot encoding or of word counts.
        X = sparse.csc_array(X)
        candidates = np.flatnonzero(np.diff(X.indptr) >= X.shape[0] / 2)
        X = X[:, candidates].toarray()
    X = np.asarray(X, dtype=np.float64)
    weights = np.ones(X.shape[0]) if sample_weight is None else sample_weight
    weights = np.asarray(weights, dtype=np.float64)
    kept = weights > 0
    X, weights = X[kept], weights[kept]
    qualifying = [
        j for j in range(X.shape[1]) if np.unique(X[:, j]).size >= MIN_DISTINCT
    ]
    if not qualifying or len(qualifying) > MAX_COLUMNS:
        return None
    levels = np.linspace(0.0, 1.0, n_knots)
    knots = [
        np.unique(_weighted_quantiles(X[:, j], weights, levels)) for j in qualifying
    ]
    return _pieces(candidates[qualifying], knots, n_knots)


def _weighted_quantiles(values, weights, levels):
    """The lowest value whose cumulative weight reaches each share of the
    total ("inverted CDF"): a weight of 2 gives what the row twice gives."""
    order = np.argsort(values, kind="stable")
    values, cumulative = values[order], np.cumsum(weights[order])
    positions = np.searchsorted(cumulative, levels * cumulative[-1], side="left")
    return values[np.minimum(positions, values.size - 1)]


def _pieces(columns, knots, n_knots):
    """The piecewise cubic form of each column's basis (padded to the most
    knots any column has: +inf edges that no value reaches, zero
    polynomials)."""
    n_columns = len(columns)
    n_pieces = n_knots + 1
    n_basis = n_knots + DEGREE - 1
    edges = np.full((n_columns, n_pieces - 1), np.inf)
    origins = np.zeros((n_columns, n_pieces))
    scales = np.ones((n_columns, n_pieces))
    coefficients = np.zeros((n_pieces, n_columns, DEGREE + 1, n_basis))
    outputs = []
    for c, column_knots in enumerate(knots):
        m = column_knots.size
        basis = SplineTransformer(
            n_knots=m,
            knots=column_knots.reshape(-1, 1),
            degree=DEGREE,
            extrapolation="linear",
        ).fit(column_knots.reshape(-1, 1))
        widths = np.diff(column_knots)
        # Pieces: below the first knot, between consecutive knots, above
        # the last; the last piece is stored at index m, the rest padding.
        piece_origins = np.r_[column_knots[0], column_knots[:-1], column_knots[-1]]
        piece_scales = np.r_[widths[0], widths, widths[-1]]
        points = np.tile(_INNER_POINTS, (m + 1, 1))
        points[0] -= 1.0  # the first piece lies below its origin
        edges[c, :m] = column_knots
        origins[c, : m + 1] = piece_origins
        scales[c, : m + 1] = piece_scales
        vandermonde = points[..., None] ** np.arange(DEGREE + 1)
        x = piece_origins[:, None] + points * piece_scales[:, None]
        values = basis.transform(x.reshape(-1, 1)).reshape(m + 1, 4, -1)
        coefficients[: m + 1, c, :, : m + 2] = np.linalg.solve(vandermonde, values)
        outputs.extend(c * n_basis + np.arange(m + 2))
    return {
        "columns": columns,
        "edges": edges,
        "origins": origins,
        "scales": scales,
        "coefficients": coefficients,
        "outputs": np.array(outputs),
    }


def n_spline_features(splines):
    """How many basis columns ``splines`` (a :func:`fit_splines` dict or
    None) adds to the inputs."""
    return 0 if splines is None else int(splines["outputs"].size)


def spline_features(X, splines):
    """The basis columns of ``X``'s spline columns, in the namespace, on the
    device and of the dtype of ``X``: shape (n_samples, n_spline_features)."""
    xp, _, device = get_namespace_and_device(X)
    columns = xp.asarray(splines["columns"], dtype=xp.int64, device=device)
    return _spline_features_of(xp.take(X, columns, axis=1), splines)


def _spline_features_of(values, splines):
    """The basis columns of ``values``, the spline columns of the inputs."""
    xp, _, device = get_namespace_and_device(values)

    def constant(name, dtype=values.dtype):
        return xp.asarray(splines[name], dtype=dtype, device=device)

    edges, origins, scales = constant("edges"), constant("origins"), constant("scales")
    coefficients = constant("coefficients")
    # Values far outside the training range overflow to inf (a NaN where
    # infinities meet), as they would in the network itself: the
    # estimator's check of the output reports them.
    with np.errstate(over="ignore", invalid="ignore"):
        flat = _piecewise_cubics(values, edges, origins, scales, coefficients)
    return xp.take(flat, constant("outputs", xp.int64), axis=1)


def _piecewise_cubics(values, edges, origins, scales, coefficients):
    """Each basis function's cubic, of the piece each value falls in."""
    xp, _, device = get_namespace_and_device(values)
    n_pieces = origins.shape[1]
    # The piece each value falls in: how many edges lie at or below it.
    piece = xp.sum(xp.astype(values[:, :, None] >= edges[None, :, :], xp.int32), axis=2)
    zero = xp.zeros((), dtype=values.dtype, device=device)
    result = None
    for k in range(n_pieces):
        u = ((values - origins[:, k]) / scales[:, k])[:, :, None]
        c = coefficients[k, ...]  # (columns, powers, basis)
        # Horner's rule, for every basis function of every column at once.
        polynomial = c[:, 3, :] * u + c[:, 2, :]
        polynomial = polynomial * u + c[:, 1, :]
        polynomial = polynomial * u + c[:, 0, :]
        term = xp.where((piece == k)[:, :, None], polynomial, zero)
        result = term if result is None else result + term
    return xp.reshape(result, (values.shape[0], -1))


def add_splines(X, splines):
    """``X`` with the basis columns of ``splines`` joined on the right (``X``
    itself when ``splines`` is None)."""
    if splines is None:
        return X
    if sparse.issparse(X):
        # (a model fitted on dense inputs): the spline columns densified.
        columns = X[:, splines["columns"]].toarray()
        features = _spline_features_of(columns, splines)
        return sparse.hstack([X, features], format=X.format)
    xp, _, _ = get_namespace_and_device(X)
    return xp.concat([X, spline_features(X, splines)], axis=1)

"""Candidate input transforms measured in front of ours by ``realdata.py
--front NAME``: RealMLP-TD's ingredients priced one at a time, without
touching the estimators. Each takes the benchmark's preprocessed array
(standardised numeric columns, one-hot categorical ones) and is fitted on
the training part of a fold only.

- ``robust_clip``: RealMLP-TD's robust scaling and smooth clipping of every
  column, ``x -> f(s (x - median))``, ``s = 1 / IQR`` (``2 / range`` where the
  IQR is 0, else 0), ``f(z) = z / sqrt(1 + (z / clip) ** 2)``.
- ``periodic``: fixed periodic embeddings of the numeric columns (those with
  at least ``min_values`` distinct values): each such column ``x`` is kept and
  joined by ``sin(2 pi f x)`` and ``cos(2 pi f x)`` for ``n_frequencies``
  frequencies ``f ~ N(0, scale)`` drawn once (``random_state=0``); RealMLP-TD
  learns its frequencies, these stay as drawn.
- ``quantile``: the numeric columns (at least ``min_values`` distinct
  values) mapped through their empirical quantiles to a standard normal
  (scikit-learn's ``QuantileTransformer``), the others as they are.
- ``spline``: the numeric columns kept and joined by scikit-learn's
  ``SplineTransformer`` basis (``n_knots`` knots placed by ``knots``,
  cubic, linear beyond the outer knots), the others as they are.

None is part of the package: all were measured and left out
(``docs/defaults.rst``, "Also measured and left out"). In the last three,
columns with fewer than ``min_values`` distinct values (one-hot, counts,
scales of a few points) pass unchanged.
"""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.preprocessing import QuantileTransformer, SplineTransformer
from sklearn.utils.validation import check_is_fitted, validate_data


class RobustClip(TransformerMixin, BaseEstimator):
    def __init__(self, clip=3.0):
        self.clip = clip

    def fit(self, X, y=None):
        X = validate_data(self, X, dtype=np.float64)
        low, q1, median, q3, high = np.quantile(X, [0, 0.25, 0.5, 0.75, 1], axis=0)
        spread = np.where(q3 > q1, q3 - q1, (high - low) / 2)
        self.center_ = median
        scale = np.zeros_like(spread)
        self.scale_ = np.divide(1.0, spread, out=scale, where=spread > 0)
        return self

    def transform(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        z = (X - self.center_) * self.scale_
        return z / np.sqrt(1 + (z / self.clip) ** 2)


class Periodic(TransformerMixin, BaseEstimator):
    def __init__(self, scale=0.1, n_frequencies=8, min_values=20):
        self.scale = scale
        self.n_frequencies = n_frequencies
        self.min_values = min_values

    def fit(self, X, y=None):
        X = validate_data(self, X, dtype=np.float64)
        self.embedded_ = _numeric_columns(X, self.min_values)
        rng = np.random.default_rng(0)
        shape = (len(self.embedded_), self.n_frequencies)
        self.frequencies_ = rng.normal(0, self.scale, shape)
        return self

    def transform(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        angles = 2 * np.pi * X[:, self.embedded_, None] * self.frequencies_
        flat = angles.reshape(len(X), -1)
        return np.hstack([X, np.sin(flat), np.cos(flat)])


def _numeric_columns(X, min_values):
    distinct = np.array([len(np.unique(column)) for column in X.T])
    return np.flatnonzero(distinct >= min_values)


class _OnNumericColumns(TransformerMixin, BaseEstimator):
    """A scikit-learn transformer fitted on the numeric columns only
    (``_part``), ``None`` when there are none."""

    def fit(self, X, y=None):
        X = validate_data(self, X, dtype=np.float64)
        self.numeric_ = _numeric_columns(X, self.min_values)
        self.part_ = None
        if len(self.numeric_):
            self.part_ = self._part(len(X)).fit(X[:, self.numeric_])
        return self

    def transform(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        if self.part_ is None:
            return X
        return self._combine(X, self.part_.transform(X[:, self.numeric_]))


class Quantile(_OnNumericColumns):
    def __init__(self, min_values=20):
        self.min_values = min_values

    def _part(self, n_samples):
        return QuantileTransformer(
            n_quantiles=min(1000, n_samples),
            output_distribution="normal",
            random_state=0,
        )

    def _combine(self, X, transformed):
        X = X.copy()
        X[:, self.numeric_] = transformed
        return X


class Spline(_OnNumericColumns):
    def __init__(
        self,
        n_knots=5,
        knots="uniform",
        min_values=20,
        include_bias=True,
        keep_columns=True,
    ):
        self.n_knots = n_knots
        self.knots = knots
        self.min_values = min_values
        self.include_bias = include_bias
        self.keep_columns = keep_columns

    def _part(self, n_samples):
        return SplineTransformer(
            n_knots=self.n_knots,
            knots=self.knots,
            extrapolation="linear",
            include_bias=self.include_bias,
        )

    def _combine(self, X, transformed):
        if self.keep_columns:
            return np.hstack([X, transformed])
        # The basis spans the column itself (a cubic spline reproduces
        # linear functions), so the column can go.
        return np.hstack([np.delete(X, self.numeric_, axis=1), transformed])


FRONTS = {
    "robust_clip": RobustClip,
    "periodic": Periodic,
    "quantile": Quantile,
    "spline": Spline,
}

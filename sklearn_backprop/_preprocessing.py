"""Raw tabular data in: the columns of a DataFrame made the network's inputs.

A network of logistic units needs its inputs as numbers of order one, with
no gaps. A DataFrame brings numbers at any scale with gaps in them, strings,
categories and booleans. :func:`make_preprocessor` builds, from scikit-learn's
own transformers only, the :class:`~sklearn.compose.ColumnTransformer` that
bridges the two, and :func:`preprocess` runs it; the estimator keeps the
fitted transformer as ``preprocessor_``.

- Numeric columns: :class:`~sklearn.preprocessing.StandardScaler` (mean and
  standard deviation, computed without the gaps), then a gap becomes 0: the
  column's mean, since the scaler centred it there. Measured against
  :class:`~sklearn.preprocessing.RobustScaler` and
  :class:`~sklearn.preprocessing.QuantileTransformer` on the 40 real tasks of
  ``benchmarks/realdata.py --raw-frames`` (mean score 0.576, 0.573 and
  0.565, with the earlier defaults alpha=0.03, learning_rate_init=0.01): the
  interquartile range of a column that is mostly one value (a count of rare
  events) is 0, and RobustScaler leaves such a column unscaled; the quantile
  transform flattens what lies beyond the training range. A heavy tail does
  not saturate the units (tests/test_raw_frames.py).
- Gaps in numeric columns: one 0/1 column each, from
  :class:`~sklearn.impute.MissingIndicator`, for the columns that had gaps in
  fit, so that missingness can inform the prediction.
- Categorical columns (category, string, object and bool columns, or those
  named by ``categorical_features``): one-hot, by
  :class:`~sklearn.preprocessing.OneHotEncoder`. A missing value is a level of
  its own; levels seen fewer than ``MIN_FREQUENCY`` times and those beyond the
  ``MAX_CATEGORIES`` most frequent share one "infrequent" column, which a
  level unseen in fit joins at predict (all zeros if there is none).

Why the gaps are filled here rather than by
:class:`~sklearn.impute.SimpleImputer`: a fitted ``SimpleImputer`` keeps a
``numpy.dtype`` that ``skops.io`` does not trust, and the fitted model must
load with ``skops`` trusting nothing but the estimator's own class.
"""

import sys

import numpy as np
from scipy import sparse
from sklearn.compose import ColumnTransformer
from sklearn.impute import MissingIndicator
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils import _safe_indexing
from sklearn.utils.validation import _num_features, check_array

# A level seen fewer times than this in fit gets no column of its own: its
# weights would be trained on a handful of rows.
MIN_FREQUENCY = 5
# At most this many columns per categorical feature (the most frequent
# levels, the rest in the "infrequent" column): a column of thousands of
# levels would otherwise dwarf the network's first layer.
MAX_CATEGORIES = 50


def is_dataframe(X):
    """Whether ``X`` is a pandas or polars DataFrame (without importing
    either: a frame's library is imported already)."""
    for library in ("pandas", "polars"):
        module = sys.modules.get(library)
        if module is not None and isinstance(X, module.DataFrame):
            return True
    return False


def _narwhals():
    """narwhals, which reads the column types of pandas and polars frames
    alike. scikit-learn 1.9 and later depend on it; with an earlier
    scikit-learn it is the ``frames`` extra, imported only for a DataFrame."""
    try:
        import narwhals.stable.v2 as nw
    except ImportError as error:
        raise ImportError(
            "Reading the column types of a DataFrame needs narwhals >= 2, which "
            "scikit-learn 1.9 and later install: pip install narwhals (or "
            'pip install ".[frames]" from a clone of sklearn-backprop), or '
            "pass X as a NumPy array of numbers."
        ) from error
    return nw


def categorical_mask(X, categorical_features):
    """The columns of ``X`` that are categorical, as a boolean mask.

    Parameters
    ----------
    X : DataFrame or array-like of shape (n_samples, n_features)
    categorical_features : "from_dtype", None, or array-like of bool, int or str
        As the estimators' parameter: ``"from_dtype"`` marks the category,
        enum, string, object and bool columns of a DataFrame (none of an
        array); a boolean mask, column indices or column names mark those.

    Returns
    -------
    mask : ndarray of shape (n_features,), dtype=bool, or None
        None when nothing says a column is categorical (``None``, or
        ``"from_dtype"`` and an array).
    """
    from_dtype = isinstance(categorical_features, str)  # (the one string allowed)
    if categorical_features is None or (from_dtype and not is_dataframe(X)):
        return None
    if from_dtype:
        nw = _narwhals()
        dtypes = nw.from_native(X, eager_only=True).schema.dtypes()
        kinds = (nw.Categorical, nw.Enum, nw.String, nw.Boolean, nw.Object)
        return np.array(
            [any(dtype == kind for kind in kinds) for dtype in dtypes], dtype=bool
        )
    n_features = _num_features(X)
    selected = np.asarray(categorical_features)
    if selected.size == 0:
        return None
    if selected.dtype.kind == "b":
        if selected.shape != (n_features,):
            raise ValueError(
                "categorical_features as a boolean mask must have one entry per "
                f"column of X, {n_features}; got shape {selected.shape}."
            )
        return selected.copy()
    if selected.dtype.kind in "iu":
        if selected.min() < -n_features or selected.max() >= n_features:
            raise ValueError(
                f"categorical_features has column indices {selected.tolist()} "
                f"out of range for X with {n_features} columns."
            )
        mask = np.zeros(n_features, dtype=bool)
        mask[selected] = True
        return mask
    if selected.dtype.kind in "UO" and all(isinstance(s, str) for s in selected.flat):
        columns = getattr(X, "columns", None)
        if columns is None:
            raise ValueError(
                "categorical_features names columns, but X has no column names: "
                "pass a DataFrame, or give the columns as indices or a boolean mask."
            )
        columns = [str(c) for c in columns]
        unknown = [str(name) for name in selected if name not in columns]
        if unknown:
            raise ValueError(
                f"categorical_features names columns {unknown} that X does not "
                f"have; its columns are {columns}."
            )
        return np.isin(columns, selected)
    raise ValueError(
        "categorical_features must be 'from_dtype', None, or an array-like of "
        f"bool, int or str; got {categorical_features!r}."
    )


def make_preprocessor(X, is_categorical):
    """An unfitted ColumnTransformer for data like ``X`` (see the module's
    docstring), and the mask of its categorical columns (``is_categorical``,
    or all False if that is None). Columns are chosen by position, so that an
    array with the columns in the same order transforms as the frame does."""
    if sparse.issparse(X):
        raise ValueError(
            "The features cannot be encoded and scaled inside for a sparse X: "
            "pass a dense array or a DataFrame, or set preprocessing=False (a "
            "sparse X must then be numeric and scaled)."
        )
    if is_categorical is None:
        if not is_dataframe(X):
            # (a 2-D array of any dtype: the message of a 1-D one)
            X = check_array(X, dtype=None, ensure_all_finite=False)
        is_categorical = np.zeros(X.shape[1], dtype=bool)
    if is_dataframe(X):
        _check_numeric_columns(X, is_categorical)
    numeric = np.flatnonzero(~is_categorical)
    categorical = np.flatnonzero(is_categorical)
    transformers = []
    if numeric.size:
        transformers += [
            ("numeric", StandardScaler(), numeric),
            ("missing", MissingIndicator(error_on_new=False), numeric),
        ]
    if categorical.size:
        encoder = OneHotEncoder(
            handle_unknown="infrequent_if_exist",
            min_frequency=MIN_FREQUENCY,
            max_categories=MAX_CATEGORIES,
            sparse_output=False,
        )
        transformers.append(("categorical", encoder, categorical))
    preprocessor = ColumnTransformer(transformers, sparse_threshold=0)
    # Arrays out whatever the global set_output configuration says.
    return preprocessor.set_output(transform="default"), is_categorical


def _check_numeric_columns(X, is_categorical):
    """Every column not categorical must hold numbers (or booleans)."""
    nw = _narwhals()
    schema = nw.from_native(X, eager_only=True).schema
    for (name, dtype), categorical in zip(schema.items(), is_categorical, strict=True):
        if not categorical and not (dtype.is_numeric() or dtype == nw.Boolean):
            raise ValueError(
                f"Column {name!r} of X has dtype {dtype}, neither numeric nor "
                "categorical: convert it to numbers (a datetime, e.g., to a "
                "timestamp), drop it, or name it in categorical_features."
            )


def preprocess(preprocessor, X, fit):
    """``X`` through ``preprocessor`` (fitted first when ``fit``): a float64
    array with no gaps."""
    X = _missing_as_nan(X)
    if fit:
        X = preprocessor.fit_transform(X)
    else:
        X = preprocessor.transform(X)
    X = np.asarray(X, dtype=np.float64)
    # Gaps are left only in the scaled numeric columns: 0 is their mean.
    X[np.isnan(X)] = 0.0
    return X


def weigh(preprocessor, X, sample_weight):
    """Refit the numeric columns' scaler of a fitted ``preprocessor`` with
    the rows' weights, and return ``X`` through it again: a weight of 2
    counts as the row twice, in the scaling as in the loss. (The indicators
    and the one-hot columns do not depend on weights, but for which levels
    are infrequent: those stay counted by rows.)"""
    for name, scaler, columns in preprocessor.transformers_:
        if name == "numeric":
            numeric = _safe_indexing(_missing_as_nan(X), columns, axis=1)
            scaler.fit(numeric, sample_weight=sample_weight)
    return preprocess(preprocessor, X, fit=False)


def _missing_as_nan(X):
    """A pandas frame whose text columns mark gaps with ``pd.NA`` (the
    ``"string"`` dtype, object columns) with NaN there instead, which
    OneHotEncoder takes as a level; anything else unchanged."""
    if not hasattr(X, "select_dtypes"):
        return X
    text = X.select_dtypes(include=["object", "string"]).columns
    has_na = [name for name in text if _holds_pd_na(X[name])]
    if not has_na:
        return X
    X = X.copy()
    for name in has_na:
        column = X[name].astype(object)
        X[name] = column.where(column.notna(), np.nan)
    return X


def _holds_pd_na(column):
    import pandas as pd

    if isinstance(column.dtype, pd.StringDtype):
        return column.dtype.na_value is pd.NA and bool(column.isna().any())
    return any(value is pd.NA for value in column[column.isna()])

"""Spline features (``spline_knots``): the basis, the columns that get one,
and the model around them."""

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import config_context
from sklearn.datasets import make_classification
from sklearn.preprocessing import SplineTransformer

from sklearn_backprop import BackpropClassifier, BackpropRegressor
from sklearn_backprop._splines import (
    MIN_DISTINCT,
    _weighted_quantiles,
    fit_splines,
    n_spline_features,
    spline_features,
)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _data(n_samples, n_features, seed):
    return make_classification(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=2,
        n_redundant=0,
        random_state=seed,
    )


def _reference(X_fit, X, columns, n_knots):
    """SplineTransformer's basis of each spline column, with the knots
    ``fit_splines`` places (the quantiles, duplicates merged)."""
    blocks = []
    levels = np.linspace(0, 1, n_knots)
    for j in columns:
        knots = np.unique(_weighted_quantiles(X_fit[:, j], np.ones(len(X_fit)), levels))
        transformer = SplineTransformer(
            n_knots=knots.size, knots=knots[:, None], extrapolation="linear"
        ).fit(knots[:, None])
        blocks.append(transformer.transform(X[:, [j]]))
    return np.hstack(blocks)


def test_basis_is_spline_transformers_inside_and_beyond_the_knots():
    rng = np.random.RandomState(0)
    X_fit = np.c_[
        rng.normal(size=300),
        rng.exponential(size=300),
        np.r_[np.zeros(240), rng.uniform(1, 2, 60)],  # mostly one value
    ]
    splines = fit_splines(X_fit, 5)
    assert_array_equal(splines["columns"], [0, 1, 2])
    # The third column's quantiles merge into two knots (0 and its
    # maximum): 2 + 2 functions.
    assert n_spline_features(splines) == 7 + 7 + 4
    X = rng.normal(scale=4, size=(500, 3))  # far beyond the knots too
    # Each piece's cubic is solved from four of SplineTransformer's values
    # (a 4x4 system in a local coordinate of order one): rounding of 1e-12
    # relative, on values up to ~10 beyond the knots.
    assert_allclose(
        spline_features(X, splines),
        _reference(X_fit, X, [0, 1, 2], 5),
        rtol=1e-9,
        atol=1e-9,
    )


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    n_samples=st.integers(MIN_DISTINCT, 80),
    n_knots=st.integers(2, 8),
    scale=st.sampled_from([1e-3, 1.0, 1e4]),
    seed=st.integers(0, 2**16),
)
def test_basis_matches_spline_transformer_on_random_columns(
    n_samples, n_knots, scale, seed
):
    rng = np.random.RandomState(seed)
    # Rounded values: ties and repeated quantiles, as real columns have.
    X_fit = np.round(rng.standard_t(3, size=(n_samples, 2)), 1) * scale
    splines = fit_splines(X_fit, n_knots)
    columns = [j for j in range(2) if np.unique(X_fit[:, j]).size >= MIN_DISTINCT]
    if not columns:
        assert splines is None
        return
    X = rng.standard_t(3, size=(50, 2)) * 2 * scale
    expected = _reference(X_fit, X, columns, n_knots)
    got = spline_features(X, splines)
    # A spline basis is partition of unity inside the knots: values of
    # order one; beyond them it grows linearly, relative error then.
    assert_allclose(got, expected, rtol=1e-8, atol=1e-8)
    inside = (X[:, columns] >= X_fit[:, columns].min(axis=0)).all(axis=1) & (
        X[:, columns] <= X_fit[:, columns].max(axis=0)
    ).all(axis=1)
    per_column = got[inside].reshape(inside.sum(), len(columns), -1)
    if got.shape[1] == len(columns) * (n_knots + 2):
        assert_allclose(per_column.sum(axis=2), 1.0, atol=1e-8)


def test_columns_with_few_values_and_mostly_zero_sparse_columns_get_none():
    rng = np.random.RandomState(1)
    X = np.c_[
        rng.normal(size=200),  # continuous: a basis
        rng.randint(0, 2, 200),  # 0/1: none
        rng.randint(0, MIN_DISTINCT - 1, 200),  # 19 values: none
        rng.randint(0, MIN_DISTINCT, 200),  # 20 values: a basis
    ]
    assert_array_equal(fit_splines(X, 5)["columns"], [0, 3])
    # Of a sparse X, only the columns stored for at least half the rows: a
    # scaled numeric column, not word counts.
    counts = np.where(rng.rand(200) < 0.1, rng.rand(200), 0.0)
    sparse_X = sp.csr_matrix(np.c_[X, counts])
    assert_array_equal(fit_splines(sparse_X, 5)["columns"], [0, 3])
    assert fit_splines(np.c_[X[:, 1], X[:, 2]], 5) is None


def test_more_than_sixteen_qualifying_columns_get_none():
    # (a cost bound: each basis multiplies its column's share of the first
    # layer by spline_knots + 3)
    X = np.random.RandomState(8).normal(size=(100, 17))
    assert fit_splines(X, 5) is None
    assert_array_equal(fit_splines(X[:, :16], 5)["columns"], np.arange(16))


def test_sample_weight_counts_rows_in_the_quantiles():
    rng = np.random.RandomState(2)
    X = rng.normal(size=(60, 2))
    weights = rng.randint(0, 4, 60)
    repeated = np.repeat(X, weights, axis=0)
    weighted, plain = fit_splines(X, 6, weights), fit_splines(repeated, 6)
    for name in ("columns", "edges", "origins", "scales", "outputs"):
        assert_array_equal(weighted[name], plain[name])
    # (the same knots; the polynomials from the same solve)
    assert_allclose(weighted["coefficients"], plain["coefficients"], rtol=0, atol=0)


def test_the_classifier_joins_the_basis_and_none_gives_the_plain_network():
    X, y = _data(200, 4, 0)
    X[:, 3] = np.round(X[:, 3])  # a handful of values: no basis
    clf = BackpropClassifier(max_iter=20, random_state=0).fit(X, y)
    assert clf.spline_knots == 5
    assert_array_equal(clf.spline_columns_, [0, 1, 2])
    assert clf.coefs_[0].shape[0] == 4 + 3 * 7
    assert clf.n_features_in_ == 4
    plain = BackpropClassifier(max_iter=20, random_state=0, spline_knots=None)
    plain.fit(X, y)
    assert plain.spline_columns_ is None
    assert plain.coefs_[0].shape[0] == 4
    # The regressor's default is the plain network.
    reg = BackpropRegressor(max_iter=5, random_state=0).fit(X, X[:, 0])
    assert reg.spline_knots is None and reg.coefs_[0].shape[0] == 4
    reg = BackpropRegressor(max_iter=5, random_state=0, spline_knots=3)
    assert reg.fit(X, X[:, 0]).coefs_[0].shape[0] == 4 + 3 * 5


def test_predictions_far_beyond_the_training_range_stay_finite():
    X, y = _data(200, 3, 1)
    clf = BackpropClassifier(max_iter=30, random_state=0).fit(X, y)
    far = np.array([[1e3, -1e3, 50.0], [-1e4, 0.0, 1e4]])
    proba = clf.predict_proba(far)
    assert np.isfinite(proba).all()
    assert_allclose(proba.sum(axis=1), 1.0)


def test_warm_start_and_partial_fit_keep_the_fitted_basis():
    X, y = _data(200, 3, 2)
    clf = BackpropClassifier(max_iter=5, random_state=0, warm_start=True).fit(X, y)
    edges = clf._splines["edges"].copy()
    shape = clf.coefs_[0].shape
    clf.fit(X * 3 + 1, y)  # other data: the knots stay where fit put them
    assert_array_equal(clf._splines["edges"], edges)
    assert clf.coefs_[0].shape == shape
    clf.partial_fit(X[:10] - 5, y[:10])
    assert_array_equal(clf._splines["edges"], edges)
    # A first partial_fit places the knots by its own rows.
    first = BackpropClassifier(random_state=0)
    first.partial_fit(X[:50], y[:50], classes=[0, 1])
    assert_array_equal(first.spline_columns_, [0, 1, 2])
    assert first._splines["edges"][0, -1] == X[:50, 0].max()


def test_a_dense_fit_predicts_sparse_rows_as_dense_ones():
    X, y = _data(150, 4, 3)
    clf = BackpropClassifier(max_iter=10, random_state=0).fit(X, y)
    assert clf.spline_columns_ is not None
    for matrix in (sp.csr_matrix, sp.csc_matrix):
        # The same products summed in another order: float64 rounding.
        assert_allclose(clf.predict_proba(matrix(X)), clf.predict_proba(X), rtol=1e-12)


def test_a_frame_gets_splines_of_its_scaled_numeric_columns_only():
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(4)
    frame = pd.DataFrame(
        {
            "income": rng.lognormal(size=200),
            "age": rng.randint(18, 80, 200).astype(float),
            "colour": rng.choice(["red", "green", "blue"], 200),
        }
    )
    frame.loc[::10, "income"] = np.nan
    y = (frame["age"] > 50).astype(int)
    clf = BackpropClassifier(max_iter=10, random_state=0).fit(frame, y)
    names = clf.preprocessor_.get_feature_names_out()
    assert_array_equal(names[clf.spline_columns_], ["numeric__income", "numeric__age"])
    assert clf.coefs_[0].shape[0] == len(names) + 2 * 7
    assert clf.predict(frame.iloc[:5]).shape == (5,)


def test_array_api_basis_and_predictions_agree_with_numpy():
    xp = pytest.importorskip("array_api_strict")
    X, y = _data(120, 3, 5)
    X_test = np.random.RandomState(0).normal(scale=3, size=(40, 3))
    splines = fit_splines(X, 5)
    got = spline_features(xp.asarray(X_test), splines)
    # The same operations in the same order: float64 rounding at most.
    assert_allclose(np.asarray(got), spline_features(X_test, splines), rtol=1e-12)
    clf = BackpropClassifier(max_iter=10, random_state=0).fit(X, y)
    with config_context(array_api_dispatch=True):
        from sklearn.utils._array_api import move_estimator_to

        moved = move_estimator_to(clf, xp, None)
        proba = moved.predict_proba(xp.asarray(X_test))
    assert_allclose(np.asarray(proba), clf.predict_proba(X_test), rtol=1e-10)


def test_onnx_computes_the_basis_as_predict_does():
    skl2onnx = pytest.importorskip("skl2onnx")
    ort = pytest.importorskip("onnxruntime")
    import sklearn_backprop.onnx  # noqa: F401  (registers the converters)

    X, y = _data(150, 4, 6)
    clf = BackpropClassifier(max_iter=30, random_state=0).fit(X, y)
    X_test = np.random.RandomState(1).normal(scale=3, size=(60, 4))
    onx = skl2onnx.to_onnx(clf, X_test[:1], options={"zipmap": False})
    session = ort.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    labels, proba = session.run(None, {session.get_inputs()[0].name: X_test})
    assert_array_equal(labels, clf.predict(X_test))
    # float64 all through; the graph sums the pieces in another order.
    assert_allclose(proba, clf.predict_proba(X_test), rtol=1e-9, atol=1e-12)


def test_validation_of_spline_knots():
    X, y = _data(50, 3, 7)
    with pytest.raises(ValueError, match="spline_knots"):
        BackpropClassifier(spline_knots=1).fit(X, y)
    with pytest.raises(ValueError, match="spline_knots"):
        BackpropClassifier(spline_knots=2.5).fit(X, y)

"""Invariants of both estimators over random small problems (hypothesis).

Data sets, dtypes, architectures (no hidden layer included), hidden units and
solvers are drawn; every fit is short, so a few seconds cover some hundred
fits.
"""

import pickle
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from sklearn_backprop import BackpropClassifier, BackpropRegressor
from sklearn_backprop._activations import HIDDEN_UNITS

SETTINGS = settings(max_examples=30, deadline=None, derandomize=True)
# Whether the drawn problems saturate the units is not what these properties
# are about (fit_quietly silences convergence the same way).
pytestmark = pytest.mark.filterwarnings("ignore::sklearn_backprop.SaturationWarning")


@st.composite
def problems(draw, classifier):
    """An estimator (not fitted) and a small data set for it."""
    seed = draw(st.integers(0, 2**16))
    n_samples = draw(st.integers(3, 30))
    n_features = draw(st.integers(1, 4))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    rng = np.random.RandomState(seed)
    scale = 10.0 ** draw(st.floats(-2, 2))
    X = (rng.normal(size=(n_samples, n_features)) * scale).astype(dtype)
    if classifier:
        n_classes = draw(st.integers(1, 3))
        y = rng.randint(n_classes, size=n_samples)
    else:
        n_outputs = draw(st.integers(1, 2))
        y = rng.normal(loc=draw(st.floats(-1e3, 1e3)), size=(n_samples, n_outputs))
        y = y.ravel() if n_outputs == 1 else y
    params = dict(
        hidden_layer_sizes=draw(st.sampled_from([(), (3,), (4, 2)])),
        activation=draw(st.sampled_from(HIDDEN_UNITS)),
        solver=draw(st.sampled_from(["sgd", "adam", "lbfgs"])),
        max_iter=draw(st.integers(1, 5)),
        random_state=seed,
    )
    estimator = BackpropClassifier if classifier else BackpropRegressor
    return estimator(**params), X, y


def fit_quietly(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y)


@SETTINGS
@given(problems(classifier=True))
def test_classifier_probabilities_and_labels(problem):
    clf, X, y = problem
    fit_quietly(clf, X, y)
    proba = clf.predict_proba(X)
    assert proba.shape == (X.shape[0], len(clf.classes_))
    assert np.isfinite(proba).all()
    assert ((proba >= 0) & (proba <= 1)).all()
    # Sums of a few probabilities: a few units in the last place of the dtype.
    atol = 10 * np.finfo(proba.dtype).eps
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=0, atol=atol)
    assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])


@SETTINGS
@given(problems(classifier=False))
def test_regressor_predictions_are_finite(problem):
    reg, X, y = problem
    pred = fit_quietly(reg, X, y).predict(X)
    assert pred.shape == y.shape
    assert np.isfinite(pred).all()


@SETTINGS
@given(st.booleans().flatmap(problems))
def test_refits_and_pickles_predict_identically(problem):
    model, X, y = problem
    fit_quietly(model, X, y)
    refit = fit_quietly(clone(model), X, y)
    loaded = pickle.loads(pickle.dumps(model))
    predict = "predict_proba" if hasattr(model, "classes_") else "predict"
    expected = getattr(model, predict)(X)
    assert_array_equal(getattr(refit, predict)(X), expected)
    assert_array_equal(getattr(loaded, predict)(X), expected)


@SETTINGS
@given(st.booleans().flatmap(problems), st.sampled_from(["diverge", "features"]))
def test_failed_fit_leaves_the_model_bitwise_unchanged(problem, failure):
    model, X, y = problem
    fit_quietly(model, X, y)
    before, params = pickle.dumps(model), model.get_params()
    if failure == "diverge":
        # One full-batch step of this size overflows any weights.
        model.set_params(
            solver="sgd", learning_rate_init=1e300, batch_size=None, warm_start=True
        )
        X_bad = X
    else:  # a warm start on data of another width
        model.set_params(warm_start=True)
        X_bad = np.hstack([X, X])
    with pytest.raises(ValueError):
        fit_quietly(model, X_bad, y)
    # Every byte of the fitted state, once the changed parameters are back.
    assert pickle.dumps(model.set_params(**params)) == before

"""Fitted models persist safely: pickle stays small, skops trusts our class only."""

import pickle
import warnings

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning

from sklearn_backprop import BackpropClassifier, BackpropRegressor

sio = pytest.importorskip("skops.io")

pytestmark = pytest.mark.usefixtures("no_convergence_warning")


def fitted_models():
    """Short fits, made at collection time (hence the warnings filter)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return _fitted_models()


def _fitted_models():
    X, y = make_classification(n_samples=60, n_features=20, random_state=0)
    clf = BackpropClassifier((200,), max_iter=3, random_state=0).fit(X, y)
    # sgd's state (a schedule, a velocity) and validation curves, too.
    sgd = BackpropClassifier(
        (20,), solver="sgd", early_stopping=True, max_iter=3, random_state=0
    )
    sgd.fit(X, y)
    # Two networks averaged: their count is fitted state, too.
    averaged = BackpropClassifier((5, 4), n_networks=2, max_iter=3, random_state=0)
    averaged.fit(X, y)
    X_classification = X
    X, y = make_regression(n_samples=60, n_features=20, n_targets=2, random_state=0)
    reg = BackpropRegressor(hidden_layer_sizes=(200,), max_iter=3, random_state=0)
    return [(clf, X), (reg.fit(X, y + 100), X), (sgd, X), (averaged, X_classification)]


MODEL_IDS = ["classifier", "regressor", "sgd-early-stopping", "two-networks"]


@pytest.mark.parametrize("model, X", fitted_models(), ids=MODEL_IDS)
def test_skops_trusts_only_our_estimator_class(model, X):
    dumped = sio.dumps(model)
    name = f"{type(model).__module__}.{type(model).__name__}"
    assert sio.get_untrusted_types(data=dumped) == [name]
    loaded = sio.loads(dumped, trusted=[name])
    assert_array_equal(loaded.predict(X), model.predict(X))
    # The loaded model trains on, from the saved optimizer state.
    for estimator in (loaded, model):
        estimator.set_params(early_stopping=False)  # (partial_fit refuses it)
    assert_array_equal(
        loaded.partial_fit(X[:10], model.predict(X[:10])).predict(X),
        model.partial_fit(X[:10], model.predict(X[:10])).predict(X),
    )


@pytest.mark.parametrize("model, X", fitted_models(), ids=MODEL_IDS)
def test_pickle_holds_no_scratch_buffers(model, X):
    # Adam keeps two moment vectors as large as the weights: three copies in
    # all. Anything beyond (a scratch vector, a training buffer) breaks the
    # bound; 20 kB covers the rest (the parameters, the loss curve, names),
    # beside the spline features' polynomials.
    weight_bytes = sum(w.nbytes for w in model.coefs_ + model.intercepts_)
    splines = model._fitted_splines() or {}
    spline_bytes = sum(array.nbytes for array in splines.values())
    assert len(pickle.dumps(model)) < 3 * weight_bytes + spline_bytes + 20_000
    assert_array_equal(pickle.loads(pickle.dumps(model)).predict(X), model.predict(X))


def test_regressor_target_scaling_is_plain_float64_arrays():
    X, y = make_regression(n_samples=30, n_features=2, n_targets=2, random_state=0)
    reg = BackpropRegressor(max_iter=2, random_state=0).fit(X, y)
    for attribute in (reg._y_offset, reg._y_scale):
        assert isinstance(attribute, np.ndarray) and attribute.dtype == np.float64
        assert attribute.shape == (2,)


def _damaged(model, how):
    """A copy of ``model``'s state as an edited or damaged file would hold."""
    state = model.__getstate__()
    coefs = [c.copy() for c in state["coefs_"]]
    if how == "nan weight":
        coefs[-1][0, 0] = np.nan
    elif how == "wrong shape":
        coefs[0] = coefs[0][:-1]
    elif how == "missing layer":
        coefs = coefs[:-1]
    return {**state, "coefs_": coefs}


@pytest.mark.parametrize(
    "how, message",
    [
        ("nan weight", r"coefs_\[1\] holds values that are not finite"),
        # (20 features, too many for spline features: 20 inputs)
        ("wrong shape", r"coefs_\[0\] has shape \(19, 200\) where \(20, n_units\)"),
        ("missing layer", "1 weight matrices and 2 bias vectors"),
    ],
)
@pytest.mark.parametrize("loader", ["pickle", "skops"])
def test_a_damaged_file_is_refused_when_loaded(how, message, loader):
    # NaN weights got the message of features far outside the training
    # range; weights of the wrong shape gave garbage without an error.
    model, _ = fitted_models()[0]
    damaged = BackpropClassifier.__new__(BackpropClassifier)
    damaged.__dict__.update(_damaged(model, how))
    if loader == "pickle":
        data, load = pickle.dumps(damaged), pickle.loads
    else:
        name = "sklearn_backprop._classifier.BackpropClassifier"
        data = sio.dumps(damaged)

        def load(data):
            return sio.loads(data, trusted=[name])

    with pytest.raises(ValueError, match=f"invalid fitted state: {message}"):
        load(data)


def test_a_regressors_damaged_target_scaling_is_refused():
    _, (reg, _), *_ = fitted_models()
    state = reg.__getstate__()
    state["_y_scale"] = np.array([1.0, np.inf])
    damaged = BackpropRegressor.__new__(BackpropRegressor)
    damaged.__dict__.update(state)
    with pytest.raises(ValueError, match="_y_scale holds values that are not"):
        pickle.loads(pickle.dumps(damaged))

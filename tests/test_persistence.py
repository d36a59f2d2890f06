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
    X, y = make_regression(n_samples=60, n_features=20, n_targets=2, random_state=0)
    reg = BackpropRegressor(hidden_layer_sizes=(200,), max_iter=3, random_state=0)
    return [(clf, X), (reg.fit(X, y + 100), X), (sgd, X)]


MODEL_IDS = ["classifier", "regressor", "sgd-early-stopping"]


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
    # bound; 20 kB covers the rest (the parameters, the loss curve, names).
    weight_bytes = sum(w.nbytes for w in model.coefs_ + model.intercepts_)
    assert len(pickle.dumps(model)) < 3 * weight_bytes + 20_000
    assert_array_equal(pickle.loads(pickle.dumps(model)).predict(X), model.predict(X))


def test_regressor_target_scaling_is_plain_float64_arrays():
    X, y = make_regression(n_samples=30, n_features=2, n_targets=2, random_state=0)
    reg = BackpropRegressor(max_iter=2, random_state=0).fit(X, y)
    for attribute in (reg._y_offset, reg._y_scale):
        assert isinstance(attribute, np.ndarray) and attribute.dtype == np.float64
        assert attribute.shape == (2,)

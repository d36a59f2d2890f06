"""Numerical trouble never passes silently; failed fits change nothing."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from sklearn_backprop import BackpropClassifier, BackpropRegressor
from sklearn_backprop._activations import logistic, softmax

pytestmark = pytest.mark.usefixtures("no_convergence_warning")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_and_softmax_of_huge_inputs_without_warnings(dtype):
    z = np.array([[-1e30, -800.0, 0.0, 800.0, 1e30]], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        from sklearn_backprop._network import quiet_floating_point

        with quiet_floating_point():
            s = z.copy()
            logistic(s)
            p = z.copy()
            softmax(p)
    assert_array_equal(s, np.array([[0, 0, 0.5, 1, 1]], dtype=dtype))
    assert np.isfinite(p).all() and p.sum() == pytest.approx(1)


@pytest.mark.parametrize("estimator", [BackpropClassifier, BackpropRegressor])
def test_huge_finite_inputs_fit_and_predict_without_warnings(estimator):
    X = np.array([[1e300, -1e300], [-1e300, 1e300], [1e-300, 0.0], [0.0, 1.0]])
    y = np.array([0, 1, 0, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        try:
            model = estimator(max_iter=5, random_state=0).fit(X, y)
        except ValueError as error:  # divergence is reported, never silent
            assert "diverged" in str(error)
            return
        assert np.isfinite(model.predict(X).astype(float)).all()


def test_diverging_fit_raises_and_leaves_the_model_unchanged():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(50, 3)) * 1e3
    y = X @ [1.0, 2.0, 3.0] * 1e3
    reg = BackpropRegressor(solver="sgd", momentum=0.9, max_iter=5, random_state=0).fit(
        X / 1e3, y / 1e6
    )
    before = [c.copy() for c in reg.coefs_], reg.n_features_in_, reg.loss_curve_
    reg.set_params(
        learning_rate_init=10.0, scale_target=False, max_iter=100, activation="relu"
    )
    with pytest.raises(ValueError, match="diverged"):
        reg.fit(np.c_[X, X], y)
    for old, new in zip(before[0], reg.coefs_, strict=True):
        assert_array_equal(old, new)
    assert reg.n_features_in_ == before[1] == 3
    assert reg.loss_curve_ == before[2]


def test_failed_partial_fit_leaves_the_model_unchanged():
    X = np.array([[0.0], [1.0]])
    clf = BackpropClassifier().partial_fit(X, [0, 1], classes=[0, 1])
    state = {k: v for k, v in vars(clf).items()}
    with pytest.raises(ValueError):
        clf.partial_fit(X, [0, 2])
    assert vars(clf).keys() == state.keys()
    assert clf._history is state["_history"]

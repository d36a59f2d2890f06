"""warm_start and partial_fit continue training under today's parameters."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.datasets import load_iris, make_classification
from sklearn.preprocessing import StandardScaler

from sklearn_backprop import BackpropClassifier, _fast

pytestmark = pytest.mark.usefixtures("no_convergence_warning")


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def weights(model):
    return [w.copy() for w in model.coefs_ + model.intercepts_]


def assert_same_weights(a, b):
    for x, y in zip(a, b, strict=True):
        assert_array_equal(x, y)


# A step of learning_rate_init=1e-300 cannot move a weight of the sizes
# trained here (it is below their last bit): the weights stay bit for bit.
@pytest.mark.parametrize(
    "first, then",
    [("sgd", "sgd"), ("sgd", "adam"), ("adam", "sgd"), ("adam", "adam")],
)
def test_warm_start_fit_uses_todays_parameters(iris, first, then):
    X, y = iris
    clf = BackpropClassifier(
        (5,), solver=first, learning_rate_init=0.1, warm_start=True, random_state=0
    )
    clf.set_params(max_iter=5).fit(X, y)
    before = weights(clf)
    # The previous optimizer (its rate, its momentum) would keep moving them.
    clf.set_params(solver=then, learning_rate_init=1e-300).fit(X, y)
    assert_same_weights(weights(clf), before)
    assert clf.n_iter_ == 5 and len(clf.loss_curve_) == 10


@pytest.mark.parametrize(
    "params, changes",
    [
        (dict(solver="sgd", momentum=0), dict(learning_rate_init=1e-300)),
        (dict(solver="adam"), dict(learning_rate_init=1e-300)),
        # The kept velocity would move the weights; momentum=0 drops it.
        (dict(solver="sgd", momentum=0.9), dict(learning_rate_init=1e-300, momentum=0)),
    ],
    ids=["sgd-rate", "adam-rate", "sgd-momentum"],
)
def test_partial_fit_applies_changed_hyperparameters(iris, params, changes):
    X, y = iris
    clf = BackpropClassifier((5,), learning_rate_init=0.1, random_state=0, **params)
    for _ in range(3):
        clf.partial_fit(X, y, classes=[0, 1, 2])
    before = weights(clf)
    clf.set_params(**changes).partial_fit(X, y)
    assert_same_weights(weights(clf), before)
    clf.set_params(**params, learning_rate_init=0.1).partial_fit(X, y)
    assert not np.array_equal(clf.coefs_[0], before[0])


@pytest.mark.parametrize("schedule", ["constant", "cosine"])
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_partial_fit_keeps_the_optimizer_state(iris, solver, schedule):
    X, y = iris
    params = dict(solver=solver, batch_size=50, shuffle=False, tol=0, random_state=0)
    # (max_iter=3 for partial_fit too: the cosine schedule spans max_iter)
    params.update(max_iter=3, learning_rate=schedule)
    fitted = BackpropClassifier((5,), **params).fit(X, y)
    clf = BackpropClassifier((5,), **params)
    for _ in range(3):
        clf.partial_fit(X, y, classes=[0, 1, 2])
    # Momentum and Adam's moments and step count carried over every call:
    # three calls are the three epochs of one fit, bit for bit.
    assert_same_weights(weights(clf), weights(fitted))
    assert clf.loss_curve_ == fitted.loss_curve_


@pytest.mark.parametrize("engine", ["numpy", "compiled"])
def test_partial_fit_keeps_adams_default_step_constant(iris, engine):
    # learning_rate="auto" is the cosine for Adam's fit, but a stream has no
    # last epoch to come down to: partial_fit steps as learning_rate="constant".
    X, y = iris
    params = dict(batch_size=50, shuffle=False, tol=0, random_state=0, max_iter=3)
    with _fast.engine(engine):
        constant = BackpropClassifier((5,), learning_rate="constant", **params)
        constant.fit(X, y)
        cosine = BackpropClassifier((5,), **params).fit(X, y)
        streamed = BackpropClassifier((5,), **params)
        for _ in range(3):
            streamed.partial_fit(X, y, classes=[0, 1, 2])
    assert_same_weights(weights(streamed), weights(constant))
    assert not np.array_equal(cosine.coefs_[0], constant.coefs_[0])


def test_partial_fit_refuses_a_new_solver_and_says_how_to_restart(iris):
    X, y = iris
    clf = BackpropClassifier((5,), solver="sgd", random_state=0)
    clf.partial_fit(X, y, classes=[0, 1, 2])
    before = weights(clf)
    clf.set_params(solver="adam")
    with pytest.raises(ValueError, match="Call fit to train with the new solver"):
        clf.partial_fit(X, y)
    assert_same_weights(weights(clf), before)
    # fit with warm_start=True switches, keeping the weights as its start.
    clf.set_params(warm_start=True, max_iter=2).fit(X, y)
    assert clf.n_iter_ == 2


@pytest.mark.parametrize("engine", ["numpy", "compiled"])
def test_a_warm_fit_on_new_data_measures_its_plateau_from_its_own_best(engine):
    # Fitted on one task, warm-started on another: the new loss starts far
    # above the first fit's best and falls every epoch. Measured against the
    # old best it never "improved", and the fit stopped after
    # n_iter_no_change + 1 epochs; against its own best it trains on.
    X1, y1 = make_classification(300, 6, random_state=0)
    X2, y2 = make_classification(300, 6, random_state=1)
    clf = BackpropClassifier((8,), random_state=0, warm_start=True, max_iter=500)
    with _fast.engine(engine):
        clf.fit(X1, y1)
        first_best = clf.best_loss_
        clf.fit(X2, y2)
    losses = clf.loss_curve_[-clf.n_iter_ :]
    assert losses[0] > first_best
    assert clf.n_iter_ > 2 * (clf.n_iter_no_change + 1)
    assert clf.best_loss_ == min(losses)


def test_a_warm_fit_without_intercepts_has_zero_intercepts(iris):
    # Continued with fit_intercept=False, the network has no biases: the
    # earlier fit's must not stay in intercepts_ (the docs say zeros).
    X, y = iris
    clf = BackpropClassifier((5,), max_iter=20, random_state=0, warm_start=True)
    clf.fit(X, y)
    assert any(np.any(b != 0) for b in clf.intercepts_)
    clf.set_params(fit_intercept=False).fit(X, y)
    for bias in clf.intercepts_:
        assert_array_equal(bias, 0)

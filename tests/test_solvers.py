"""The three solvers and the learning-rate schedules."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from sklearn_backprop import BackpropClassifier, BackpropRegressor
from sklearn_backprop._solvers import SGD, Adam, make_solver

pytestmark = pytest.mark.usefixtures("no_convergence_warning")


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def epochs_to_reach(solver, iris, target_loss, **params):
    X, y = iris
    clf = BackpropClassifier(
        (10,),
        solver=solver,
        batch_size=None,
        tol=0,
        alpha=0,
        random_state=0,
        max_iter=3000,
        **params,
    )
    curve = np.array(clf.fit(X, y).loss_curve_)
    reached = np.flatnonzero(curve < target_loss)
    return reached[0] + 1 if reached.size else np.inf


def test_adam_converges_in_fewer_epochs_than_sgd(iris):
    adam = epochs_to_reach("adam", iris, 0.2, learning_rate_init=0.01)
    sgd = epochs_to_reach("sgd", iris, 0.2, learning_rate_init=0.01, momentum=0)
    assert adam < sgd / 2


def test_momentum_speeds_up_sgd(iris):
    plain = epochs_to_reach("sgd", iris, 0.2, learning_rate_init=0.01, momentum=0)
    heavy = epochs_to_reach(
        "sgd",
        iris,
        0.2,
        learning_rate_init=0.01,
        momentum=0.9,
        nesterovs_momentum=False,
    )
    nesterov = epochs_to_reach("sgd", iris, 0.2, learning_rate_init=0.01, momentum=0.9)
    assert heavy < plain / 3 and nesterov < plain / 3


# Unpenalised L-BFGS drives the loss towards 0 by saturating the units: the
# SaturationWarning says so, as it should.
@pytest.mark.filterwarnings("ignore::sklearn_backprop.SaturationWarning")
def test_lbfgs_reaches_a_lower_loss(iris):
    X, y = iris
    lbfgs = BackpropClassifier(
        (10,), solver="lbfgs", alpha=0, random_state=0, max_iter=200
    ).fit(X, y)
    adam = BackpropClassifier((10,), alpha=0, random_state=0, max_iter=200).fit(X, y)
    assert lbfgs.loss_ < adam.loss_ / 2
    assert lbfgs.n_iter_ <= 200 and len(lbfgs.loss_curve_) == lbfgs.n_iter_


def test_lbfgs_warns_at_max_iter(iris):
    X, y = iris
    with pytest.warns(ConvergenceWarning, match="L-BFGS"):
        BackpropClassifier(solver="lbfgs", max_iter=3).fit(X, y)


def test_lbfgs_max_fun_limits_evaluations(iris):
    X, y = iris
    clf = BackpropClassifier(solver="lbfgs", max_fun=5, max_iter=1000).fit(X, y)
    assert clf.n_iter_ <= 5


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_every_solver_honours_sample_weight(iris, solver):
    X, y = iris
    params = dict(solver=solver, random_state=0, max_iter=20, batch_size=None)
    doubled = BackpropClassifier(**params).fit(np.vstack([X, X[:20]]), np.r_[y, y[:20]])
    weighted = BackpropClassifier(**params).fit(
        X, y, sample_weight=np.r_[np.full(20, 2.0), np.ones(len(y) - 20)]
    )
    # Repeating a sample twice or weighting it by 2: the same full-batch sum.
    assert_allclose(weighted.coefs_[0], doubled.coefs_[0], rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_every_solver_honours_fit_intercept_and_alpha(iris, solver):
    X, y = iris
    no_bias = BackpropClassifier(
        solver=solver, fit_intercept=False, max_iter=20, random_state=0
    ).fit(X, y)
    assert all(not b.any() for b in no_bias.intercepts_)
    params = dict(
        solver=solver, max_iter=200, learning_rate_init=0.05, tol=0, random_state=0
    )
    small = BackpropClassifier(alpha=0, **params).fit(X, y)
    large = BackpropClassifier(alpha=10.0, **params).fit(X, y)
    assert np.linalg.norm(large.coefs_[0]) < np.linalg.norm(small.coefs_[0]) / 2


def test_invscaling_schedule():
    solver = SGD(3, np.float64, 0.1, "invscaling", momentum=0, power_t=0.5)
    solver.end_epoch(99)
    assert solver.learning_rate == pytest.approx(0.1 / 10)


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_cosine_schedule_comes_down_to_zero_at_max_iter(solver):
    params = dict(
        BackpropClassifier(learning_rate="cosine", max_iter=8).get_params(),
        learning_rate_init=0.1,
    )
    rates = []
    stepper = make_solver(solver, 3, np.float64, params)
    for epoch in range(10):
        rates.append(stepper.learning_rate)
        stepper.end_epoch((epoch + 1) * 50)
    # half a cosine from 0.1 over 8 epochs, then a new cycle
    expected = [0.05 * (1 + np.cos(np.pi * (e % 8) / 8)) for e in range(10)]
    np.testing.assert_allclose(rates, expected, rtol=1e-15)
    assert rates[0] == 0.1 and rates[7] < 0.004 and rates[8] == 0.1


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_partial_fit_continues_the_cosine_cycle(solver):
    params = dict(
        BackpropClassifier(learning_rate="cosine", max_iter=8).get_params(),
        learning_rate_init=0.1,
        solver=solver,
    )
    first = make_solver(solver, 3, np.float64, params)
    for _ in range(3):
        first.end_epoch(0)
    later = make_solver(solver, 3, np.float64, params, state=first.state())
    assert later.epoch == 3 and later.learning_rate == first.learning_rate
    # A new rate starts a new cycle.
    params["learning_rate_init"] = 0.2
    fresh = make_solver(solver, 3, np.float64, params, state=first.state())
    assert fresh.epoch == 0 and fresh.learning_rate == 0.2


def test_adaptive_schedule_divides_by_five_until_tiny():
    solver = SGD(3, np.float64, 0.1, "adaptive", momentum=0)
    assert solver.on_plateau() is False
    assert solver.learning_rate == pytest.approx(0.02)
    for _ in range(20):
        stop = solver.on_plateau()
    assert stop is True and solver.learning_rate <= 1e-6
    assert SGD(3, np.float64, 0.1, "constant").on_plateau() is True


def test_adaptive_schedule_trains_longer(iris):
    X, y = iris
    constant = BackpropClassifier(
        solver="sgd", learning_rate="constant", random_state=0, max_iter=2000
    ).fit(X, y)
    adaptive = BackpropClassifier(
        solver="sgd", learning_rate="adaptive", random_state=0, max_iter=2000
    ).fit(X, y)
    assert adaptive.n_iter_ > constant.n_iter_


def test_adam_step_matches_its_formula():
    params = np.array([1.0, -2.0])
    grad = np.array([0.5, 0.25])
    adam = Adam(2, np.float64, 0.1, beta_1=0.9, beta_2=0.999, epsilon=1e-8)
    adam.step(params, grad)
    m = 0.1 * grad
    v = 0.001 * grad**2
    step = 0.1 * np.sqrt(1 - 0.999) / (1 - 0.9) * m / (np.sqrt(v) + 1e-8)
    # The same few operations in a different order: 1e-12 relative.
    assert_allclose(params, [1.0, -2.0] - step, rtol=1e-12)


def test_regressor_solvers_fit_a_curve():
    X = np.linspace(-2, 2, 100).reshape(-1, 1)
    y = np.sin(2 * X.ravel())
    for solver in ("adam", "lbfgs"):
        reg = BackpropRegressor(
            hidden_layer_sizes=(20,),
            solver=solver,
            alpha=0,
            random_state=0,
            learning_rate_init=0.01,
            max_iter=2000,
        ).fit(X, y)
        assert reg.score(X, y) > 0.95, solver


def test_adams_default_schedule_levels_off_within_max_iter():
    # The default step (0.003, Adam) held constant is still creeping down at
    # max_iter on standardised breast cancer and warns; brought down along
    # the cosine ("auto" for Adam) the loss levels off and the fit stops on
    # its plateau first (154 epochs, seed 0), without a warning.
    # (the plain network, spline_knots=None, whose epochs these are)
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    with pytest.warns(ConvergenceWarning):
        BackpropClassifier(
            learning_rate="constant", random_state=0, spline_knots=None
        ).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf = BackpropClassifier(random_state=0, spline_knots=None).fit(X, y)
    assert clf.n_iter_ < clf.max_iter
    assert clf.score(X, y) > 0.98

"""Each training parameter changes what it says it changes."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from sklearn_backprop import BackpropClassifier, BackpropRegressor
from sklearn_backprop._activations import HIDDEN_UNITS

pytestmark = pytest.mark.usefixtures("no_convergence_warning")


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def fit(iris, **params):
    X, y = iris
    # The plain network, whose first layer's shape these tests count on.
    defaults = dict(
        hidden_layer_sizes=(8,), max_iter=5, random_state=0, tol=0, spline_knots=None
    )
    return BackpropClassifier(**{**defaults, **params}).fit(X, y)


def test_shuffle_changes_the_order_of_updates(iris):
    shuffled = fit(iris, batch_size=16, shuffle=True)
    ordered = fit(iris, batch_size=16, shuffle=False)
    again = fit(iris, batch_size=16, shuffle=True)
    assert not np.allclose(shuffled.coefs_[0], ordered.coefs_[0])
    assert_array_equal(shuffled.coefs_[0], again.coefs_[0])  # seeded


def test_batch_size_sets_the_number_of_updates(iris):
    # Adam counts its steps: one per batch.
    assert fit(iris, batch_size=None)._solver_state["t"] == 5
    assert fit(iris, batch_size=50)._solver_state["t"] == 15
    assert fit(iris, batch_size=40)._solver_state["t"] == 20  # last batch of 30
    # n_samples // 10 = 15 clipped to [32, 200]: 5 batches an epoch.
    assert fit(iris, batch_size="auto")._solver_state["t"] == 25
    assert fit(iris, batch_size=1000)._solver_state["t"] == 5  # clipped


def test_n_iter_no_change_and_tol_stop_training(iris):
    patient = fit(iris, max_iter=500, tol=0.01, n_iter_no_change=20)
    hasty = fit(iris, max_iter=500, tol=0.01, n_iter_no_change=2)
    assert hasty.n_iter_ < patient.n_iter_ < 500
    # With tol=0 only a loss that stops falling counts; adam keeps lowering it.
    assert fit(iris, max_iter=50, tol=0, n_iter_no_change=2).n_iter_ == 50
    assert fit(iris, max_iter=30, tol=0, n_iter_no_change=np.inf).n_iter_ == 30


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_convergence_warning_at_max_iter(iris, solver):
    X, y = iris
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        BackpropClassifier(solver=solver, max_iter=2).fit(X, y)


def test_convergence_warning_with_tol_zero_says_why(iris):
    # tol=0 runs a fixed number of epochs (the documents' setting): a larger
    # learning rate would not make it stop, so the warning must not say so.
    X, y = iris
    with pytest.warns(ConvergenceWarning) as record:
        BackpropClassifier(solver="sgd", max_iter=2, tol=0).fit(X, y)
    message = str(record[0].message)
    assert "tol=0" in message and "ran all 2 epochs" in message
    assert "learning_rate_init" not in message


def test_glorot_init_bounds_and_zero_biases(iris):
    clf = fit(
        iris,
        hidden_layer_sizes=(8,),
        init="glorot_uniform",
        max_iter=1,
        learning_rate_init=1e-12,
    )
    for coef, factor in zip(clf.coefs_, (2.0, 2.0), strict=True):
        bound = np.sqrt(factor / sum(coef.shape))
        assert np.abs(coef).max() <= bound
        assert np.abs(coef).max() > 0.5 * bound
    # init="auto" is glorot_uniform for units other than the logistic one.
    tanh = fit(iris, activation="tanh", max_iter=1, learning_rate_init=1e-12)
    assert np.abs(tanh.coefs_[0]).max() > np.sqrt(2.0 / 12)  # factor 6 for tanh
    # One epoch of a 1e-12 step leaves the zero biases within 1e-11.
    assert_allclose(np.concatenate(clf.intercepts_), 0, atol=1e-11)


@pytest.mark.parametrize("init", ["auto", "spread_uniform"])
def test_spread_init_bounds_and_biases(iris, init):
    # One epoch of a 1e-12 step leaves the drawn weights within 1e-11.
    clf = fit(
        iris,
        hidden_layer_sizes=(50, 40),
        init=init,
        max_iter=1,
        learning_rate_init=1e-12,
    )
    for coef, intercept in zip(clf.coefs_[:-1], clf.intercepts_[:-1], strict=True):
        bound = 2.0 * np.sqrt(3.0 / coef.shape[0])
        assert bound * 0.9 < np.abs(coef).max() <= bound + 1e-11
        assert 1.5 < np.abs(intercept).max() <= 2.0 + 1e-11
    output = clf.coefs_[-1]
    assert np.abs(output).max() <= np.sqrt(6.0 / sum(output.shape)) + 1e-11
    assert_allclose(clf.intercepts_[-1], 0, atol=1e-11)
    # On standardised X, a first-layer unit's weighted input has a standard
    # deviation near 2 (over 50 units of 4 weights each: within 25 %).
    assert 1.5 < (iris[0] @ clf.coefs_[0]).std() < 2.5


@pytest.mark.parametrize(
    "init, draw",
    [
        ("uniform", lambda rs, shape: 2 * rs.random_sample(shape) - 1),
        ("normal", lambda rs, shape: rs.standard_normal(shape)),
    ],
)
def test_init_draws_layer_by_layer_from_random_state(iris, init, draw):
    clf = fit(
        iris,
        init=init,
        max_iter=1,
        solver="sgd",
        learning_rate_init=1e-300,
        hidden_layer_sizes=(5, 6),
        random_state=3,
    )
    rs = np.random.RandomState(3)
    expected = [draw(rs, (4, 5)), draw(rs, (5, 6)), draw(rs, (6, 3))]
    for coef, ref in zip(clf.coefs_, expected, strict=True):
        assert_allclose(coef, ref, rtol=1e-12)  # a 1e-300 step changes nothing


def test_nesterov_and_heavy_ball_momentum_differ(iris):
    nesterov = fit(iris, solver="sgd", momentum=0.9, nesterovs_momentum=True)
    heavy = fit(iris, solver="sgd", momentum=0.9, nesterovs_momentum=False)
    assert not np.allclose(nesterov.coefs_[0], heavy.coefs_[0])


def test_learning_rate_init_scales_the_first_sgd_step(iris):
    X, y = iris
    moves = []
    for rate in (0.01, 0.02):
        clf = fit(
            iris,
            solver="sgd",
            momentum=0,
            learning_rate_init=rate,
            max_iter=1,
            batch_size=None,
        )
        start = fit(
            iris,
            solver="sgd",
            momentum=0,
            learning_rate_init=1e-300,
            max_iter=1,
            batch_size=None,
        )
        moves.append(clf.coefs_[0] - start.coefs_[0])
    # One full-batch step is linear in the rate. Each move is the difference
    # of two rounded weights, so besides the relative error it carries up to
    # an ulp of each weight: 2 eps |w| absolute.
    ulps = 2 * np.finfo(float).eps * np.abs(start.coefs_[0]).max()
    assert_allclose(moves[1], 2 * moves[0], rtol=1e-10, atol=2 * ulps)


@pytest.mark.parametrize("activation", HIDDEN_UNITS)
def test_every_hidden_activation_trains(iris, activation):
    X, y = iris
    clf = BackpropClassifier(
        (10,), activation=activation, solver="lbfgs", random_state=0
    ).fit(X, y)
    assert clf.score(X, y) > 0.9


def test_power_t_sets_the_invscaling_decay(iris):
    slow = fit(iris, solver="sgd", learning_rate="invscaling", power_t=0.1)
    fast = fit(iris, solver="sgd", learning_rate="invscaling", power_t=0.9)
    assert fast._solver_state["learning_rate"] < slow._solver_state["learning_rate"]


def test_t_counts_samples_and_n_iter_counts_epochs(iris):
    clf = fit(iris, max_iter=7)
    assert clf.n_iter_ == 7 and clf.t_ == 7 * 150 and len(clf.loss_curve_) == 7
    assert clf.loss_ == clf.loss_curve_[-1]
    assert clf.best_loss_ == min(clf.loss_curve_)


def test_regressor_max_iter_and_warm_start():
    X = np.linspace(0, 1, 30).reshape(-1, 1)
    reg = BackpropRegressor(max_iter=3, warm_start=True, tol=0, random_state=0)
    reg.fit(X, X.ravel())
    reg.fit(X, X.ravel())
    assert reg.n_iter_ == 3 and len(reg.loss_curve_) == 6


def test_warm_start_after_a_plateau_trains_again(iris):
    X, y = iris
    clf = BackpropClassifier(
        (8,), tol=0.5, n_iter_no_change=2, warm_start=True, max_iter=100, random_state=0
    ).fit(X, y)
    assert clf.n_iter_ < 100
    clf.fit(X, y)
    # The second fit counts its own plateau from its own best loss, as a new
    # run: its first epoch sets that best, then 3 epochs without a 0.5 drop;
    # carrying the first fit's count over would stop it after one epoch.
    assert clf.n_iter_ == 4

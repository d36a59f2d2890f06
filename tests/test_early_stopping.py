"""Early stopping, user-given validation sets, validation curves."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import make_classification, make_friedman1, make_regression
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split

from sklearn_backprop import BackpropClassifier, BackpropRegressor

pytestmark = pytest.mark.usefixtures("no_convergence_warning")


@pytest.fixture(scope="module")
def noisy():
    # Few samples, many features, label noise: training past the best epoch
    # overfits, so the best and the last weights differ.
    return make_classification(
        n_samples=200, n_features=40, n_informative=4, flip_y=0.2, random_state=0
    )


def test_early_stopping_restores_the_best_weights(noisy):
    X, y = noisy
    X_train, y_train, X_val, y_val = X[:150], y[:150], X[150:], y[150:]
    clf = BackpropClassifier(
        (50,),
        alpha=0,
        learning_rate_init=0.01,
        early_stopping=True,
        n_iter_no_change=20,
        random_state=0,
    ).fit(X_train, y_train, X_val=X_val, y_val=y_val)
    scores = np.array(clf.validation_scores_)
    assert clf.best_validation_score_ == scores.max()
    assert scores[-1] < scores.max()  # the last epoch was not the best
    # The kept model scores the best validation score, not the last one.
    assert accuracy_score(y_val, clf.predict(X_val)) == pytest.approx(scores.max())


def test_early_stopping_stops_before_max_iter(noisy):
    X, y = noisy
    clf = BackpropClassifier(
        early_stopping=True, max_iter=1000, learning_rate_init=0.01, random_state=0
    ).fit(X, y)
    assert clf.n_iter_ < 1000
    assert len(clf.validation_scores_) == clf.n_iter_


def test_validation_fraction_is_stratified(noisy):
    X, y = noisy
    y = np.where(np.arange(len(y)) < 20, 1, 0)  # 10% minority
    clf = BackpropClassifier(
        early_stopping=True, validation_fraction=0.1, max_iter=3, random_state=0
    ).fit(X, y)
    # 20 validation samples, stratified: 2 of the minority class, so the
    # held-out accuracy is a multiple of 1/20.
    assert clf.validation_scores_[0] * 20 == pytest.approx(
        round(clf.validation_scores_[0] * 20)
    )


def test_regressor_early_stopping_with_sample_weight():
    X, y = make_regression(n_samples=200, n_features=5, noise=5, random_state=0)
    reg = BackpropRegressor(early_stopping=True, random_state=0).fit(
        X, y, sample_weight=np.linspace(0.5, 1.5, 200)
    )
    assert reg.best_validation_score_ > 0.8


def test_lbfgs_ignores_early_stopping_and_keeps_all_data(noisy):
    X, y = noisy
    params = dict(solver="lbfgs", max_iter=20, random_state=0)
    with_flag = BackpropClassifier(early_stopping=True, **params).fit(X, y)
    without = BackpropClassifier(**params).fit(X, y)
    assert with_flag.validation_scores_ is None
    assert_allclose(with_flag.coefs_[0], without.coefs_[0])


def test_regressor_waits_long_enough_for_a_noisy_validation_score():
    # 300 training rows: early stopping is on ("auto") with 30 held-out
    # rows, whose R^2 is noisy. Waiting MLP's 10 epochs stops at the first
    # dip (31 epochs, held-out R^2 0.68); the regressor's default patience of
    # 50 reaches the schedule's small steps (200 epochs, 0.78). Measured on
    # make_friedman1 seeds 0-3: the longer wait never scored lower.
    X, y = make_friedman1(400, noise=1.0, random_state=3)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    patient = BackpropRegressor(random_state=0).fit(X_train, y_train)
    hasty = BackpropRegressor(random_state=0, n_iter_no_change=10)
    hasty.fit(X_train, y_train)
    assert patient.get_params()["n_iter_no_change"] == 50
    assert hasty.n_iter_ < 40 < patient.n_iter_
    assert patient.score(X_test, y_test) > hasty.score(X_test, y_test) + 0.05

"""The saturation diagnostic: ``saturation_`` and SaturationWarning after fit."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_iris, make_regression
from sklearn.preprocessing import StandardScaler

from sklearn_backprop import BackpropClassifier, BackpropRegressor, SaturationWarning
from sklearn_backprop._diagnostics import SATURATION_ROWS, hidden_saturation


@pytest.fixture
def scaled_iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


# The default classifier's step (0.003) leaves iris still improving after
# max_iter epochs: its ConvergenceWarning is not what these tests are about.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_scaled_data_stays_silent(scaled_iris):
    X, y = scaled_iris
    with warnings.catch_warnings():
        warnings.simplefilter("error", SaturationWarning)
        clf = BackpropClassifier(random_state=0).fit(X, y)
    assert clf.saturation_.shape == (1,)
    assert 0 <= clf.saturation_[0] < 0.5


def test_saturation_reached_by_training_stays_silent():
    # Standardised data, no penalty and a large step: training sharpens most
    # units into steps where the data wants them (0.65 of the activations
    # saturated, training accuracy 1.0). They started far from their limits
    # (spread initialisation on standardised X), so the saturation is the
    # fit's doing, not the inputs' scale: nothing to warn about.
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    clf = BackpropClassifier(alpha=0, learning_rate_init=0.1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", SaturationWarning)
        clf.fit(X, y)
    assert clf.saturation_[0] > 0.5
    assert clf.score(X, y) > 0.99


@pytest.mark.usefixtures("no_convergence_warning")  # five epochs on purpose
@pytest.mark.parametrize("estimator", [BackpropClassifier, BackpropRegressor])
def test_unscaled_data_saturates_and_warns(estimator):
    # Features in the thousands: every weighted input is hundreds of units
    # from 0, and every sigmoid sits at 0 or 1 from the first epoch on.
    X, y = make_regression(200, 5, random_state=0)
    X = 1000 * X
    if estimator is BackpropClassifier:
        y = y > 0
    match = "were before this fit trained them.*StandardScaler.*learning_rate_init"
    with pytest.warns(SaturationWarning, match=match):
        model = estimator(hidden_layer_sizes=(8, 6), max_iter=5, random_state=0)
        model.fit(X, y)
    assert model.saturation_.shape == (2,)
    assert model.saturation_[0] > 0.9


def test_saturation_counts_the_band_near_zero_and_one():
    # One input feature, unit weights, biases putting a unit's input at -10
    # (saturated), 0 (not) and 10 (saturated), for logistic and tanh: tanh
    # saturates at half the input, its band (2e-3) being the sigmoid's
    # stretched as tanh(z) = 2 * sigmoid(2 * z) - 1.
    X = np.zeros((4, 1))
    coefs = [np.ones((1, 3)), np.ones((3, 1))]
    intercepts = [np.array([-10.0, 0.0, 10.0]), np.zeros(1)]
    logistic = hidden_saturation(X, coefs, intercepts, "logistic", "identity")
    np.testing.assert_allclose(logistic, [2 / 3])
    intercepts[0] = np.array([-5.0, 0.0, 2.0])
    # tanh(5) is within 2e-3 of 1, tanh(2) (sigmoid(4)) is not.
    tanh = hidden_saturation(X, coefs, intercepts, "tanh", "identity")
    np.testing.assert_allclose(tanh, [1 / 3])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("activation", ["relu", "identity"])
def test_unbounded_units_are_not_measured(scaled_iris, activation):
    X, y = scaled_iris
    clf = BackpropClassifier((4, 3), activation=activation, random_state=0)
    saturation = clf.fit(X, y).saturation_
    assert saturation.shape == (2,) and np.isnan(saturation).all()


def test_no_hidden_layer_gives_an_empty_array(scaled_iris):
    X, y = scaled_iris
    clf = BackpropClassifier((), max_iter=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert clf.fit(X, y).saturation_.shape == (0,)


def test_large_data_is_subsampled():
    # More rows than the diagnostic reads: the share comes from evenly spaced
    # rows, within a few percent of the share over all rows (the rows are
    # exchangeable draws, so 1000 of them give the share to about 0.02).
    rng = np.random.RandomState(0)
    X = rng.normal(scale=3, size=(20 * SATURATION_ROWS, 2))
    coefs = [rng.normal(scale=2, size=(2, 50)), np.ones((50, 1))]
    intercepts = [np.zeros(50), np.zeros(1)]
    sampled = hidden_saturation(X, coefs, intercepts, "logistic", "identity")
    z = X @ coefs[0]
    exact = np.mean(np.abs(z) > np.log(1 / 1e-3 - 1))
    assert abs(sampled[0] - exact) < 0.02

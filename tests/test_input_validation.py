"""Bad input gets a ValueError that says what was wrong."""

import numpy as np
import pytest

from sklearn_backprop import BackpropClassifier, BackpropRegressor

ESTIMATORS = [BackpropClassifier, BackpropRegressor]
X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
Y = np.array([0, 1, 1, 0])


@pytest.mark.parametrize("estimator", ESTIMATORS)
@pytest.mark.parametrize(
    "X_bad, message",
    [
        (np.array([[np.nan, 1.0], [1, 0], [1, 1], [0, 0]]), "NaN"),
        (np.array([[np.inf, 1.0], [1, 0], [1, 1], [0, 0]]), "infinity"),
        (np.array([["a", "b"], ["c", "d"], ["e", "f"], ["g", "h"]]), "string"),
        (np.empty((0, 2)), "0 sample"),
        (np.array([0.0, 1.0, 1.0, 0.0]), "2D array"),
    ],
)
def test_bad_X(estimator, X_bad, message):
    with pytest.raises(ValueError, match=message):
        estimator(max_iter=2).fit(X_bad, Y)


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_bad_y(estimator):
    with pytest.raises(ValueError, match="NaN"):
        estimator(max_iter=2).fit(X, [0, np.nan, 1, 0])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        estimator(max_iter=2).fit(X, [0, 1, 1])


def test_classifier_rejects_continuous_targets():
    with pytest.raises(ValueError, match="Unknown label type"):
        BackpropClassifier().fit(X, [0.1, 0.7, 0.3, 2.5])


def test_regressor_rejects_string_targets():
    with pytest.raises(ValueError):
        BackpropRegressor().fit(X, ["a", "b", "c", "d"])


@pytest.mark.usefixtures("no_convergence_warning")
@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_wrong_number_of_features_at_predict(estimator):
    model = estimator(max_iter=2).fit(X, Y)
    with pytest.raises(ValueError, match="3 features, but .* is expecting 2"):
        model.predict(np.ones((2, 3)))


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_negative_or_misshaped_sample_weight(estimator):
    with pytest.raises(ValueError, match="Negative values"):
        estimator(max_iter=2).fit(X, Y, sample_weight=[1, -1, 1, 1])
    with pytest.raises(ValueError, match="sample_weight"):
        estimator(max_iter=2).fit(X, Y, sample_weight=[1, 1])


def test_partial_fit_with_different_features():
    clf = BackpropClassifier().partial_fit(X, Y, classes=[0, 1])
    with pytest.raises(ValueError, match="expecting 2 features"):
        clf.partial_fit(np.ones((2, 3)), [0, 1])


def test_early_stopping_needs_enough_samples():
    with pytest.raises(ValueError, match="validation"):
        BackpropRegressor(early_stopping=True).fit(X, Y.astype(float))


def test_partial_fit_rejects_early_stopping():
    with pytest.raises(ValueError, match="early_stopping"):
        BackpropRegressor(early_stopping=True).partial_fit(X, Y.astype(float))

"""Numerical trouble never passes silently; failed fits change nothing."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.datasets import load_iris, make_regression
from sklearn.exceptions import ConvergenceWarning

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
    assert all(vars(clf)[name] is value for name, value in state.items())


def test_divergence_after_early_stopping_keeps_the_best_epoch(
    diverging_after_early_stopping,
):
    reg, X, y = diverging_after_early_stopping
    with pytest.warns(ConvergenceWarning, match="diverged.*best epoch"):
        reg.fit(X, y)
    # As MLP (scikit-learn's test_mlp_diverging_loss): the non-finite score of
    # the diverged epoch is recorded, the model is the best epoch's.
    assert not np.isfinite(reg.validation_scores_[-1])
    assert not np.isfinite(reg.loss_curve_[-1])
    assert reg.best_validation_score_ == max(reg.validation_scores_[:-1]) > 0.75
    # (0.70 on all the data against 0.80 on the held-out tenth: a linear fit
    # stopped early; the diverged weights would score -inf.)
    assert reg.score(X, y) > 0.6
    assert np.isfinite(reg.predict(X)).all()


@pytest.mark.parametrize("estimator", [BackpropClassifier, BackpropRegressor])
def test_one_huge_step_is_caught_after_the_last_update(estimator):
    # One batch, one epoch: the loss is measured before the only update, so
    # only a check of the weights after it sees them overflow.
    X, y = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]), np.array([0, 1, 1])
    model = estimator(
        solver="sgd", learning_rate_init=1e300, batch_size=None, max_iter=1
    )
    with pytest.raises(ValueError, match="diverged: the weights overflowed"):
        model.fit(X, y)
    assert not hasattr(model, "coefs_")


def test_partial_fit_never_leaves_overflowed_weights():
    X, y = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]), np.array([0, 1, 1])
    clf = BackpropClassifier(solver="sgd", learning_rate_init=1e300, random_state=0)
    # The one step of this call takes the weights to ~1e298: past it, every
    # later call would overflow. The call fails instead, and changes nothing.
    with pytest.raises(ValueError, match="diverged"):
        clf.partial_fit(X, y, classes=[0, 1])
    assert not hasattr(clf, "coefs_")
    # A trained model meets the same step: it is refused and the model stays
    # usable, training on once the rate is sane again.
    clf.set_params(learning_rate_init=0.01).partial_fit(X, y, classes=[0, 1])
    coefs = [c.copy() for c in clf.coefs_]
    with pytest.raises(ValueError, match="diverged"):
        clf.set_params(learning_rate_init=1e300).partial_fit(X, y)
    for old, new in zip(coefs, clf.coefs_, strict=True):
        assert_array_equal(old, new)
    clf.set_params(learning_rate_init=0.01).partial_fit(X, y)
    assert clf.n_iter_ == 2 and np.isfinite(clf.predict_proba(X)).all()


def test_lbfgs_divergence_does_not_blame_a_learning_rate():
    X, y = make_regression(n_samples=50, n_features=3, random_state=0)
    reg = BackpropRegressor(solver="lbfgs", activation="relu", random_state=0)
    with pytest.raises(ValueError, match="L-BFGS has no learning rate") as error:
        reg.fit(X * 1e200, y)
    assert "learning_rate_init" not in str(error.value)


def test_overflowing_validation_rows_keep_the_model_and_say_why():
    # One validation row near float64's max overflows relu units; the
    # training data are fine, so the model is kept, with a warning.
    X, y = make_regression(n_samples=200, n_features=5, noise=1, random_state=0)
    X_val, y_val = X[:20].copy(), y[:20]
    X_val[0] = 1e308
    # First monitored only (early_stopping="auto" would stop on it), then
    # with early stopping, which has no finite epoch to keep.
    reg = BackpropRegressor(
        hidden_layer_sizes=(10,),
        activation="relu",
        max_iter=100,
        random_state=0,
        early_stopping=False,
    )
    # (Such a row also lies far from X: fit says that first.)
    with pytest.warns(UserWarning, match="X_val lies far from X"):
        with pytest.warns(UserWarning, match="validation set overflowed"):
            reg.fit(X, y, X_val=X_val, y_val=y_val)
    assert not np.isfinite(reg.validation_scores_).any()
    assert reg.score(X, y) > 0.9
    reg.set_params(early_stopping=True)
    with pytest.warns(UserWarning, match="X_val lies far from X"):
        with pytest.raises(ValueError, match="No epoch gave a finite validation"):
            reg.fit(X, y, X_val=X_val, y_val=y_val)


@pytest.mark.parametrize("method", ["predict", "predict_proba"])
def test_outputs_that_overflow_are_never_returned_silently(method):
    # Finite X near float64's max overflows relu units and the softmax gives
    # nan, which predict would have answered as the first class.
    X, y = load_iris(return_X_y=True)
    clf = BackpropClassifier((4,), activation="relu", max_iter=20, random_state=0)
    clf.fit(X, y)
    X_new = np.array([X[0], [1.7e308] * 4])
    with pytest.raises(ValueError, match="overflowed for 1 of 2 samples.*row 1"):
        getattr(clf, method)(X_new)
    assert np.isfinite(clf.predict_proba(X_new[:1])).all()


def test_regressor_outputs_that_overflow_are_not_returned():
    X, y = make_regression(n_samples=50, n_features=2, random_state=0)
    reg = BackpropRegressor(activation="relu", max_iter=20, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="overflowed"):
        reg.predict([[1e308, 1e308]])


def test_lbfgs_that_overflowed_on_its_way_says_so():
    # Unscaled float32 X, Poisson loss, relu: the first weights give a loss of
    # 4e22; L-BFGS's first trial step overflows, and it "converges" where it
    # started, predicting 8e24 for targets near 2. That must not pass
    # silently.
    rng = np.random.RandomState(0)
    X = (rng.rand(100, 4) * 100).astype(np.float32)
    y = rng.poisson(2, 100).astype(float)
    reg = BackpropRegressor(
        loss="poisson",
        activation="relu",
        solver="lbfgs",
        hidden_layer_sizes=(10,),
        random_state=1,
    )
    with pytest.warns(ConvergenceWarning, match="The loss overflowed at 1 of 3"):
        reg.fit(X, y)

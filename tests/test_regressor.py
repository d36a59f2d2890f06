"""Regression targets: single and multi-output, target scaling, Poisson."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import load_diabetes, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import r2_score
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_backprop import BackpropRegressor

pytestmark = pytest.mark.usefixtures("no_convergence_warning")


def test_identity_output_single_target():
    X, y = make_regression(n_samples=200, n_features=5, noise=1.0, random_state=0)
    reg = BackpropRegressor(random_state=0).fit(X, y)
    assert reg.out_activation_ == "identity"
    assert reg.predict(X).shape == (200,)
    assert reg.score(X, y) > 0.95


def test_multi_output():
    X, Y = make_regression(n_samples=200, n_features=5, n_targets=3, random_state=0)
    reg = BackpropRegressor(random_state=0).fit(X, Y)
    assert reg.n_outputs_ == 3
    assert reg.predict(X).shape == (200, 3)
    assert reg.score(X, Y) > 0.95


def test_diabetes_out_of_the_box():
    # The target: R^2 >= 0.45 where MLPRegressor's defaults give -1.03.
    X, y = load_diabetes(return_X_y=True)
    model = make_pipeline(StandardScaler(), BackpropRegressor(random_state=0))
    assert cross_val_score(model, X, y, cv=5).mean() >= 0.45


def test_scale_target_is_what_makes_unscaled_targets_train():
    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    scaled = BackpropRegressor(random_state=0, max_iter=10).fit(X, y)
    raw = BackpropRegressor(scale_target=False, random_state=0, max_iter=10).fit(X, y)
    assert scaled.score(X, y) > 0.4
    # 10 epochs (140 adam steps of 0.01) cannot reach a mean of 152.
    assert raw.score(X, y) < 0.0


def test_scale_target_predictions_are_in_target_units():
    X = np.linspace(0, 1, 40).reshape(-1, 1)
    y = 1e4 + 50 * X.ravel()
    reg = BackpropRegressor(
        hidden_layer_sizes=(), activation="identity", solver="lbfgs", alpha=0, tol=1e-10
    ).fit(X, y)
    # A linear model fits a line exactly; lbfgs converges to ~1e-9 relative.
    assert_allclose(reg.predict(X), y, rtol=1e-8)


def test_scale_target_uses_sample_weight():
    X = np.zeros((4, 1))
    y = np.array([0.0, 0.0, 10.0, 10.0])
    reg = BackpropRegressor(hidden_layer_sizes=(), solver="lbfgs", alpha=0).fit(
        X, y, sample_weight=[1, 1, 3, 3]
    )
    # With a constant input the model predicts the weighted mean, 7.5.
    assert_allclose(reg.predict(X[:1]), [7.5], rtol=1e-6)


def test_poisson_loss_uses_exponential_unit():
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(400, 2))
    y = rng.poisson(np.exp(1 + X[:, 0] - X[:, 1]))
    reg = BackpropRegressor(loss="poisson", random_state=0).fit(X, y)
    assert reg.out_activation_ == "exp"
    pred = reg.predict(X)
    assert np.all(pred > 0)
    assert r2_score(np.exp(1 + X[:, 0] - X[:, 1]), pred) > 0.8


def test_poisson_rejects_negative_targets():
    with pytest.raises(ValueError, match="non-negative"):
        BackpropRegressor(loss="poisson").fit([[0.0], [1.0]], [1.0, -1.0])


def test_partial_fit_scales_the_targets_by_every_call():
    # The scaling follows the statistics of every target seen, as
    # StandardScaler.partial_fit would compute them.
    X, y = make_regression(n_samples=100, n_features=3, random_state=0)
    y = y + 100
    reg = BackpropRegressor(random_state=0).partial_fit(X[:1], y[:1])
    reg.partial_fit(X[1:40], y[1:40])
    reg.partial_fit(X[40:], y[40:])
    scaler = StandardScaler().fit(y.reshape(-1, 1))
    # (different summation orders: a few ulps)
    assert_allclose(reg._y_offset, scaler.mean_, rtol=1e-12)
    assert_allclose(reg._y_scale, scaler.scale_, rtol=1e-12)
    with pytest.raises(ValueError, match="outputs"):
        reg.partial_fit(X, np.c_[y, y])


@pytest.mark.parametrize(
    "params",
    [
        dict(),
        dict(fit_intercept=False),
        dict(loss="poisson"),
        dict(loss="poisson", fit_intercept=False),
    ],
)
def test_a_scaling_update_keeps_the_predictions(params):
    # The output layer follows the new scaling: a call whose step cannot move
    # the weights (learning_rate_init=1e-300) leaves the predictions as they
    # were, whatever the scaling did.
    X, y = make_regression(n_samples=60, n_features=3, random_state=0)
    y = np.abs(y) + 1
    reg = BackpropRegressor(hidden_layer_sizes=(5,), random_state=0, **params)
    reg.partial_fit(X[:2], y[:2])
    before = reg.predict(X)
    reg.set_params(learning_rate_init=1e-300).partial_fit(X[2:], y[2:])
    # the rescaled output layer's rounding: a few ulps of the outputs
    assert_allclose(reg.predict(X), before, rtol=1e-12)


def test_a_first_partial_fit_of_one_row_does_not_freeze_the_scaling():
    # One row has no spread: a scaling fitted on it alone (scale 1) kept the
    # targets of later calls in the hundreds, and 300 calls reached R^2 < 0.3
    # where a first call of 10 rows reached 0.98.
    X, y = make_regression(3000, 5, noise=1, random_state=0)
    y = y + 100
    reg = BackpropRegressor(hidden_layer_sizes=(16,), random_state=0)
    reg.partial_fit(X[:1], y[:1])
    for start in range(0, 3000, 10):
        reg.partial_fit(X[start : start + 10], y[start : start + 10])
    assert reg.score(X, y) > 0.95


def linear_problem(dtype):
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, (200, 2))
    return X.astype(dtype), X @ [3.0, -2.0]


def fit_linear(X, y):
    # A linear network fitted by L-BFGS: it finds the line to within its
    # gradient tolerance.
    reg = BackpropRegressor(
        hidden_layer_sizes=(),
        activation="identity",
        solver="lbfgs",
        alpha=0,
        random_state=0,
    )
    return reg.fit(X, y)


def test_float32_model_decodes_in_the_precision_of_the_targets():
    X, signal = linear_problem(np.float32)
    y = 1e8 + signal  # float64 targets: the signal is below float32's last bit
    pred = fit_linear(X, y).predict(X)
    assert pred.dtype == np.float64
    # Decoded in float32, 1e8 + signal takes a handful of values (R^2 0.65).
    assert r2_score(y, pred) > 0.999
    # Targets beyond float32's range decode to finite values too.
    y = 1e50 * signal
    pred = fit_linear(X, y).predict(X)
    assert np.isfinite(pred).all()
    # (L-BFGS stops at tol=1e-4 on the gradient: ~2e-4 relative here.)
    assert_allclose(pred / 1e50, signal, atol=1e-3 * np.abs(signal).max())


@pytest.mark.parametrize("size", [1e160, 1e300])
def test_huge_targets_are_scaled_without_overflow(size):
    X, signal = linear_problem(np.float64)
    pred = fit_linear(X, signal * size).predict(X)
    # (r2_score itself overflows on such targets: compare in units of size.)
    assert np.isfinite(pred).all()
    # (as above, L-BFGS's tolerance: ~1e-4 relative)
    assert_allclose(pred / size, signal, atol=1e-3 * np.abs(signal).max())


def test_targets_overflowing_the_networks_dtype_are_refused():
    X, signal = linear_problem(np.float32)
    reg = BackpropRegressor(scale_target=False)
    with pytest.raises(ValueError, match="targets overflow float32.*scale_target"):
        reg.fit(X, 1e50 * signal)  # beyond float32's range, unscaled


def test_a_warm_start_to_the_poisson_loss_scales_the_targets_for_it():
    # The standardised targets kept from a squared-error fit are negative
    # below the mean: the Poisson loss diverged on them, and the error blamed
    # learning_rate_init. A changed loss gets the scaling it needs.
    rng = np.random.RandomState(0)
    X = rng.randn(200, 4)
    y = rng.poisson(np.exp(X[:, 0]) * 3).astype(float)
    reg = BackpropRegressor(
        hidden_layer_sizes=(5,), max_iter=50, warm_start=True, random_state=0
    )
    with pytest.warns(ConvergenceWarning):
        reg.fit(X, y)
        reg.set_params(loss="poisson").fit(X, y)
    assert_allclose(reg._y_offset, 0)
    assert_allclose(reg._y_scale, y.mean())
    assert reg.score(X, y) > 0.5


def test_partial_fit_after_scale_target_is_switched_off_keeps_the_predictions():
    X, y = make_regression(n_samples=60, n_features=3, random_state=0)
    reg = BackpropRegressor(hidden_layer_sizes=(5,), random_state=0)
    reg.partial_fit(X, y)
    before = reg.predict(X)
    reg.set_params(scale_target=False, learning_rate_init=1e-300).partial_fit(X, y)
    assert_allclose(reg._y_scale, 1)
    # the rescaled output layer's rounding: a few ulps of the outputs
    assert_allclose(reg.predict(X), before, rtol=1e-12)

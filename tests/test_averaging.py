"""``n_networks``: several networks trained in one fit, averaged into one."""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import config_context
from sklearn.base import clone
from sklearn.datasets import make_classification, make_regression
from sklearn.utils._array_api import move_to
from sklearn.utils._testing import _array_api_for_tests

from sklearn_backprop import BackpropClassifier, BackpropRegressor, _fast
from sklearn_backprop._averaging import average_histories, average_weights
from sklearn_backprop._training import History

X_CLF, Y_CLF = make_classification(
    n_samples=150, n_features=6, n_informative=4, n_classes=3, random_state=0
)
X_REG, Y_REG = make_regression(n_samples=250, n_features=6, noise=5, random_state=0)
# Short fits on small data: they stop at max_iter, which is not what is tested.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
# The plain network (no spline features): these tests count its weights.
SHORT = dict(hidden_layer_sizes=(8, 5), max_iter=30, random_state=0, spline_knots=None)


def _seeded(seed):
    return {**SHORT, "random_state": seed}


def _copy_with_weights(model, coefs, intercepts):
    new = pickle.loads(pickle.dumps(model))
    new.coefs_, new.intercepts_ = coefs, intercepts
    return new


@pytest.mark.parametrize(
    "estimator, X, y",
    [(BackpropClassifier, X_CLF, Y_CLF), (BackpropRegressor, X_REG, Y_REG)],
)
def test_the_first_network_is_the_single_fit(estimator, X, y):
    # The random state is drawn from in turn: the first network is drawn and
    # trained exactly as with n_networks=1 (the regressor with early stopping
    # on its held-out tenth, which all networks share).
    one = estimator(**SHORT).fit(X, y)
    three = estimator(n_networks=3, **SHORT).fit(X, y)
    assert [c.shape for c in three.coefs_] == [(6, 24), (24, 15), (15, one.n_outputs_)]
    assert_array_equal(three.coefs_[0][:, :8], one.coefs_[0])
    assert_array_equal(three.coefs_[1][:8, :5], one.coefs_[1])
    assert_array_equal(three.intercepts_[0][:8], one.intercepts_[0])
    # Between two networks' units, no weight.
    assert not three.coefs_[1][:8, 5:].any() and not three.coefs_[1][8:, :5].any()
    # The output layer: the first network's weights, divided by three.
    assert_allclose(3 * three.coefs_[2][:5], one.coefs_[2], rtol=1e-15)
    # Another network is another draw.
    assert not np.allclose(three.coefs_[0][:, 8:16], one.coefs_[0])


def test_a_classifier_averages_the_networks_logits():
    members = [
        BackpropClassifier(**_seeded(seed)).fit(X_CLF, Y_CLF) for seed in range(3)
    ]
    averaged = _copy_with_weights(
        members[0],
        *average_weights([m.coefs_ for m in members], [m.intercepts_ for m in members]),
    )
    # The normalised geometric mean of the probabilities is the softmax of
    # the mean logits: log p = z - logsumexp(z), the row's constant cancels.
    log_mean = np.mean([np.log(m.predict_proba(X_CLF)) for m in members], axis=0)
    expected = np.exp(log_mean - log_mean.max(axis=1, keepdims=True))
    expected /= expected.sum(axis=1, keepdims=True)
    # Rounding of float64 logs and exponentials only.
    assert_allclose(averaged.predict_proba(X_CLF), expected, rtol=1e-10)


@pytest.mark.parametrize("hidden", [(7,), (6, 4), ()])
def test_a_regressor_predicts_the_networks_mean(hidden):
    params = dict(hidden_layer_sizes=hidden, max_iter=20, early_stopping=False)
    members = [
        BackpropRegressor(random_state=seed, **params).fit(X_REG, Y_REG)
        for seed in range(3)
    ]
    averaged = _copy_with_weights(
        members[0],
        *average_weights([m.coefs_ for m in members], [m.intercepts_ for m in members]),
    )
    expected = np.mean([m.predict(X_REG) for m in members], axis=0)
    # The same sums in another order: float64 rounding of outputs in the
    # hundreds.
    assert_allclose(averaged.predict(X_REG), expected, rtol=1e-12)


def test_the_curves_are_the_networks_means():
    histories = [
        History(loss_curve=[3.0, 2.0, 1.0], n_iter=3, t=30),
        History(loss_curve=[5.0, 4.0], n_iter=2, t=20),
    ]
    for history, scores in zip(histories, ([0.1, 0.5, 0.4], [0.3, 0.2]), strict=True):
        history.validation_scores = scores
        history.validation_loss_curve = [1 - s for s in scores]
        history.validation_epochs = list(range(1, len(scores) + 1))
    merged = average_histories(histories)
    # The second network stopped after two epochs: its last value counts on.
    assert merged.loss_curve == [4.0, 3.0, 2.5]
    assert merged.best_loss == 2.5
    assert merged.n_iter == 3 and merged.t == 50
    assert merged.validation_scores == pytest.approx([0.2, 0.35, 0.3])
    assert merged.best_validation_score == pytest.approx(0.35)
    assert merged.validation_epochs == [1, 2, 3]


def test_averaging_scores_better_than_one_network():
    # Held-out log-loss, where the averaged probabilities pay off (the mean
    # of several networks' log-probabilities is never worse than their mean
    # log-loss, and different draws make it better).
    X, y = make_classification(
        n_samples=600, n_features=10, n_informative=5, flip_y=0.1, random_state=1
    )
    train, test = slice(0, 400), slice(400, None)
    losses = []
    for n in (1, 3):
        model = BackpropClassifier(n_networks=n, random_state=0).fit(X[train], y[train])
        proba = model.predict_proba(X[test])
        losses.append(-np.mean(np.log(proba[np.arange(200), y[test]])))
    assert losses[1] < losses[0]


def test_compiled_and_numpy_engines_agree():
    if _fast.kernel is None:
        pytest.skip("the compiled loop was not built")
    fitted = []
    for engine in ("numpy", "compiled"):
        with _fast.engine(engine):
            fitted.append(BackpropClassifier(n_networks=2, **SHORT).fit(X_CLF, Y_CLF))
    reference, compiled = fitted
    # As tests/test_compiled.py: the same updates, summed in another order.
    for expected, actual in zip(
        reference.coefs_ + reference.intercepts_,
        compiled.coefs_ + compiled.intercepts_,
        strict=True,
    ):
        assert_allclose(actual, expected, rtol=0, atol=1e-10 * np.abs(expected).max())
    assert reference.n_iter_ == compiled.n_iter_


@pytest.mark.parametrize("device_name", [None, "device1"])
def test_an_array_api_fit_matches_numpys(device_name):
    pytest.importorskip("array_api_strict")
    xp, dev = _array_api_for_tests("array_api_strict", device_name, "float64")
    model = BackpropRegressor(n_networks=2, **SHORT)
    reference = clone(model).fit(X_REG, Y_REG)
    with config_context(array_api_dispatch=True):
        on_device = clone(model).fit(
            xp.asarray(X_REG, device=dev), xp.asarray(Y_REG, device=dev)
        )
        assert on_device.coefs_[0].device == xp.asarray(X_REG, device=dev).device
    for expected, actual in zip(reference.coefs_, on_device.coefs_, strict=True):
        actual = move_to(actual, xp=np, device="cpu")
        # tests/test_array_api.py's tolerance: BLAS rounding, grown in training.
        assert np.linalg.norm(actual - expected) <= 1e-12 * np.linalg.norm(expected)


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_warm_start_and_partial_fit_train_the_averaged_network(solver):
    model = BackpropClassifier(n_networks=2, solver=solver, **SHORT).fit(X_CLF, Y_CLF)
    shapes = [c.shape for c in model.coefs_]
    model.set_params(warm_start=True, max_iter=3).fit(X_CLF, Y_CLF)
    assert [c.shape for c in model.coefs_] == shapes
    assert model.n_iter_ == 3
    if solver == "adam":
        model.partial_fit(X_CLF, Y_CLF)
        assert [c.shape for c in model.coefs_] == shapes
    # A new fit from scratch averages again, whatever was fitted before.
    model.set_params(warm_start=False, n_networks=3).fit(X_CLF, Y_CLF)
    assert model.coefs_[0].shape == (6, 24)


def test_partial_fit_from_scratch_averages_then_continues():
    model = BackpropRegressor(n_networks=2, **SHORT)
    model.partial_fit(X_REG, Y_REG)
    assert model.coefs_[0].shape == (6, 16)
    before = [c.copy() for c in model.coefs_]
    model.partial_fit(X_REG, Y_REG)
    assert model.coefs_[0].shape == (6, 16)
    assert not np.array_equal(model.coefs_[0], before[0])
    assert model.n_iter_ == 2


def test_a_pickled_average_predicts_and_continues_the_same():
    model = BackpropClassifier(n_networks=2, **SHORT).fit(X_CLF, Y_CLF)
    loaded = pickle.loads(pickle.dumps(model))
    assert_array_equal(loaded.predict_proba(X_CLF), model.predict_proba(X_CLF))
    for fitted in (model, loaded):
        fitted.set_params(warm_start=True, max_iter=2).fit(X_CLF, Y_CLF)
    assert_array_equal(loaded.coefs_[0], model.coefs_[0])


def test_verbose_says_which_network_trains(capsys):
    BackpropClassifier(n_networks=2, verbose=True, **SHORT).fit(X_CLF, Y_CLF)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "network=1/2"
    assert "network=2/2" in out
    assert sum(line.startswith("stopped=") for line in out) == 2


def test_callbacks_are_refused_and_the_model_kept():
    callback = pytest.importorskip("sklearn.callback")
    model = BackpropClassifier(**SHORT).fit(X_CLF, Y_CLF)
    fitted = model.coefs_[0].copy()
    model.set_params(n_networks=2).set_callbacks(callback.ProgressBar())
    with pytest.raises(ValueError, match="Set n_networks=1 to use callbacks"):
        model.fit(X_CLF, Y_CLF)
    assert_array_equal(model.coefs_[0], fitted)


@pytest.mark.parametrize("given", [False, True])
def test_each_network_holds_out_its_own_part(monkeypatch, given):
    # As networks of different random_state would: each network trains on
    # its own nine tenths and stops on its own tenth. A validation set given
    # to fit is every network's.
    held_out = []
    split = BackpropRegressor._validation_split

    def spy(self, *args):
        data = split(self, *args)
        held_out.append(data[3].X)
        return data

    monkeypatch.setattr(BackpropRegressor, "_validation_split", spy)
    model = BackpropRegressor(n_networks=3, early_stopping=True, **SHORT)
    if given:
        model.fit(X_REG[:200], Y_REG[:200], X_val=X_REG[200:], y_val=Y_REG[200:])
        assert len(held_out) == 1
    else:
        model.fit(X_REG, Y_REG)
        assert len(held_out) == 3
        assert not np.array_equal(held_out[0], held_out[1])
        assert not np.array_equal(held_out[1], held_out[2])
        assert all(part.shape == (25, 6) for part in held_out)


@pytest.mark.parametrize("n_call", [25, 27])
def test_ctrl_c_averages_the_networks_trained_so_far(interrupt_gradient, n_call):
    # Ctrl-C is simulated in the NumPy engine's gradient (as in
    # tests/test_interrupt.py). Five batches of 32 rows an epoch, four epochs
    # a network: the 25th call is the last of the second network's first
    # epoch (which then has no loss to record), the 27th in its second.
    interrupt_gradient(n_call)
    model = BackpropClassifier(n_networks=3, **{**SHORT, "max_iter": 4})
    with _fast.engine("numpy"), pytest.warns(UserWarning, match="interrupted by user"):
        model.fit(X_CLF, Y_CLF)
    # Two networks, the second as it was; the third never began.
    assert model.coefs_[0].shape == (6, 16)
    assert model.n_iter_ == 4

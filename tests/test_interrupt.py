"""Ctrl-C during a fit keeps the work done so far, as MLP does."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.datasets import load_iris
from sklearn.preprocessing import StandardScaler

from sklearn_backprop import BackpropClassifier, BackpropRegressor, _fast

pytestmark = pytest.mark.usefixtures("no_convergence_warning")


@pytest.fixture(autouse=True)
def numpy_engine():
    """Ctrl-C is simulated in the NumPy engine's gradient, which the compiled
    loop does not call (tests/test_compiled.py interrupts that one)."""
    with _fast.engine("numpy"):
        yield


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def interrupted_call(method, *args, **kwargs):
    """``method(*args, **kwargs)``, which must warn of the interrupt and keep
    the model rather than let the interrupt escape."""
    with pytest.warns(UserWarning, match="Training interrupted by user"):
        try:
            return method(*args, **kwargs)
        except KeyboardInterrupt:
            pytest.fail("the interrupt escaped: the trained weights were lost")


@pytest.mark.parametrize("early_stopping", [False, True])
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_interrupt_keeps_the_epochs_trained_so_far(
    iris, interrupt_gradient, solver, early_stopping
):
    X, y = iris
    # One batch per epoch: the 31st gradient is the first of epoch 31, so an
    # interrupted fit has trained exactly 30 epochs, as a fit with max_iter=30.
    # tol=0 and a long patience: early stopping never stops these fits. A
    # constant step: Adam's cosine schedule would differ with max_iter.
    params = dict(
        learning_rate="constant",
        hidden_layer_sizes=(5,),
        solver=solver,
        batch_size=None,
        early_stopping=early_stopping,
        tol=0,
        n_iter_no_change=1000,
        random_state=0,
    )
    expected = BackpropClassifier(**params, max_iter=30).fit(X, y)
    interrupt_gradient(31)
    clf = interrupted_call(BackpropClassifier(**params, max_iter=1000).fit, X, y)
    # Under early stopping both keep the best of the same 30 epochs.
    for got, want in zip(
        clf.coefs_ + clf.intercepts_,
        expected.coefs_ + expected.intercepts_,
        strict=True,
    ):
        assert_array_equal(got, want)
    assert clf.n_iter_ == 30 and clf.t_ == expected.t_
    assert clf.loss_curve_ == expected.loss_curve_
    assert clf.validation_scores_ == expected.validation_scores_
    assert clf.best_validation_score_ == expected.best_validation_score_
    assert_array_equal(clf.predict(X), expected.predict(X))


def test_interrupt_keeps_the_last_lbfgs_iterate(iris, interrupt_gradient):
    X, y = iris
    interrupt_gradient(20)
    reg = BackpropRegressor(
        hidden_layer_sizes=(5,), solver="lbfgs", max_iter=1000, random_state=0
    )
    reg = interrupted_call(reg.fit, X, y)
    assert 0 < reg.n_iter_ == len(reg.loss_curve_) < 20
    assert reg.score(X, y) > 0.5  # trained, not the initial weights


def test_interrupt_in_partial_fit_keeps_the_earlier_calls(iris, interrupt_gradient):
    X, y = iris
    clf = BackpropClassifier((5,), solver="sgd", batch_size=50, random_state=0)
    for _ in range(3):
        clf.partial_fit(X, y, classes=[0, 1, 2])
    before = clf.loss_curve_.copy()
    interrupt_gradient(2)  # after the first batch of the fourth call
    interrupted_call(clf.partial_fit, X, y)
    assert clf.loss_curve_ == before and clf.n_iter_ == 3
    assert np.isfinite(clf.predict_proba(X)).all()


class InterruptedWrapUp:
    """A scikit-learn callback that is interrupted (Ctrl-C) at the
    ``n_call``-th end of a ``task``: the root task "fit" ends once, after
    training; L-BFGS's iteration tasks end once per iteration, then once more
    for the empty task begun after the last one, when training has ended."""

    def __init__(self, task, n_call):
        self.task, self.n_call, self.calls = task, n_call, 0

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context, **kwargs):
        pass

    def on_fit_task_end(self, estimator, context, **kwargs):
        self.calls += context.task_name == self.task
        if context.task_name == self.task and self.calls == self.n_call:
            raise KeyboardInterrupt


@pytest.mark.parametrize(
    "solver, task, n_call",
    [("adam", "fit", 1), ("lbfgs", "fit", 1), ("lbfgs", "iteration", 6)],
)
def test_interrupt_while_callbacks_end_the_fit_keeps_the_model(
    iris, solver, task, n_call
):
    # Every epoch is trained when the callbacks wrap up: Ctrl-C then must not
    # roll the estimator back to unfitted.
    pytest.importorskip("sklearn.callback", reason="scikit-learn < 1.9")
    X, y = iris
    params = dict(hidden_layer_sizes=(5,), solver=solver, max_iter=5, random_state=0)
    expected = BackpropClassifier(**params).fit(X, y)
    assert expected.n_iter_ == 5  # (L-BFGS: 5 iterations, then the empty task)
    clf = BackpropClassifier(**params).set_callbacks(InterruptedWrapUp(task, n_call))
    with pytest.warns(UserWarning, match="after it ended"):
        try:
            clf.fit(X, y)
        except KeyboardInterrupt:
            pytest.fail("the interrupt escaped: the trained model was lost")
    assert clf.n_iter_ == expected.n_iter_
    for got, want in zip(clf.coefs_, expected.coefs_, strict=True):
        assert_array_equal(got, want)

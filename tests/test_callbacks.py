"""scikit-learn's callback API (sklearn.callback, 1.9+): one task per epoch,
scoring on the validation set, stopping, snapshots, propagation."""

import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.datasets import load_iris, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_backprop import BackpropClassifier, BackpropRegressor, _fast

callback = pytest.importorskip("sklearn.callback", reason="scikit-learn < 1.9")
pytestmark = pytest.mark.usefixtures("no_convergence_warning")


class Recorder:
    """Records every hook call; ``stop_after`` epochs, it asks to stop."""

    def __init__(self, stop_after=None, snapshots=False):
        self.stop_after, self.snapshots = stop_after, snapshots
        self.events, self.fitted = [], []

    def setup(self, estimator, context):
        self.events.append(("setup", context.task_name))

    def teardown(self, estimator, context):
        self.events.append(("teardown", context.task_name))

    def on_fit_task_begin(self, estimator, context, *, X=None, y=None, metadata=None):
        self.events.append(("begin", context.estimator_name, context.task_name))

    def on_fit_task_end(
        self,
        estimator,
        context,
        *,
        X=None,
        y=None,
        metadata=None,
        fitted_estimator=None,
    ):
        self.events.append(("end", context.estimator_name, context.task_name))
        if context.task_name in ("epoch", "iteration") and X is not None:
            if self.snapshots:
                self.fitted.append(fitted_estimator)
            ended = sum(
                e[0] == "end" and e[2] == context.task_name for e in self.events
            )
            return self.stop_after is not None and ended >= self.stop_after
        return False

    def count(self, kind, task_name):
        return sum(e[0] == kind and e[-1] == task_name for e in self.events)


class PropagatedRecorder(Recorder):
    """Auto-propagated: set on a meta-estimator, it reaches ours."""

    max_propagation_depth = None


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    rows = np.random.RandomState(0).permutation(len(y))
    return X[rows[:100]], y[rows[:100]], X[rows[100:]], y[rows[100:]]


@pytest.mark.parametrize("estimator", [BackpropClassifier, BackpropRegressor])
def test_set_callbacks_returns_self_and_is_not_a_parameter(estimator):
    recorder = Recorder()
    model = estimator()
    assert model.set_callbacks(recorder) is model
    assert "callbacks" not in model.get_params()
    with pytest.raises(TypeError, match="FitCallback protocol"):
        model.set_callbacks(object())


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_one_task_per_epoch(iris, solver):
    X, y, _, _ = iris
    recorder = Recorder()
    clf = BackpropClassifier(solver=solver, max_iter=7, tol=0, random_state=0)
    clf.set_callbacks(recorder).fit(X, y)
    assert clf.n_iter_ == 7
    assert recorder.count("begin", "epoch") == recorder.count("end", "epoch") == 7
    assert recorder.count("begin", "fit") == recorder.count("end", "fit") == 1
    assert recorder.events[0] == ("setup", "fit")
    assert recorder.events[-1] == ("teardown", "fit")


def test_lbfgs_one_task_per_iteration(iris):
    X, y, _, _ = iris
    recorder = Recorder()
    clf = BackpropClassifier(solver="lbfgs", max_iter=6, random_state=0)
    clf.set_callbacks(recorder).fit(X, y)
    # Every iteration is a task; the one begun after the last iteration never
    # ran and ends empty (X=None), as in scikit-learn's LogisticRegression.
    assert recorder.count("begin", "iteration") == clf.n_iter_ + 1
    assert recorder.count("end", "iteration") == clf.n_iter_ + 1


def test_partial_fit_is_one_task_of_one_epoch(iris):
    X, y, _, _ = iris
    recorder = Recorder()
    clf = BackpropClassifier(random_state=0).set_callbacks(recorder)
    for _ in range(3):
        clf.partial_fit(X, y, classes=[0, 1, 2])
    assert recorder.count("begin", "fit") == recorder.count("setup", "fit") == 3
    assert recorder.count("end", "epoch") == 3


def test_scoring_monitor_scores_the_validation_set(iris):
    X, y, X_val, y_val = iris
    monitor = callback.ScoringMonitor(scoring="accuracy")
    clf = BackpropClassifier(max_iter=8, tol=0, random_state=0).set_callbacks(monitor)
    clf.fit(X, y, X_val=X_val, y_val=y_val)
    rows = [row for row in monitor.get_logs().data if row["task_name"] == "epoch"]
    assert_allclose([row["accuracy"] for row in rows], clf.validation_scores_)


def test_scoring_monitor_uses_sample_weight_val():
    X, y = make_regression(n_samples=80, n_features=3, noise=10, random_state=0)
    sw_val = np.linspace(0.0, 3.0, 30)
    monitor = callback.ScoringMonitor(scoring="r2")
    reg = BackpropRegressor(max_iter=5, tol=0, random_state=0).set_callbacks(monitor)
    reg.fit(X[:50], y[:50], X_val=X[50:], y_val=y[50:], sample_weight_val=sw_val)
    rows = [row for row in monitor.get_logs().data if row["task_name"] == "epoch"]
    assert_allclose([row["r2"] for row in rows], reg.validation_scores_)


def test_scoring_monitor_scores_the_early_stopping_fraction(iris):
    X, y, _, _ = iris
    monitor = callback.ScoringMonitor(scoring="accuracy")
    clf = BackpropClassifier(early_stopping=True, max_iter=6, tol=0, random_state=0)
    clf.set_callbacks(monitor).fit(X, y)
    rows = [row for row in monitor.get_logs().data if row["task_name"] == "epoch"]
    assert_allclose([row["accuracy"] for row in rows], clf.validation_scores_)


@pytest.mark.parametrize("validation", ["given", "early_stopping", "none"])
def test_scoring_monitor_scores_raw_frames(validation):
    """A model that preprocesses a raw frame predicts from raw frames: the
    callbacks get the features as given (the held-out rows of the frame for
    early stopping), and score what validation_scores_ holds."""
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    X = pd.DataFrame(
        {"x": rng.normal(scale=100, size=120), "c": rng.choice(["a", "b"], 120)}
    )
    y = ((X["x"] > 0) ^ (X["c"] == "a")).astype(int)
    monitor = callback.ScoringMonitor(scoring="accuracy")
    clf = BackpropClassifier(
        max_iter=6, tol=0, early_stopping=validation == "early_stopping"
    )
    clf.set_params(random_state=0).set_callbacks(monitor)
    if validation == "given":
        clf.fit(X[:80], y[:80], X_val=X[80:], y_val=y[80:])
    else:
        clf.fit(X, y)
    assert clf.preprocessor_ is not None
    rows = [row for row in monitor.get_logs().data if row["task_name"] == "epoch"]
    if validation == "none":
        assert rows[-1]["accuracy"] == clf.score(X, y)
    else:
        assert_allclose([row["accuracy"] for row in rows], clf.validation_scores_)


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_a_callback_may_stop_training(iris, solver, capsys):
    X, y, _, _ = iris
    clf = BackpropClassifier(solver=solver, max_iter=50, tol=0, verbose=True)
    clf.set_callbacks(Recorder(stop_after=3))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf.fit(X, y)
    assert clf.n_iter_ == 3
    assert len(clf.loss_curve_) == 3
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("stopped=callback n_iter=3 ")


@pytest.mark.parametrize("engine", ["numpy", "compiled"])
def test_snapshots_rebuild_the_model_of_each_epoch(iris, engine):
    X, y, X_val, y_val = iris
    # A constant step: the cosine schedule's steps depend on max_iter, so a
    # fit of max_iter=epoch would not retrace the first epochs of this one.
    params = dict(max_iter=5, tol=0, random_state=0, learning_rate="constant")
    recorder = Recorder(snapshots=True)
    clf = BackpropClassifier(**params).set_callbacks(recorder)
    with _fast.engine(engine):
        clf.fit(X, y, X_val=X_val, y_val=y_val)
    assert len(recorder.fitted) == 5
    for epoch, snapshot in enumerate(recorder.fitted, start=1):
        # The model as if fit had stopped after this epoch: what a fit with
        # max_iter=epoch gives, bit for bit (same arithmetic, same order, so
        # the same engine; the compiled loop hands each epoch of a fit with
        # callbacks back to Python, and runs one without them whole).
        with _fast.engine(engine):
            short = BackpropClassifier(**{**params, "max_iter": epoch}).fit(X, y)
        assert snapshot is not clf
        assert snapshot.n_iter_ == epoch
        assert_allclose(snapshot.predict_proba(X_val), short.predict_proba(X_val))
        assert snapshot.loss_curve_ == short.loss_curve_
    # The last snapshot is the fitted model; the snapshots share no weights.
    assert_allclose(recorder.fitted[-1].coefs_[0], clf.coefs_[0])
    assert recorder.fitted[0].coefs_[0] is not recorder.fitted[1].coefs_[0]


def test_lbfgs_snapshots_follow_the_iterations(iris):
    X, y, X_val, _ = iris
    recorder = Recorder(snapshots=True)
    clf = BackpropClassifier(solver="lbfgs", max_iter=10, random_state=0)
    clf.set_callbacks(recorder).fit(X, y)
    snapshots = [s for s in recorder.fitted if s is not None]
    assert len(snapshots) == clf.n_iter_
    assert_allclose(snapshots[-1].predict_proba(X_val), clf.predict_proba(X_val))
    assert not np.allclose(snapshots[0].coefs_[0], clf.coefs_[0])


def test_callbacks_reach_the_estimator_in_a_pipeline(iris):
    X, y, _, _ = iris
    recorder = PropagatedRecorder()
    pipe = make_pipeline(StandardScaler(), BackpropClassifier(max_iter=4, tol=0))
    pipe.set_callbacks(recorder).fit(X, y)
    assert recorder.count("end", "epoch") == 4
    ours = [e for e in recorder.events if e[1] == "BackpropClassifier"]
    assert ours[0] == ("begin", "BackpropClassifier", "fit")
    # Propagated callbacks are removed again after the fit.
    assert not hasattr(pipe[-1], "_skl_callbacks")


def test_callbacks_reach_the_estimators_in_a_grid_search(iris):
    X, y, _, _ = iris
    recorder = PropagatedRecorder()
    search = GridSearchCV(
        BackpropClassifier(max_iter=3, tol=0), {"alpha": [1e-4, 1e-2]}, cv=2
    )
    search.set_callbacks(recorder).fit(X, y)
    # 2 candidates x 2 folds + the refit, 3 epochs each.
    assert recorder.count("end", "epoch") == (2 * 2 + 1) * 3


def test_progress_bar_during_fit_partial_fit_and_search(iris):
    pytest.importorskip("rich")
    X, y, _, _ = iris
    bar = callback.ProgressBar
    BackpropClassifier(max_iter=3).set_callbacks(bar()).fit(X, y)
    BackpropRegressor(max_iter=3, solver="lbfgs").set_callbacks(bar()).fit(X, y)
    BackpropClassifier().set_callbacks(bar()).partial_fit(X, y, classes=[0, 1, 2])
    pipe = make_pipeline(StandardScaler(), BackpropClassifier(max_iter=3))
    pipe.set_callbacks(bar()).fit(X, y)
    pipe = make_pipeline(StandardScaler(), BackpropClassifier(max_iter=3))
    search = GridSearchCV(pipe, {"backpropclassifier__alpha": [1e-4, 1e-2]}, cv=2)
    search.set_callbacks(bar(max_propagation_depth=None)).fit(X, y)
    assert search.best_estimator_[-1].n_iter_ == 3


def test_a_failing_callback_leaves_the_model_as_it_was(iris):
    X, y, _, _ = iris

    class Failing(Recorder):
        def on_fit_task_end(self, estimator, context, **kwargs):
            super().on_fit_task_end(estimator, context, **kwargs)
            if context.task_name == "epoch":
                raise RuntimeError("callback failed")

    clf = BackpropClassifier(max_iter=3, random_state=0).fit(X, y)
    coefs = clf.coefs_[0].copy()
    failing = Failing()
    clf.set_callbacks(failing)
    with pytest.raises(RuntimeError, match="callback failed"):
        clf.fit(X[:50], y[:50])
    assert_allclose(clf.coefs_[0], coefs)
    assert clf.n_iter_ == 3
    # The callbacks were still torn down, and remain set.
    assert failing.events[-1] == ("teardown", "fit")
    assert clf._skl_callbacks == [failing]
    assert not hasattr(clf, "_callback_fit_ctx")


def test_verbose_and_callbacks_see_the_same_epochs(iris, capsys):
    X, y, _, _ = iris
    recorder = Recorder()
    clf = BackpropClassifier(max_iter=4, tol=0, verbose=True, random_state=0)
    clf.set_callbacks(recorder).fit(X, y)
    lines = capsys.readouterr().out.strip().splitlines()
    assert sum(line.startswith("epoch=") for line in lines) == 4
    assert recorder.count("end", "epoch") == 4


def test_clone_keeps_the_callbacks():
    # scikit-learn's clone shares callbacks by reference.
    recorder = Recorder()
    clf = BackpropClassifier().set_callbacks(recorder)
    assert clone(clf)._skl_callbacks == [recorder]


def test_everything_works_without_sklearn_callback():
    # scikit-learn 1.6-1.8 have no sklearn.callback: hide it from this package
    # (scikit-learn's own modules, imported first, keep theirs).
    code = textwrap.dedent(
        """
        import sys
        import sklearn.base, sklearn.compose, sklearn.impute, sklearn.pipeline
        import sklearn.preprocessing
        import sklearn.model_selection
        hidden = sys.modules.pop("sklearn.callback")
        sys.modules["sklearn.callback"] = None
        import sklearn_backprop
        from sklearn_backprop import _callbacks
        sys.modules["sklearn.callback"] = hidden
        assert not _callbacks.CALLBACKS_AVAILABLE
        import numpy as np
        from sklearn_backprop import BackpropClassifier
        X = np.random.RandomState(0).normal(size=(60, 3))
        y = (X[:, 0] > 0).astype(int)
        # max_iter=20 ends the fit at max_iter, not on a plateau whose count
        # the next partial_fit would carry on (and report as stopped=tol).
        clf = BackpropClassifier(max_iter=20, verbose=True, random_state=0)
        clf.fit(X[:40], y[:40], X_val=X[40:], y_val=y[40:])
        clf.partial_fit(X, y)
        assert not hasattr(clf, "set_callbacks")
        assert len(clf.validation_scores_) == clf.n_iter_ - 1
        print("score", clf.score(X, y))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[-1].startswith("score ")
    assert lines[-2].startswith("stopped=partial_fit ")
    assert any(line.startswith("stopped=") for line in lines[:-2])

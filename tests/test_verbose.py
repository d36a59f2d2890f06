"""verbose prints one parseable line per epoch, and a last line saying why
training stopped."""

import re

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sklearn_backprop import BackpropClassifier, BackpropRegressor, _fast
from sklearn_backprop._network import Network

pytestmark = pytest.mark.usefixtures("no_convergence_warning")
LINE = re.compile(
    r"^epoch=(\d+) loss=([0-9.e+-]+)"
    r"(?: validation_loss=([0-9.e+-]+) validation_score=([0-9.e+-]+))?"
    r" time=([0-9.]+)s$"
)
LAST_LINE = re.compile(r"^stopped=(\w+) n_iter=(\d+) (.+)$")


@pytest.fixture(scope="module")
def data():
    X = np.random.RandomState(0).normal(size=(40, 3))
    return X, (X[:, 0] > 0).astype(int)


def _lines(capsys):
    return capsys.readouterr().out.strip().splitlines()


def test_one_line_per_epoch(capsys, data):
    X, y = data
    clf = BackpropClassifier(verbose=True, max_iter=4, tol=0)
    clf.fit(X, y, X_val=X, y_val=y)
    *lines, last = _lines(capsys)
    assert len(lines) == 4
    for epoch, line in enumerate(lines, start=1):
        match = LINE.match(line)
        assert match, line
        assert int(match[1]) == epoch
        assert float(match[2]) == pytest.approx(clf.loss_curve_[epoch - 1])
        assert float(match[4]) == pytest.approx(clf.validation_scores_[epoch - 1])
    assert LAST_LINE.match(last).groups()[:2] == ("max_iter", "4")


@pytest.mark.parametrize(
    "params, reason",
    [
        (dict(max_iter=3), "max_iter"),
        (dict(max_iter=500, tol=1e-2, n_iter_no_change=2), "tol"),
        (dict(max_iter=500, early_stopping=True, n_iter_no_change=2), "early_stopping"),
        (dict(solver="lbfgs", max_iter=500), "lbfgs"),
        (dict(solver="lbfgs", max_iter=2), "max_iter"),
        (dict(solver="lbfgs", max_iter=500, max_fun=3), "max_fun"),
    ],
)
def test_last_line_says_why_training_stopped(capsys, data, params, reason):
    X, y = data
    clf = BackpropClassifier(verbose=True, random_state=0, **params).fit(X, y)
    *epochs, last = _lines(capsys)
    match = LAST_LINE.match(last)
    assert match, last
    assert match[1] == reason
    assert int(match[2]) == clf.n_iter_
    assert all(LINE.match(line) for line in epochs)
    if reason == "early_stopping":
        assert "validation score did not improve" in match[3]
    if reason == "tol":
        assert "training loss did not improve by tol=0.01" in match[3]


def test_partial_fit_says_one_epoch(capsys, data):
    X, y = data
    BackpropRegressor(verbose=True).partial_fit(X, y.astype(float))
    epoch, last = _lines(capsys)
    assert LINE.match(epoch)
    assert LAST_LINE.match(last)[1] == "partial_fit"


def test_silent_by_default(capsys):
    BackpropClassifier(max_iter=2).fit([[0.0], [1.0]], [0, 1])
    assert capsys.readouterr().out == ""


def test_last_line_after_an_interrupt(capsys, data, monkeypatch):
    X, y = data
    original, calls = Network.loss_and_gradient, []

    def interrupted(self, *args, **kwargs):
        # Ctrl-C at the 6th gradient: 5 epochs of one batch were trained.
        calls.append(1)
        if len(calls) == 6:
            raise KeyboardInterrupt
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Network, "loss_and_gradient", interrupted)
    clf = BackpropClassifier(verbose=True, batch_size=None, max_iter=50, tol=0)
    # (The compiled loop does not call the NumPy engine's gradient.)
    with _fast.engine("numpy"), pytest.warns(UserWarning, match="interrupted"):
        clf.fit(X, y)
    match = LAST_LINE.match(_lines(capsys)[-1])
    assert match.groups()[:2] == ("interrupted", "5")


def test_last_line_after_a_divergence_that_kept_the_best_epoch(
    capsys, diverging_after_early_stopping
):
    reg, X, y = diverging_after_early_stopping
    reg.set_params(verbose=True)
    with pytest.warns(ConvergenceWarning, match="diverged"):
        reg.fit(X, y)
    match = LAST_LINE.match(_lines(capsys)[-1])
    assert match[1] == "diverged" and "best epoch" in match[3]


def test_a_fit_without_validation_prints_no_earlier_validation(capsys, data):
    # A warm fit or partial_fit without X_val measured no validation loss or
    # score: its lines must not repeat those the earlier fit measured.
    X, y = data
    clf = BackpropClassifier(verbose=True, max_iter=2, tol=0, warm_start=True)
    clf.fit(X, y, X_val=X, y_val=y)
    assert all("validation" in line for line in _lines(capsys)[:-1])
    clf.fit(X, y)
    clf.partial_fit(X, y)
    lines = [line for line in _lines(capsys) if line.startswith("epoch=")]
    assert [LINE.match(line)[1] for line in lines] == ["3", "4", "5"]
    assert not any("validation" in line for line in lines)

"""Training events: one listener path for verbose and callbacks, replayable
from a recorded history."""

import re

import numpy as np
import pytest

from sklearn_backprop import BackpropClassifier
from sklearn_backprop._training import (
    History,
    Listener,
    VerboseListener,
    replay_epochs,
)

pytestmark = pytest.mark.usefixtures("no_convergence_warning")
TIME = re.compile(r" time=[0-9.]+s$")


@pytest.fixture(scope="module")
def data():
    X = np.random.RandomState(0).normal(size=(60, 3))
    return X, (X[:, 0] + X[:, 1] > 0).astype(int)


def _epoch_lines(text):
    return [TIME.sub("", line) for line in text.splitlines() if line.startswith("ep")]


def test_replaying_the_history_repeats_the_live_lines(capsys, data):
    X, y = data
    clf = BackpropClassifier(verbose=True, max_iter=6, tol=0, random_state=0)
    clf.fit(X[:40], y[:40], X_val=X[40:], y_val=y[40:])
    live = _epoch_lines(capsys.readouterr().out)
    history = History(
        loss_curve=clf.loss_curve_,
        validation_scores=clf.validation_scores_,
        validation_loss_curve=clf.validation_loss_curve_,
    )
    replay_epochs([VerboseListener()], history, 1, [0.0] * 6)
    assert _epoch_lines(capsys.readouterr().out) == live
    # Part of a run: epochs 4 to 6 only.
    replay_epochs([VerboseListener()], history, 4, [0.0] * 3)
    assert _epoch_lines(capsys.readouterr().out) == live[3:]


def test_replay_needs_one_time_per_epoch():
    history = History(loss_curve=[1.0, 0.5])
    with pytest.raises(ValueError):
        replay_epochs([Listener()], history, 1, [0.0])


def test_verbose_after_a_warm_start_that_adds_a_validation_set(capsys, data):
    X, y = data
    clf = BackpropClassifier(
        verbose=True, warm_start=True, max_iter=3, tol=0, random_state=0
    )
    clf.fit(X, y)
    clf.fit(X[:40], y[:40], X_val=X[40:], y_val=y[40:])
    lines = _epoch_lines(capsys.readouterr().out)
    assert [line.split()[0] for line in lines] == [f"epoch={k}" for k in range(1, 7)]
    assert all("validation_score" not in line for line in lines[:3])
    for line, score in zip(lines[3:], clf.validation_scores_, strict=True):
        assert f"validation_score={score:.8f}" in line

"""Training events: one listener path for verbose and callbacks."""

import re

import numpy as np
import pytest

from sklearn_backprop import BackpropClassifier

pytestmark = pytest.mark.usefixtures("no_convergence_warning")
TIME = re.compile(r" time=[0-9.]+s$")


@pytest.fixture(scope="module")
def data():
    X = np.random.RandomState(0).normal(size=(60, 3))
    return X, (X[:, 0] + X[:, 1] > 0).astype(int)


def _epoch_lines(text):
    return [TIME.sub("", line) for line in text.splitlines() if line.startswith("ep")]


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

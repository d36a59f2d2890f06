"""verbose prints one parseable line per epoch."""

import re

import numpy as np
import pytest

from sklearn_backprop import BackpropClassifier

pytestmark = pytest.mark.usefixtures("no_convergence_warning")
LINE = re.compile(
    r"^epoch=(\d+) loss=([0-9.e+-]+)"
    r"(?: validation_loss=([0-9.e+-]+) validation_score=([0-9.e+-]+))?"
    r" time=([0-9.]+)s$"
)


def test_one_line_per_epoch(capsys):
    X = np.random.RandomState(0).normal(size=(40, 3))
    y = (X[:, 0] > 0).astype(int)
    clf = BackpropClassifier(verbose=True, max_iter=4, tol=0).fit(X, y, eval_set=(X, y))
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 4
    for epoch, line in enumerate(lines, start=1):
        match = LINE.match(line)
        assert match, line
        assert int(match[1]) == epoch
        assert float(match[2]) == pytest.approx(clf.loss_curve_[epoch - 1])
        assert float(match[4]) == pytest.approx(clf.validation_scores_[epoch - 1])


def test_silent_by_default(capsys):
    BackpropClassifier(max_iter=2).fit([[0.0], [1.0]], [0, 1])
    assert capsys.readouterr().out == ""

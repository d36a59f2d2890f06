"""LossCurveDisplay: what it draws, from which estimators, and its errors."""

import subprocess
import sys

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.datasets import load_diabetes, load_iris
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_backprop import BackpropClassifier, BackpropRegressor, LossCurveDisplay

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)

X_IRIS, Y_IRIS = load_iris(return_X_y=True)
X_IRIS = StandardScaler().fit_transform(X_IRIS)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def fitted(estimator, X=X_IRIS, y=Y_IRIS, **fit_params):
    """A short fit: the display only needs curves of a few epochs."""
    return estimator.fit(X, y, **fit_params)


def labels(display):
    return [line.get_label() for line in display.lines_]


@pytest.mark.usefixtures("no_convergence_warning")
def test_training_loss_only():
    clf = fitted(BackpropClassifier(max_iter=5, random_state=0))
    display = LossCurveDisplay.from_estimator(clf)
    assert labels(display) == ["BackpropClassifier: training loss"]
    assert display.score_ax_ is None
    assert display.ax_.get_xlabel() == "Epoch"
    assert display.figure_ is display.ax_.figure
    x, y = display.lines_[0].get_data()
    # Epochs are counted from 1, one point per recorded epoch.
    assert_array_equal(x, np.arange(1, 6))
    assert_array_equal(y, clf.loss_curve_)


@pytest.mark.usefixtures("no_convergence_warning")
def test_validation_curves_on_a_secondary_axis():
    clf = fitted(BackpropClassifier(max_iter=8, early_stopping=True, random_state=0))
    display = LossCurveDisplay.from_estimator(clf)
    assert labels(display) == [
        "BackpropClassifier: training loss",
        "BackpropClassifier: validation loss",
        "BackpropClassifier: validation score",
    ]
    assert display.score_ax_ is not None and display.score_ax_ is not display.ax_
    # The two losses and the mark of the epoch early stopping kept.
    assert len(display.ax_.get_lines()) == 3
    assert display.score_ax_.get_lines() == [display.lines_[2]]
    assert_array_equal(display.lines_[1].get_ydata(), clf.validation_loss_curve_)
    assert_array_equal(display.lines_[2].get_ydata(), clf.validation_scores_)
    # One colour for the estimator, one line style per curve.
    assert len({line.get_color() for line in display.lines_}) == 1
    assert len({line.get_linestyle() for line in display.lines_}) == 3
    legend = display.score_ax_.get_legend()
    # The lines of the loss axes (with the mark), then the score's.
    kept = display.best_epoch_line_.get_label()
    expected = labels(display)[:2] + [kept] + labels(display)[2:]
    assert [text.get_text() for text in legend.get_texts()] == expected


@pytest.mark.usefixtures("no_convergence_warning")
def test_pipeline_uses_its_last_step():
    model = make_pipeline(
        StandardScaler(), BackpropClassifier(solver="lbfgs", max_iter=5, random_state=0)
    )
    model.fit(X_IRIS, Y_IRIS)
    display = LossCurveDisplay.from_estimator(model, name="scaled")
    assert labels(display) == ["scaled: training loss"]
    assert_array_equal(display.lines_[0].get_ydata(), model[-1].loss_curve_)


@pytest.mark.usefixtures("no_convergence_warning")
@pytest.mark.parametrize("search", [GridSearchCV, RandomizedSearchCV])
def test_search_uses_its_best_estimator(search):
    # A search over a pipeline: its best estimator's last step is drawn.
    model = make_pipeline(
        StandardScaler(), BackpropClassifier(max_iter=5, random_state=0)
    )
    grid = {"backpropclassifier__alpha": [1e-4, 1e-1]}
    kwargs = {"n_iter": 2, "random_state": 0} if search is RandomizedSearchCV else {}
    fitted = search(model, grid, cv=2, **kwargs).fit(X_IRIS, Y_IRIS)
    display = LossCurveDisplay.from_estimator(fitted)
    assert labels(display) == ["BackpropClassifier: training loss"]
    assert_array_equal(
        display.lines_[0].get_ydata(), fitted.best_estimator_[-1].loss_curve_
    )


@pytest.mark.usefixtures("no_convergence_warning")
def test_search_without_refit_says_what_to_do():
    search = GridSearchCV(
        BackpropClassifier(max_iter=2, random_state=0),
        {"alpha": [1e-4, 1e-1]},
        cv=2,
        refit=False,
    )
    with pytest.raises(NotFittedError):
        LossCurveDisplay.from_estimator(search)
    search.fit(X_IRIS, Y_IRIS)
    with pytest.raises(ValueError, match="fitted with refit=False.*refit=True"):
        LossCurveDisplay.from_estimator(search)


# (matplotlib alone ticks 3 epochs at 0.75, 1.25, ... and 20 at 2.5, 7.5, ...)
@pytest.mark.parametrize("n_epochs", [3, 20, 40])
def test_epochs_are_ticked_at_whole_numbers(n_epochs):
    display = LossCurveDisplay(np.linspace(1, 0.1, n_epochs)).plot()
    display.figure_.canvas.draw()
    ticks = display.ax_.get_xticks()
    assert len(ticks) >= 2
    assert_array_equal(ticks, np.round(ticks))


@pytest.mark.parametrize("with_scores", [False, True])
@pytest.mark.parametrize("figsize", [(6.4, 4.8), (3, 2)])
def test_legend_covers_no_curve_label_or_title(with_scores, figsize):
    # Curves that fill the axes: no place inside would be free of them.
    falling, rising = np.linspace(1, 0, 20), np.linspace(0, 1, 20)
    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    display = LossCurveDisplay(
        falling,
        validation_loss_curve=rising,
        validation_scores=falling if with_scores else None,
    ).plot(ax)
    ax.set_title("a title, set after plot")
    display.figure_.canvas.draw()
    renderer = display.figure_.canvas.get_renderer()
    legend = (display.score_ax_ or ax).get_legend().get_window_extent(renderer)
    # Below the axes, their tick labels and the epoch label ...
    assert legend.y1 <= ax.get_window_extent(renderer).y0
    assert legend.y1 <= ax.xaxis.get_tightbbox(renderer).y0
    # ... so clear of the title, and inside the figure.
    assert not legend.overlaps(ax.title.get_window_extent(renderer))
    assert legend.y0 >= display.figure_.bbox.y0


@pytest.mark.parametrize("name", ["", "adam, early stopping"])
def test_legend_fits_the_width_of_a_default_figure(name):
    # Long labels go in one column, short ones in two.
    display = LossCurveDisplay(
        [1.0, 0.5, 0.3],
        validation_loss_curve=[1.1, 0.6, 0.4],
        validation_scores=[0.5, 0.7, 0.8],
        best_epoch=2,
        estimator_name=name,
    ).plot()
    display.figure_.canvas.draw()
    legend = display.score_ax_.get_legend()
    box = legend.get_window_extent(display.figure_.canvas.get_renderer())
    assert display.figure_.bbox.x0 <= box.x0 and box.x1 <= display.figure_.bbox.x1


@pytest.mark.usefixtures("no_convergence_warning")
@pytest.mark.parametrize("cls", [BackpropClassifier, MLPClassifier])
def test_epoch_kept_by_early_stopping_is_marked(cls):
    clf = fitted(
        cls(early_stopping=True, n_iter_no_change=3, max_iter=100, random_state=0)
    )
    display = LossCurveDisplay.from_estimator(clf)
    (epoch,) = set(display.best_epoch_line_.get_xdata())
    # The first epoch with the best validation score, before the last epoch.
    scores = list(clf.validation_scores_)
    assert epoch == scores.index(clf.best_validation_score_) + 1 < clf.n_iter_
    assert (
        display.best_epoch_line_.get_label() == f"{cls.__name__}: kept epoch ({epoch})"
    )
    assert display.best_epoch_line_ in display.ax_.get_lines()


@pytest.mark.usefixtures("no_convergence_warning")
def test_kept_epoch_of_a_validation_set_that_joined_later():
    # Five epochs without validation, then a warm fit with early stopping:
    # its epochs are 6, 7, ..., and the mark goes where the kept one was.
    clf = BackpropClassifier(max_iter=5, tol=0, random_state=0, warm_start=True)
    clf.fit(X_IRIS, Y_IRIS)
    clf.set_params(early_stopping=True, n_iter_no_change=3, max_iter=100)
    clf.fit(X_IRIS, Y_IRIS)
    display = LossCurveDisplay.from_estimator(clf)
    (epoch,) = set(display.best_epoch_line_.get_xdata())
    kept = clf.validation_scores_.index(clf.best_validation_score_)
    assert epoch == clf.validation_epochs_[kept] > 5


@pytest.mark.usefixtures("no_convergence_warning")
def test_no_mark_without_early_stopping():
    # With a validation set but no early stopping, the last epoch is kept.
    clf = fitted(
        BackpropClassifier(max_iter=4, random_state=0), X_val=X_IRIS, y_val=Y_IRIS
    )
    display = LossCurveDisplay.from_estimator(clf)
    assert display.best_epoch_line_ is None
    assert len(display.ax_.get_lines()) == 2


@pytest.mark.usefixtures("no_convergence_warning")
def test_regressor_with_validation_data():
    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    reg = BackpropRegressor(max_iter=6, random_state=0)
    reg.fit(X[:300], y[:300], X_val=X[300:], y_val=y[300:])
    display = LossCurveDisplay.from_estimator(reg)
    assert len(display.lines_) == 3
    assert_array_equal(display.lines_[2].get_ydata(), reg.validation_scores_)


@pytest.mark.parametrize(
    "estimator",
    [BackpropClassifier(), make_pipeline(StandardScaler(), BackpropClassifier())],
    ids=["estimator", "pipeline"],
)
def test_not_fitted_raises(estimator):
    with pytest.raises(NotFittedError):
        LossCurveDisplay.from_estimator(estimator)


def test_estimator_without_loss_curve_raises():
    clf = LogisticRegression().fit(X_IRIS, Y_IRIS)
    with pytest.raises(AttributeError, match="LogisticRegression has no loss_curve_"):
        LossCurveDisplay.from_estimator(clf)


@pytest.mark.usefixtures("no_convergence_warning")
def test_scikit_learn_mlp_is_drawn_too():
    # scikit-learn's MLP records loss_curve_ and validation_scores_ but no
    # validation_loss_curve_: the display draws what there is.
    clf = fitted(MLPClassifier(max_iter=5, early_stopping=True, random_state=0))
    display = LossCurveDisplay.from_estimator(clf)
    assert labels(display) == [
        "MLPClassifier: training loss",
        "MLPClassifier: validation score",
    ]


def test_several_displays_share_axes_and_one_legend():
    _, ax = plt.subplots()
    first = LossCurveDisplay(
        [0.5, 0.3], validation_loss_curve=[0.6, 0.4], validation_scores=[0.7, 0.8]
    ).plot(ax, name="sgd")
    second = LossCurveDisplay(
        [0.5, 0.2], validation_loss_curve=[0.6, 0.3], validation_scores=[0.7, 0.9]
    ).plot(ax, name="adam", score_ax=first.score_ax_)
    assert second.ax_ is ax and second.score_ax_ is first.score_ax_
    assert len(ax.get_lines()) == 4
    assert len(first.score_ax_.get_lines()) == 2
    # Each estimator keeps its own colour.
    assert first.lines_[0].get_color() != second.lines_[0].get_color()
    # The first display's legend was replaced by one listing all six lines.
    assert ax.get_legend() is None
    texts = [t.get_text() for t in first.score_ax_.get_legend().get_texts()]
    assert sorted(texts) == sorted(labels(first) + labels(second))


def test_plot_keywords_and_constructor():
    display = LossCurveDisplay([3.0, 2.0, 1.0], estimator_name="net")
    assert display.loss_curve == [3.0, 2.0, 1.0]
    assert display.validation_loss_curve is None
    assert display.validation_scores is None
    display.plot(loss_kw={"color": "black", "label": "mine"})
    assert labels(display) == ["mine"]
    assert display.lines_[0].get_color() == "black"
    # name given to plot wins over estimator_name
    assert labels(display.plot(name="other")) == ["other: training loss"]


def test_no_name_gives_plain_labels():
    display = LossCurveDisplay([1.0, 0.5], validation_scores=[0.5, 0.6]).plot()
    assert labels(display) == ["training loss", "validation score"]


@pytest.mark.usefixtures("no_convergence_warning")
def test_empty_name_overrides_the_class_name():
    clf = fitted(BackpropClassifier(max_iter=2, random_state=0))
    display = LossCurveDisplay.from_estimator(clf, name="")
    assert labels(display) == ["training loss"]


def test_missing_matplotlib_says_so(monkeypatch):
    # A None entry in sys.modules makes `import matplotlib` raise ImportError.
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match="LossCurveDisplay.plot requires matplotlib"):
        LossCurveDisplay([1.0]).plot()


def test_importing_the_package_does_not_import_matplotlib():
    code = "import sys, sklearn_backprop; print('matplotlib' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


@pytest.mark.usefixtures("no_convergence_warning")
@pytest.mark.parametrize("first", ["warm fit", "partial_fit"])
def test_a_validation_set_that_joined_later_is_drawn_where_measured(first):
    # Five epochs without a validation set, then a warm fit of four with one:
    # the validation curves belong at epochs 6 to 9, not 1 to 4.
    clf = BackpropClassifier(max_iter=5, tol=0, random_state=0, warm_start=True)
    if first == "warm fit":
        clf.fit(X_IRIS, Y_IRIS)
    else:
        for _ in range(5):
            clf.partial_fit(X_IRIS, Y_IRIS, classes=[0, 1, 2])
    clf.set_params(max_iter=4).fit(X_IRIS, Y_IRIS, X_val=X_IRIS, y_val=Y_IRIS)
    display = LossCurveDisplay.from_estimator(clf)
    for line in display.lines_[1:]:
        assert_array_equal(line.get_xdata(), [6, 7, 8, 9])
    assert_array_equal(display.lines_[1].get_ydata(), clf.validation_loss_curve_)


def test_validation_epochs_must_match_the_curves():
    display = LossCurveDisplay(
        [0.5, 0.4, 0.3], validation_scores=[0.8, 0.9], validation_epochs=[3]
    )
    with pytest.raises(ValueError, match="validation_epochs has 1 entries"):
        display.plot()

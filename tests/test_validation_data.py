"""Validation data passed to fit as X_val, y_val, sample_weight_val.

The convention of scikit-learn's HistGradientBoosting: keyword-only arguments
of fit, routed by metadata routing, so that a Pipeline transforms X_val.
"""

import inspect

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn import config_context
from sklearn.datasets import make_classification, make_regression
from sklearn.metrics import accuracy_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_backprop import BackpropClassifier, BackpropRegressor

pytestmark = pytest.mark.usefixtures("no_convergence_warning")
ESTIMATORS = [BackpropClassifier, BackpropRegressor]


@pytest.fixture(scope="module")
def unscaled():
    """Features on very different scales: scaling them changes every score."""
    X, y = make_classification(
        n_samples=240, n_features=6, n_informative=4, random_state=0
    )
    X = X * np.array([1.0, 100.0, 0.01, 10.0, 1000.0, 1.0]) + 50.0
    return X[:180], y[:180], X[180:], y[180:]


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_validation_arguments_are_keyword_only(estimator):
    parameters = inspect.signature(estimator.fit).parameters
    for name in ("X_val", "y_val", "sample_weight_val"):
        assert parameters[name].kind is inspect.Parameter.KEYWORD_ONLY
        assert parameters[name].default is None
    assert "eval_set" not in parameters
    X, y = [[0.0], [1.0], [2.0], [3.0]], [0, 1, 0, 1]
    with pytest.raises(TypeError):
        estimator(max_iter=2).fit(X, y, None, X)


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_fit_request_names_the_validation_arguments(estimator):
    # Metadata routing reads fit's signature: set_fit_request accepts them.
    with config_context(enable_metadata_routing=True):
        model = estimator().set_fit_request(X_val=True, y_val=True)
        request = model.get_metadata_routing()
    assert request.fit.requests["X_val"] is True
    assert request.fit.requests["y_val"] is True
    assert request.fit.requests["sample_weight_val"] is None


@pytest.mark.parametrize("estimator", ESTIMATORS)
@pytest.mark.parametrize(
    "given, message",
    [
        ({"X_val": "X"}, "X_val was passed to fit without y_val"),
        ({"y_val": "y"}, "y_val was passed to fit without X_val"),
        ({"sample_weight_val": "w"}, "sample_weight_val was passed to fit without"),
        ({"y_val": "y", "sample_weight_val": "w"}, "y_val was passed to fit without"),
    ],
)
def test_incomplete_validation_set_is_refused(estimator, given, message):
    X, y = np.arange(8.0).reshape(4, 2), np.array([0, 1, 0, 1])
    data = {"X": X, "y": y, "w": np.ones(4)}
    kwargs = {name: data[key] for name, key in given.items()}
    model = estimator(max_iter=2)
    with pytest.raises(ValueError, match=message):
        model.fit(X, y, **kwargs)
    assert not hasattr(model, "coefs_")


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_validation_set_is_validated_like_the_training_set(estimator):
    X, y = np.arange(8.0).reshape(4, 2), np.array([0, 1, 0, 1])
    with pytest.raises(ValueError, match="expecting 2 features"):
        estimator(max_iter=2).fit(X, y, X_val=np.ones((2, 3)), y_val=[0, 1])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        estimator(max_iter=2).fit(X, y, X_val=X, y_val=[0, 1])
    with pytest.raises(ValueError, match="Negative values"):
        estimator(max_iter=2).fit(
            X, y, X_val=X, y_val=y, sample_weight_val=[1, -1, 1, 1]
        )


def test_validation_labels_must_be_known_classes():
    X, y = np.arange(8.0).reshape(4, 2), np.array([0, 1, 0, 1])
    with pytest.raises(ValueError, match="not among the classes"):
        BackpropClassifier(max_iter=2).fit(X, y, X_val=X, y_val=[0, 1, 2, 0])


def test_without_early_stopping_the_set_is_only_monitored(unscaled):
    X, y, X_val, y_val = unscaled
    scaler = StandardScaler().fit(X)
    X, X_val = scaler.transform(X), scaler.transform(X_val)
    params = dict(max_iter=30, tol=0, random_state=0)
    monitored = BackpropClassifier(**params).fit(X, y, X_val=X_val, y_val=y_val)
    plain = BackpropClassifier(**params).fit(X, y)
    assert len(monitored.validation_scores_) == len(monitored.loss_curve_) == 30
    assert len(monitored.validation_loss_curve_) == 30
    assert plain.validation_scores_ is None and plain.validation_loss_curve_ is None
    # Monitoring does not change training.
    assert_allclose(monitored.coefs_[0], plain.coefs_[0])
    assert monitored.validation_scores_[-1] == pytest.approx(
        accuracy_score(y_val, monitored.predict(X_val))
    )


def test_with_early_stopping_the_set_replaces_the_held_out_fraction(unscaled):
    X, y, X_val, y_val = unscaled
    scaler = StandardScaler().fit(X)
    X, X_val = scaler.transform(X), scaler.transform(X_val)
    clf = BackpropClassifier(
        early_stopping=True, validation_fraction=0.5, max_iter=40, random_state=0
    ).fit(X, y, X_val=X_val, y_val=y_val)
    # Every training row is trained on (t_ counts samples seen), none held out.
    assert clf.t_ == clf.n_iter_ * X.shape[0]
    # The kept weights are the best on the given set.
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert accuracy_score(y_val, clf.predict(X_val)) == pytest.approx(
        clf.best_validation_score_
    )


def test_validation_loss_curve_matches_the_training_loss_on_the_same_data():
    X, y = make_regression(n_samples=60, n_features=3, random_state=0)
    reg = BackpropRegressor(alpha=0, batch_size=None, max_iter=5, random_state=0).fit(
        X, y, X_val=X, y_val=y
    )
    # Full batch: the training loss of epoch k is measured before its update,
    # the validation loss after it, so the validation curve leads by one.
    assert_allclose(reg.validation_loss_curve_[:-1], reg.loss_curve_[1:], rtol=1e-12)


def test_sample_weight_val_is_used():
    X, y = make_regression(n_samples=60, n_features=3, random_state=0)
    sw = np.r_[np.zeros(30), np.ones(30)]
    weighted = (
        BackpropRegressor(max_iter=5, random_state=0)
        .fit(X, y, X_val=X, y_val=y, sample_weight_val=sw)
        .validation_scores_
    )
    halved = (
        BackpropRegressor(max_iter=5, random_state=0)
        .fit(X, y, X_val=X[30:], y_val=y[30:])
        .validation_scores_
    )
    # Zero weights remove rows exactly; the sums differ only in rounding.
    assert_allclose(weighted, halved, rtol=1e-12)


@pytest.mark.parametrize("early_stopping", [False, True])
def test_pipeline_transforms_X_val(unscaled, early_stopping):
    X, y, X_val, y_val = unscaled
    sw_val = np.linspace(0.5, 2.0, len(y_val))
    params = dict(early_stopping=early_stopping, max_iter=25, random_state=0)
    with config_context(enable_metadata_routing=True):
        clf = BackpropClassifier(**params).set_fit_request(
            X_val=True, y_val=True, sample_weight_val=True
        )
        pipe = Pipeline(
            [("scale", StandardScaler()), ("clf", clf)], transform_input=["X_val"]
        )
        pipe.fit(X, y, X_val=X_val, y_val=y_val, sample_weight_val=sw_val)
    scaler = StandardScaler().fit(X)
    by_hand = BackpropClassifier(**params).fit(
        scaler.transform(X),
        y,
        X_val=scaler.transform(X_val),
        y_val=y_val,
        sample_weight_val=sw_val,
    )
    fitted = pipe[-1]
    # The same arithmetic on the same arrays: equal up to rounding.
    assert_allclose(fitted.validation_scores_, by_hand.validation_scores_)
    assert_allclose(fitted.validation_loss_curve_, by_hand.validation_loss_curve_)
    assert_allclose(fitted.coefs_[0], by_hand.coefs_[0])
    # Unscaled validation data gives other scores: the check above can fail.
    with pytest.warns(UserWarning, match="X_val lies far from X"):
        unscaled_run = BackpropClassifier(**params).fit(
            scaler.transform(X), y, X_val=X_val, y_val=y_val, sample_weight_val=sw_val
        )
    # (With early stopping the runs may also stop at different epochs.)
    assert len(unscaled_run.validation_loss_curve_) != len(
        by_hand.validation_loss_curve_
    ) or not np.allclose(
        unscaled_run.validation_loss_curve_, by_hand.validation_loss_curve_
    )


def test_regressor_in_pipeline_scores_transformed_X_val():
    X, y = make_regression(n_samples=200, n_features=4, noise=5.0, random_state=0)
    X = X * np.array([1.0, 100.0, 0.01, 10.0])
    with config_context(enable_metadata_routing=True):
        reg = BackpropRegressor(max_iter=15, random_state=0).set_fit_request(
            X_val=True, y_val=True
        )
        pipe = Pipeline(
            [("scale", StandardScaler()), ("reg", reg)], transform_input=["X_val"]
        )
        pipe.fit(X[:150], y[:150], X_val=X[150:], y_val=y[150:])
    scores = pipe[-1].validation_scores_
    assert scores[-1] == pytest.approx(pipe.score(X[150:], y[150:]))


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_validation_epochs_say_when_each_score_was_measured(unscaled, solver):
    # With a validation set, then a warm fit without, then one with again:
    # validation_epochs_ names the epoch of each score, skipping the middle fit.
    X, y, X_val, y_val = unscaled
    X, X_val = (
        StandardScaler().fit(X).transform(X),
        StandardScaler().fit_transform(X_val),
    )
    clf = BackpropClassifier(
        (4,), solver=solver, max_iter=3, tol=0, warm_start=True, random_state=0
    )
    clf.fit(X, y, X_val=X_val, y_val=y_val)
    first = clf.n_iter_
    assert clf.validation_epochs_ == list(range(1, first + 1))
    clf.fit(X, y)
    middle = len(clf.loss_curve_)
    clf.fit(X, y, X_val=X_val, y_val=y_val)
    assert clf.validation_epochs_ == [
        *range(1, first + 1),
        *range(middle + 1, len(clf.loss_curve_) + 1),
    ]
    assert len(clf.validation_scores_) == len(clf.validation_epochs_)
    assert len(clf.validation_loss_curve_) == len(clf.validation_epochs_)
    # The best score is this fit's: a warm start is a new run.
    assert clf.best_validation_score_ == max(clf.validation_scores_[first:])


def test_one_validation_row_for_the_regressor_is_refused_with_the_cause():
    # R^2 is undefined on one sample: the fit said "outputs overflowed".
    X, y = make_regression(n_samples=40, n_features=3, random_state=0)
    reg = BackpropRegressor(hidden_layer_sizes=(3,), max_iter=2)
    with pytest.raises(ValueError, match="R\\^2, needs at least 2 samples"):
        reg.fit(X, y, X_val=X[:1], y_val=y[:1])
    assert not hasattr(reg, "coefs_")


@pytest.mark.parametrize(
    "given, message",
    [
        (dict(X_val="nan"), "Input X_val contains NaN"),
        (dict(X_val="two features"), "X_val has 2 features"),
        (dict(y_val="nan"), "Input y_val contains NaN"),
        (dict(sample_weight_val="short"), r"sample_weight_val\.shape == \(9,\)"),
        (dict(sample_weight_val="negative"), "passed to `sample_weight_val`"),
    ],
)
def test_errors_about_the_validation_set_name_its_arguments(given, message):
    # The training data's checks said X, y and sample_weight.
    rng = np.random.RandomState(0)
    X, y = rng.randn(40, 3), rng.randn(40)
    X_val, y_val, sw_val = X[:10].copy(), y[:10].copy(), np.ones(10)
    X_val = {
        "nan": np.where(X_val > 1, np.nan, X_val),
        "two features": X_val[:, :2],
    }.get(given.get("X_val"), X_val)
    y_val = np.where(y_val > 1, np.nan, y_val) if "y_val" in given else y_val
    sw_val = {"short": sw_val[:9], "negative": -sw_val}.get(
        given.get("sample_weight_val"), sw_val
    )
    reg = BackpropRegressor(hidden_layer_sizes=(3,), max_iter=2)
    with pytest.raises(ValueError, match=f"In the validation set: .*{message}"):
        reg.fit(X, y, X_val=X_val, y_val=y_val, sample_weight_val=sw_val)


def test_X_val_on_another_scale_than_X_warns_and_names_transform_input(unscaled):
    # A Pipeline without transform_input=["X_val"]: X is scaled, X_val not.
    # Validation accuracy fell from 0.97 to 0.37, silently.
    X, y, X_val, y_val = unscaled
    with config_context(enable_metadata_routing=True):
        clf = BackpropClassifier(max_iter=5, random_state=0)
        clf.set_fit_request(X_val=True, y_val=True)
        pipe = Pipeline([("scale", StandardScaler()), ("clf", clf)])
        with pytest.warns(UserWarning, match=r'transform_input=\["X_val"\]'):
            pipe.fit(X, y, X_val=X_val, y_val=y_val)


@pytest.mark.filterwarnings("error::UserWarning")
def test_X_val_from_the_same_distribution_does_not_warn(unscaled):
    # A random split of the same data, however small, stays within the
    # threshold (10 of X's standard deviations, 10 times its spread).
    X, y, X_val, y_val = unscaled
    scaler = StandardScaler().fit(X)
    X, X_val = scaler.transform(X), scaler.transform(X_val)
    for rows in (slice(0, 2), slice(0, 60)):
        BackpropClassifier(max_iter=2, random_state=0).fit(
            X, y, X_val=X_val[rows], y_val=y_val[rows]
        )

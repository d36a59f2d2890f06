"""Classification targets: binary, multiclass, multilabel, any label type."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import (
    load_iris,
    make_classification,
    make_multilabel_classification,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import recall_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.preprocessing import StandardScaler

from sklearn_backprop import BackpropClassifier

pytestmark = pytest.mark.usefixtures("no_convergence_warning")


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def test_binary_uses_one_logistic_unit():
    X, y = make_classification(n_samples=100, random_state=0)
    clf = BackpropClassifier(random_state=0).fit(X, y)
    assert clf.out_activation_ == "logistic"
    assert clf.n_outputs_ == 1 and clf.coefs_[-1].shape[1] == 1
    proba = clf.predict_proba(X)
    assert proba.shape == (100, 2)
    assert_allclose(proba.sum(axis=1), 1.0)
    assert clf.score(X, y) > 0.9


def test_multiclass_uses_softmax(iris):
    X, y = iris
    clf = BackpropClassifier(random_state=0).fit(X, y)
    assert clf.out_activation_ == "softmax"
    proba = clf.predict_proba(X)
    # Rows of a softmax sum to one up to rounding.
    assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])
    assert clf.score(X, y) > 0.95


def test_multilabel_uses_independent_logistic_units():
    X, Y = make_multilabel_classification(n_samples=120, n_classes=4, random_state=0)
    clf = BackpropClassifier(random_state=0, max_iter=300).fit(X, Y)
    assert clf.out_activation_ == "logistic"
    proba = clf.predict_proba(X)
    assert proba.shape == Y.shape
    assert_array_equal(clf.predict(X), (proba > 0.5).astype(Y.dtype))
    assert clf.score(X, Y) > 0.5  # subset accuracy; chance is far lower


@pytest.mark.parametrize(
    "labels", [["cat", "dog", "eel"], [-1.0, 0.0, 2.0], [True, False]]
)
def test_any_label_type(iris, labels):
    X, y = iris
    y_labels = np.array(labels)[y % len(labels)]
    clf = BackpropClassifier(random_state=0, max_iter=50).fit(X, y_labels)
    assert_array_equal(clf.classes_, np.unique(y_labels))
    assert clf.predict(X).dtype == y_labels.dtype
    assert clf.score(X, y_labels) > 0.6


def test_predict_log_proba_is_log_of_proba(iris):
    X, y = iris
    clf = BackpropClassifier(random_state=0, max_iter=20).fit(X, y)
    assert_allclose(clf.predict_log_proba(X), np.log(clf.predict_proba(X)))


def test_squared_error_on_softmax_learns(iris):
    X, y = iris
    clf = BackpropClassifier(loss="squared_error", random_state=0).fit(X, y)
    assert clf.score(X, y) > 0.9


def test_class_weight_balanced_raises_minority_recall():
    X, y = make_classification(
        n_samples=600, weights=[0.93], flip_y=0.02, class_sep=0.6, random_state=3
    )
    # Five hidden units cannot memorise the 42 minority samples (100 can, with
    # the default initialisation, and then both recall them all): what
    # raises the minority's recall is the weighting.
    plain = BackpropClassifier((5,), random_state=0).fit(X, y)
    balanced = BackpropClassifier((5,), class_weight="balanced", random_state=0)
    balanced.fit(X, y)
    recall = [np.mean(m.predict(X)[y == 1] == 1) for m in (plain, balanced)]
    assert recall[1] > recall[0] + 0.1


def test_class_weight_dict_equals_sample_weight():
    X, y = make_classification(n_samples=60, random_state=0)
    # The weights' arithmetic, on the same rows: early_stopping="auto" would
    # hold out a validation set for class_weight only.
    params = dict(random_state=0, max_iter=30, early_stopping=False)
    by_class = BackpropClassifier(class_weight={0: 3.0, 1: 0.5}, **params).fit(X, y)
    by_sample = BackpropClassifier(**params).fit(
        X, y, sample_weight=np.where(y == 0, 3.0, 0.5)
    )
    # Identical arithmetic: the weights multiply the same deltas.
    assert_allclose(by_class.coefs_[0], by_sample.coefs_[0], rtol=1e-12)


def test_class_weight_combines_with_sample_weight():
    X, y = make_classification(n_samples=60, random_state=0)
    sw = np.linspace(0.5, 2.0, 60)
    params = dict(random_state=0, max_iter=30, early_stopping=False)
    combined = BackpropClassifier(class_weight={0: 2.0, 1: 1.0}, **params).fit(
        X, y, sample_weight=sw
    )
    manual = BackpropClassifier(**params).fit(
        X, y, sample_weight=sw * np.where(y == 0, 2.0, 1.0)
    )
    assert_allclose(combined.coefs_[0], manual.coefs_[0], rtol=1e-12)


def test_partial_fit_needs_classes_first_and_rejects_unseen(iris):
    X, y = iris
    clf = BackpropClassifier(random_state=0)
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X, y)
    assert not hasattr(clf, "classes_")
    clf.partial_fit(X[y < 2], y[y < 2], classes=[0, 1, 2])
    assert_array_equal(clf.classes_, [0, 1, 2])
    clf.partial_fit(X, y)
    with pytest.raises(ValueError, match="not among the classes"):
        clf.partial_fit(X[:3], [0, 1, 5])
    with pytest.raises(ValueError, match="not the same"):
        clf.partial_fit(X, y, classes=[0, 1])


def test_partial_fit_with_nested_classes_says_what_classes_must_be(iris):
    # classes=[[0, 1]] was taken as a multilabel indicator matrix, and the
    # error blamed y for not being one.
    X, y = iris
    clf = BackpropClassifier(random_state=0)
    with pytest.raises(ValueError, match=r"1-D array-like .* shape \(1, 2\)"):
        clf.partial_fit(X[y < 2], y[y < 2], classes=[[0, 1]])
    assert not hasattr(clf, "classes_")


def test_partial_fit_counts_n_iter_on_from_the_last_fit(iris):
    # As documented: unlike MLP, whose n_iter_ is 1 after each call.
    X, y = iris
    clf = BackpropClassifier(max_iter=3, tol=0, random_state=0)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    clf.partial_fit(X, y)
    clf.partial_fit(X, y)
    assert clf.n_iter_ == 5 == len(clf.loss_curve_)


def test_partial_fit_continues_training(iris):
    X, y = iris
    clf = BackpropClassifier(random_state=0, learning_rate_init=0.01)
    clf.partial_fit(X, y, classes=np.unique(y))
    first = clf.loss_
    for _ in range(20):
        clf.partial_fit(X, y)
    assert clf.n_iter_ == 21 and len(clf.loss_curve_) == 21
    assert clf.loss_ < first


def test_partial_fit_not_available_for_lbfgs():
    clf = BackpropClassifier(solver="lbfgs")
    assert not hasattr(clf, "partial_fit")
    with pytest.raises(AttributeError, match="partial_fit") as error:
        clf.partial_fit  # noqa: B018
    assert "stochastic solvers" in str(error.value.__cause__)


def test_partial_fit_rejects_balanced_class_weight(iris):
    X, y = iris
    clf = BackpropClassifier(class_weight="balanced")
    with pytest.raises(ValueError, match="balanced"):
        clf.partial_fit(X, y, classes=[0, 1, 2])


def test_warm_start_keeps_weights_and_checks_classes(iris):
    X, y = iris
    clf = BackpropClassifier(warm_start=True, max_iter=5, random_state=0).fit(X, y)
    weights = clf.coefs_[0].copy()
    clf.fit(X, y)
    assert len(clf.loss_curve_) == 10
    assert not np.allclose(weights, clf.coefs_[0])
    # A fresh fit with the same seed starts from the same weights instead.
    cold = BackpropClassifier(max_iter=5, random_state=0).fit(X, y)
    assert len(cold.fit(X, y).loss_curve_) == 5
    with pytest.raises(ValueError, match="not among the classes"):
        clf.fit(X, np.where(y == 2, 7, y))


def test_warm_start_rejects_new_architecture(iris):
    X, y = iris
    clf = BackpropClassifier((5,), warm_start=True, max_iter=2).fit(X, y)
    clf.set_params(hidden_layer_sizes=(6,))
    with pytest.raises(ValueError, match="warm_start"):
        clf.fit(X, y)


@pytest.mark.parametrize(
    "y",
    [
        np.array([2, 0, 1, 2, 1]),
        np.array([1.0, -3.0, 1.0]),
        np.array(["b", "a", "b", "b"]),
        np.array(["cat", "dog", "emu", "cat"], dtype=object),
        np.array([True, False, False]),
    ],
)
def test_target_encoding_equals_label_binarizer(y):
    # The fit's one-hot encoding skips LabelBinarizer.transform for speed;
    # it must give exactly what the binarizer gives.
    from sklearn.preprocessing import LabelBinarizer

    from sklearn_backprop._classifier import _one_hot

    binarizer = LabelBinarizer().fit(y)
    assert_array_equal(_one_hot(binarizer, y), binarizer.transform(y))


def test_target_encoding_leaves_unplaceable_labels_to_the_checks():
    from sklearn.preprocessing import LabelBinarizer

    from sklearn_backprop._classifier import _one_hot

    binarizer = LabelBinarizer().fit(np.array([0, 1, 2]))
    assert _one_hot(binarizer, np.array([0, 3])) is None
    assert _one_hot(binarizer, np.array(["a"], dtype=object)) is None


@pytest.mark.parametrize(
    "class_weight, sample_weight, match",
    [
        ({0: -1.0, 1: 1.0}, None, "Negative values"),
        ({0: 0.0, 1: 0.0}, None, "at least one non-zero"),
        ({0: 1.0, 1: 0.0}, [0.0] * 50 + [1.0] * 50, "at least one non-zero"),
        ({0: np.inf, 1: 1.0}, None, "infinity"),
    ],
)
def test_class_weight_is_validated_as_sample_weight(class_weight, sample_weight, match):
    # The weights class_weight gives pass the checks sample_weight passes
    # (negative, all zero, non-finite), and the error names class_weight.
    X, y = make_classification(n_samples=100, random_state=0)
    y = np.sort(y)  # the first 50 are class 0, as sample_weight above expects
    clf = BackpropClassifier(class_weight=class_weight, max_iter=5)
    with pytest.raises(ValueError, match=f"class_weight=.*{match}"):
        clf.fit(X, y, sample_weight=sample_weight)
    assert not hasattr(clf, "coefs_")
    # A class weighted zero is fine when another class has weight.
    clf.set_params(class_weight={0: 0.0, 1: 1.0}).fit(X, y)
    assert clf.loss_curve_[0] > 0


def test_single_class_probabilities_match_classes(iris):
    X, _ = iris
    y = np.full(X.shape[0], "only")
    clf = BackpropClassifier(max_iter=5, random_state=0).fit(X, y)
    proba = clf.predict_proba(X)
    assert clf.classes_.tolist() == ["only"]
    assert proba.shape == (X.shape[0], 1)  # one column per class
    assert_array_equal(proba, 1.0)
    assert_array_equal(clf.predict(X), y)
    assert_array_equal(clf.classes_[proba.argmax(axis=1)], clf.predict(X))


def _rare_class_problem():
    # A noisy 95/5 problem (2 % of labels flipped) on which an unweighted
    # network finds few of the rare class, as a linear model does.
    return make_classification(3000, weights=[0.95, 0.05], flip_y=0.02, random_state=3)


def test_balanced_class_weight_finds_the_rare_class_under_the_defaults():
    # Without a held-out epoch choice, the default network memorises the
    # rare class's training rows whatever their weight: "balanced" moves its
    # 5-fold recall only from 0.26 to 0.45 with early_stopping=False
    # (LogisticRegression: 0.10 to 0.82 here). early_stopping="auto" keeps
    # the epoch with the best balanced accuracy on a stratified tenth:
    # recall 0.80; 0.7 leaves room for the folds' spread.
    X, y = _rare_class_problem()
    X = StandardScaler().fit_transform(X)
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    balanced = BackpropClassifier(class_weight="balanced", random_state=0)
    predicted = cross_val_predict(balanced, X, y, cv=cv)
    assert recall_score(y, predicted) > 0.7
    fitted = balanced.fit(X, y)
    assert fitted.validation_scores_ and fitted.best_validation_score_ is not None


@pytest.mark.parametrize(
    "params, expected",
    [
        ({}, False),
        ({"class_weight": "balanced"}, True),
        ({"class_weight": {0: 1.0, 1: 5.0}}, True),
        ({"class_weight": "balanced", "early_stopping": False}, False),
        ({"early_stopping": True}, True),
    ],
)
def test_auto_early_stopping_holds_out_a_set_for_class_weight(params, expected):
    X, y = _rare_class_problem()
    clf = BackpropClassifier(random_state=0, max_iter=5, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X[:600], y[:600])
    assert (clf.validation_scores_ is not None) is expected


def test_auto_early_stopping_trains_on_everything_when_a_class_is_too_rare():
    # Two rows of the second class: a stratified tenth cannot hold two of
    # each class, so "auto" trains on all rows.
    X = np.random.RandomState(0).normal(size=(40, 3))
    y = np.array([0] * 38 + [1] * 2)
    clf = BackpropClassifier(class_weight="balanced", random_state=0, max_iter=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    assert clf.validation_scores_ is None


def test_auto_early_stopping_is_off_in_partial_fit():
    X, y = _rare_class_problem()
    clf = BackpropClassifier(class_weight={0: 1.0, 1: 5.0}, random_state=0)
    clf.partial_fit(X[:300], y[:300], classes=[0, 1])
    assert clf.validation_scores_ is None

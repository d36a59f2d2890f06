"""ONNX export (the ``onnx`` extra): onnxruntime against predict/predict_proba."""

import importlib

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_multilabel_classification
from sklearn.ensemble import VotingClassifier, VotingRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_backprop import BackpropClassifier, BackpropRegressor
from sklearn_backprop._activations import HIDDEN_UNITS

skl2onnx = pytest.importorskip("skl2onnx")
ort = pytest.importorskip("onnxruntime")
# Registers the converters. Not importorskip: with the extra installed, an
# error in our module must fail, not skip.
importlib.import_module("sklearn_backprop.onnx")

# Short, unpenalised fits: some saturate their units, which only tests the
# export at the sigmoid's and tanh's limits.
pytestmark = [
    pytest.mark.usefixtures("no_convergence_warning"),
    pytest.mark.filterwarnings("ignore::sklearn_backprop.SaturationWarning"),
]

# The graph computes in the model's own precision and only its outputs are
# cast to float32, so they differ from predict by float32 rounding (6e-8
# relative); 1e-5 leaves room for a different order of summation in MatMul
# for models fitted in float32. Values below float32's smallest normal
# number are flushed by that cast: they may differ by that much absolutely.
RTOL = 1e-5
ATOL = np.finfo(np.float32).tiny

HIDDEN = HIDDEN_UNITS


def _data(n_samples=120, n_features=5, seed=0):
    X, y = make_classification(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=3,
        n_classes=3,
        random_state=seed,
    )
    return X, y


def _run(model, X, **options):
    """Convert ``model`` with a float32 input and run it on ``X`` (float32)."""
    X32 = X.astype(np.float32)
    onx = skl2onnx.to_onnx(model, X32[:1], options=options or None)
    session = ort.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    return session.run(None, {session.get_inputs()[0].name: X32})


def _assert_classifier_matches(model, X):
    (label, proba) = _run(model, X, zipmap=False)
    X32 = X.astype(np.float32)
    expected_label = model.predict(X32)
    assert label.shape == expected_label.shape
    assert np.array_equal(label, expected_label)
    np.testing.assert_allclose(proba, model.predict_proba(X32), rtol=RTOL, atol=ATOL)


def _assert_predictions_match(model, X):
    """A single-output regressor's graph against its ``predict`` (a pipeline's
    or an ensemble's, which have no ``n_outputs_``)."""
    (output,) = _run(model, X)
    expected = model.predict(X.astype(np.float32))
    np.testing.assert_allclose(output.ravel(), expected, rtol=RTOL)


def _assert_regressor_matches(model, X):
    (output,) = _run(model, X)
    expected = model.predict(X.astype(np.float32))
    assert output.shape == (X.shape[0], model.n_outputs_)
    np.testing.assert_allclose(
        output, expected.reshape(X.shape[0], -1), rtol=RTOL, atol=ATOL
    )


@pytest.mark.parametrize("activation", HIDDEN)
@pytest.mark.parametrize("target", ["binary", "multiclass", "strings", "multilabel"])
def test_classifier_every_output_unit_and_activation(activation, target):
    X, y = _data()
    if target == "binary":
        y = (y == 1).astype(int)
    elif target == "strings":
        y = np.array(["cat", "dog", "emu"])[y]
    elif target == "multilabel":
        X, y = make_multilabel_classification(
            n_samples=120, n_features=5, n_classes=4, random_state=0
        )
        X = StandardScaler().fit_transform(X)  # word counts up to ~20
    clf = BackpropClassifier((7, 4), activation, solver="lbfgs", max_iter=60)
    clf.fit(X, y)
    _assert_classifier_matches(clf, X)


@pytest.mark.parametrize(
    "params",
    [
        {"loss": "squared_error"},
        {"fit_intercept": False},
        {"hidden_layer_sizes": ()},
        {"hidden_layer_sizes": (), "fit_intercept": False},
    ],
)
@pytest.mark.parametrize("n_classes", [2, 3])
def test_classifier_loss_bias_and_depth(params, n_classes):
    X, y = _data()
    y = y % n_classes
    clf = BackpropClassifier(solver="lbfgs", max_iter=60, random_state=0, **params)
    _assert_classifier_matches(clf.fit(X, y), X)


def test_classifier_fitted_in_float32():
    X, y = _data()
    clf = BackpropClassifier((6,), solver="lbfgs", max_iter=60, random_state=0)
    clf.fit(X.astype(np.float32), y)
    assert clf.coefs_[0].dtype == np.float32
    _assert_classifier_matches(clf, X)


def test_classifier_zipmap_default_gives_probabilities_by_label():
    X, y = _data()
    y = np.array(["cat", "dog", "emu"])[y]
    clf = BackpropClassifier((6,), solver="lbfgs", max_iter=60, random_state=0)
    clf.fit(X, y)
    label, by_label = _run(clf, X)
    X32 = X.astype(np.float32)
    assert np.array_equal(label, clf.predict(X32))
    proba = np.array([[row[c] for c in clf.classes_] for row in by_label])
    np.testing.assert_allclose(proba, clf.predict_proba(X32), rtol=RTOL, atol=ATOL)


def test_classifier_zipmap_default_with_a_float64_input():
    """ZipMap takes float32 only: with a float64 input the probabilities it
    maps are float32 (an invalid graph otherwise, refused by onnxruntime)."""
    X, y = _data()
    clf = BackpropClassifier((4,), solver="lbfgs", max_iter=20, random_state=0)
    clf.fit(X, y)
    onx = skl2onnx.to_onnx(clf, X[:1])
    session = ort.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    label, by_label = session.run(None, {session.get_inputs()[0].name: X})
    assert np.array_equal(label, clf.predict(X))
    proba = np.array([[row[c] for c in clf.classes_] for row in by_label])
    # float32 probabilities: float32 rounding, as RTOL and ATOL allow.
    np.testing.assert_allclose(proba, clf.predict_proba(X), rtol=RTOL, atol=ATOL)


def test_classifier_nocl_gives_class_indices():
    X, y = _data()
    clf = BackpropClassifier((4,), solver="lbfgs", max_iter=20, random_state=0)
    clf.fit(X, np.array(["cat", "dog", "emu"])[y])
    label, _ = _run(clf, X, zipmap=False, nocl=True)
    expected = np.searchsorted(clf.classes_, clf.predict(X.astype(np.float32)))
    assert np.array_equal(label, expected)


def test_classifier_zipmap_columns():
    X, y = _data()
    clf = BackpropClassifier((4,), solver="lbfgs", max_iter=20, random_state=0)
    clf.fit(X, y)
    label, *columns = _run(clf, X, zipmap="columns")
    X32 = X.astype(np.float32)
    assert np.array_equal(label, clf.predict(X32))
    proba = np.column_stack(columns)
    np.testing.assert_allclose(proba, clf.predict_proba(X32), rtol=RTOL, atol=ATOL)


def test_multilabel_default_options_skip_the_zipmap():
    X, Y = make_multilabel_classification(
        n_samples=60, n_features=5, n_classes=3, random_state=0
    )
    X = StandardScaler().fit_transform(X)
    clf = BackpropClassifier((4,), solver="lbfgs", max_iter=20, random_state=0)
    clf.fit(X, Y)
    label, proba = _run(clf, X)
    X32 = X.astype(np.float32)
    assert np.array_equal(label, clf.predict(X32))
    np.testing.assert_allclose(proba, clf.predict_proba(X32), rtol=RTOL, atol=ATOL)


def test_classifier_single_class():
    # One class seen in training: predict_proba is one column of ones.
    X, _ = _data(n_samples=30)
    clf = BackpropClassifier((4,), solver="lbfgs", max_iter=5, random_state=0)
    clf.fit(X, ["only"] * len(X))
    _assert_classifier_matches(clf, X)


@pytest.mark.parametrize("labels", [[-1.0, 2.0, 5.0], [False, True]])
def test_classifier_float_and_bool_labels_give_int64(labels):
    X, y = _data()
    y = np.array(labels)[y % len(labels)]
    clf = BackpropClassifier((4,), solver="lbfgs", max_iter=20, random_state=0)
    clf.fit(X, y)
    label, _ = _run(clf, X, zipmap=False)
    assert label.dtype == np.int64
    assert np.array_equal(label, clf.predict(X.astype(np.float32)))


def test_classifier_labels_beyond_int64_are_refused_not_wrapped():
    # ONNX classifiers give int64 (or string) labels: 2**63 as uint64 came out
    # as -2**63. Export refuses such labels and says what to do.
    X, y = _data()
    y = np.array([0, 2**63, 2**64 - 1], dtype=np.uint64)[y]
    clf = BackpropClassifier((4,), solver="lbfgs", max_iter=20, random_state=0)
    clf.fit(X, y)
    with pytest.raises(ValueError, match="is not an int64.*y.astype\\(str\\)"):
        _run(clf, X, zipmap=False)


@pytest.mark.parametrize("activation", HIDDEN)
@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
@pytest.mark.parametrize("n_outputs", [1, 3])
def test_regressor_every_loss_activation_and_shape(activation, loss, n_outputs):
    X, _ = _data()
    rng = np.random.default_rng(0)
    weights = rng.uniform(0.5, 2, size=(X.shape[1], n_outputs))
    if loss == "poisson":
        y = rng.poisson(np.exp(0.3 * X @ weights))
    else:
        # Targets near 1e3: the target scaling matters (1.3e3 off without it).
        y = 1000 + 50 * X @ weights
    reg = BackpropRegressor(
        loss, (6,), activation, solver="lbfgs", max_iter=60, random_state=0
    )
    reg.fit(X, y.ravel() if n_outputs == 1 else y)
    _assert_regressor_matches(reg, X)


@pytest.mark.parametrize(
    "params",
    [
        {"fit_intercept": False},
        {"hidden_layer_sizes": ()},
        {"scale_target": False},
        {"loss": "poisson", "fit_intercept": False, "hidden_layer_sizes": ()},
    ],
)
def test_regressor_bias_depth_and_scaling(params):
    X, y = _data()
    y = 3.0 + y
    reg = BackpropRegressor(solver="lbfgs", max_iter=60, random_state=0, **params)
    _assert_regressor_matches(reg.fit(X, y), X)


def test_regressor_double_input_gives_double_output():
    X, _ = _data()
    y = 1000 + 50 * X[:, 0]
    reg = BackpropRegressor(hidden_layer_sizes=(5,), solver="lbfgs", max_iter=60)
    reg.fit(X, y)
    onx = skl2onnx.to_onnx(reg, X[:1])
    session = ort.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    (output,) = session.run(None, {"X": X})
    assert output.dtype == np.float64
    # The same operations in float64: only the order of summation may differ.
    np.testing.assert_allclose(output.ravel(), reg.predict(X), rtol=1e-12)


@pytest.mark.parametrize("cls", [BackpropClassifier, BackpropRegressor])
def test_pipeline_with_scaler(cls):
    X, y = _data()
    X = 100 * X + 7
    # alpha=0.03 keeps the logits moderate: float32 rounds a logit z by about
    # |z| * 6e-8, which moves a probability by that much relatively, and the
    # export is held to 1e-5. (With alpha=1e-3, 60 L-BFGS iterations reach
    # logits in the hundreds, where float32 alone differs by 1.5e-5.)
    model = make_pipeline(
        StandardScaler(),
        cls(
            hidden_layer_sizes=(6,),
            solver="lbfgs",
            max_iter=60,
            alpha=0.03,
            random_state=0,
        ),
    ).fit(X, 1000 + y if cls is BackpropRegressor else y)
    if cls is BackpropClassifier:
        _assert_classifier_matches(model, X)
    else:
        _assert_predictions_match(model, X)


@pytest.mark.parametrize("cls", [BackpropClassifier, BackpropRegressor])
def test_average_of_networks(cls):
    # The user guide's recipe (networks of different seeds, averaged by
    # scikit-learn's voting ensembles) exports through skl2onnx's own
    # converters, which call ours for each network. skl2onnx converts a
    # VotingClassifier only with flatten_transform=False.
    X, y = _data()
    params = dict(hidden_layer_sizes=(6,), solver="lbfgs", max_iter=60, alpha=0.03)
    networks = [(f"seed{s}", cls(random_state=s, **params)) for s in range(3)]
    if cls is BackpropClassifier:
        model = VotingClassifier(networks, voting="soft", flatten_transform=False)
        _assert_classifier_matches(model.fit(X, y), X)
    else:
        # The mean of three outputs, each held to RTOL.
        _assert_predictions_match(VotingRegressor(networks).fit(X, y), X)


@pytest.mark.parametrize("cls", [BackpropClassifier, BackpropRegressor])
def test_averaged_networks_export_as_one_network(cls):
    # n_networks=3 fits one network of three times the units: the converter
    # writes it as any other.
    X, y = _data()
    model = cls(
        hidden_layer_sizes=(6, 3),
        n_networks=3,
        solver="lbfgs",
        max_iter=60,
        alpha=0.03,
        random_state=0,
    ).fit(X, y)
    assert model.coefs_[1].shape == (18, 9)
    if cls is BackpropClassifier:
        _assert_classifier_matches(model, X)
    else:
        _assert_regressor_matches(model, X)

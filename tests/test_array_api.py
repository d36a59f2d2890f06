"""Array API inputs: the array API engine against the NumPy engine, on the
namespaces installed (array-api-strict always, PyTorch when importable, CUDA
where a GPU is). scikit-learn's own array API checks run in
test_estimator_checks.py (the estimators declare ``array_api_support``)."""

import pickle

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import config_context
from sklearn.base import clone
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._array_api import (
    device,
    get_namespace,
    get_namespace_and_device,
    move_estimator_to,
    move_to,
)
from sklearn.utils._testing import _array_api_for_tests

from sklearn_backprop import (
    BackpropClassifier,
    BackpropRegressor,
    _array_api,
    _engines,
    _network,
    _xp_network,
)
from sklearn_backprop._activations import HIDDEN_UNITS

NAMESPACES = [
    pytest.param("array_api_strict", None, id="array_api_strict"),
    # A device that is not the default one: arrays left behind on the default
    # device, or moved there, fail (array-api-strict refuses to mix devices).
    pytest.param("array_api_strict", "device1", id="array_api_strict-device1"),
    pytest.param("torch", "cpu", id="torch-cpu"),
    pytest.param("torch", "cuda", id="torch-cuda"),
]

# The engines compute the same operations in the same order, except inside
# matrix products (each library's own BLAS) and a few fused operations: float64
# rounding differences of 1e-16 grow over a few epochs of training, far from
# 1e-12 of the parameters' norm, which a wrong formula exceeds by orders.
RTOL = 1e-12


def _namespace(name, device_name, dtype_name="float64"):
    return _array_api_for_tests(name, device_name, dtype_name)


def _to_numpy(array):
    return move_to(array, xp=np, device="cpu")


def _flat(estimator):
    arrays = list(estimator.coefs_) + list(estimator.intercepts_)
    return np.concatenate([np.ravel(_to_numpy(a)) for a in arrays])


def _assert_close(actual, desired):
    actual, desired = np.asarray(actual), np.asarray(desired)
    assert actual.shape == desired.shape
    error = np.linalg.norm(actual - desired)
    assert error <= RTOL * np.linalg.norm(desired), error


def _classification(kind, n_samples=60):
    X, y = make_classification(
        n_samples=n_samples,
        n_features=5,
        n_informative=4,
        n_redundant=0,
        n_classes=3 if kind == "multiclass" else 2,
        random_state=0,
    )
    if kind == "multilabel":
        y = np.column_stack([y, X[:, 0] > 0]).astype(np.int64)
    return X, y


def _fit_both(estimator, X, y, xp, dev, **fit_params):
    """Fit clones of ``estimator`` on NumPy data and on ``xp`` data."""
    reference = clone(estimator).fit(X, y, **fit_params)
    moved = {
        key: None if value is None else xp.asarray(value, device=dev)
        for key, value in fit_params.items()
    }
    with config_context(array_api_dispatch=True):
        on_device = clone(estimator).fit(
            xp.asarray(X, device=dev), xp.asarray(y, device=dev), **moved
        )
    return reference, on_device


SETTINGS = [
    pytest.param({"solver": "sgd", "momentum": 0.9}, id="sgd-nesterov"),
    pytest.param(
        {"solver": "sgd", "momentum": 0.5, "nesterovs_momentum": False},
        id="sgd-momentum",
    ),
    pytest.param(
        {"solver": "sgd", "momentum": 0, "learning_rate": "invscaling"},
        id="sgd-plain",
    ),
    pytest.param({"solver": "adam"}, id="adam"),
    pytest.param({"solver": "lbfgs"}, id="lbfgs"),
    pytest.param({"solver": "adam", "activation": "tanh", "alpha": 0.1}, id="tanh"),
    pytest.param({"solver": "adam", "activation": "relu"}, id="relu"),
    pytest.param(
        {"solver": "sgd", "activation": "identity", "fit_intercept": False},
        id="identity-no-intercept",
    ),
    pytest.param({"solver": "sgd", "shuffle": False, "batch_size": 16}, id="ordered"),
    pytest.param({"solver": "sgd", "batch_size": None}, id="full-batch"),
]


@pytest.mark.parametrize("namespace, device_name", NAMESPACES)
@pytest.mark.parametrize("settings", SETTINGS)
@pytest.mark.parametrize("kind", ["binary", "multiclass", "multilabel"])
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_classifier_engines_agree(namespace, device_name, settings, kind):
    xp, dev = _namespace(namespace, device_name)
    X, y = _classification(kind)
    clf = BackpropClassifier(
        hidden_layer_sizes=(7, 4), max_iter=6, random_state=0, batch_size=16
    ).set_params(**settings)
    reference, on_device = _fit_both(clf, X, y, xp, dev)

    _assert_close(_flat(on_device), _flat(reference))
    _assert_close(on_device.loss_curve_, reference.loss_curve_)
    with config_context(array_api_dispatch=True):
        X_xp = xp.asarray(X, device=dev)
        proba = on_device.predict_proba(X_xp)
        log_proba = on_device.predict_log_proba(X_xp)
        labels = on_device.predict(X_xp)
        for result in (proba, log_proba, labels, on_device.coefs_[0]):
            assert get_namespace(result)[0] == xp
            assert device(result) == device(X_xp)
        score = on_device.score(X_xp, xp.asarray(y, device=dev))
    _assert_close(_to_numpy(proba), reference.predict_proba(X))
    _assert_close(_to_numpy(log_proba), reference.predict_log_proba(X))
    assert_array_equal(_to_numpy(labels), reference.predict(X))
    assert _to_numpy(labels).dtype == reference.predict(X).dtype
    # (scikit-learn's accuracy_score averages integer labels in the default
    # float dtype of the namespace, float32 for torch: k / 60 to 1e-7.)
    assert score == pytest.approx(reference.score(X, y), rel=1e-6)


@pytest.mark.parametrize("namespace, device_name", NAMESPACES)
@pytest.mark.parametrize("settings", SETTINGS[::2])
@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_regressor_engines_agree(namespace, device_name, settings, loss):
    xp, dev = _namespace(namespace, device_name)
    X, y = make_regression(n_samples=50, n_features=4, n_targets=2, random_state=0)
    if loss == "poisson":
        y = np.abs(y) / 50
        y[:5] = 0  # zero counts: the deviance's y log(y / output) must be 0
    reg = BackpropRegressor(
        loss, hidden_layer_sizes=(6,), max_iter=6, random_state=0, batch_size=16
    ).set_params(**settings)
    weights = np.linspace(0.5, 2.0, X.shape[0])
    reference, on_device = _fit_both(reg, X, y, xp, dev, sample_weight=weights)

    _assert_close(_flat(on_device), _flat(reference))
    _assert_close(on_device.loss_curve_, reference.loss_curve_)
    with config_context(array_api_dispatch=True):
        predicted = on_device.predict(xp.asarray(X, device=dev))
        assert get_namespace(predicted)[0] == xp
    _assert_close(_to_numpy(predicted), reference.predict(X))


@pytest.mark.parametrize("namespace, device_name", NAMESPACES)
@pytest.mark.parametrize("kind", ["binary", "multiclass"])
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_squared_error_classifier_and_weights_agree(namespace, device_name, kind):
    """The documents' pairing (squared error through a logistic or softmax
    output unit), class weights and sample weights (zeros among them)."""
    xp, dev = _namespace(namespace, device_name)
    X, y = _classification(kind)
    clf = BackpropClassifier(
        (5,),
        loss="squared_error",
        solver="sgd",
        max_iter=5,
        random_state=1,
        class_weight="balanced",
        alpha=0.01,
    )
    weights = (np.arange(60) % 3).astype(float)
    reference, on_device = _fit_both(clf, X, y, xp, dev, sample_weight=weights)
    _assert_close(_flat(on_device), _flat(reference))
    _assert_close(on_device.loss_curve_, reference.loss_curve_)


@pytest.mark.parametrize("namespace, device_name", NAMESPACES)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_early_stopping_and_validation_set_agree(namespace, device_name):
    """The held-out split, the validation set given to fit, and keeping the
    best weights all run on the device and give the NumPy engine's numbers."""
    xp, dev = _namespace(namespace, device_name)
    X, y = _classification("multiclass", n_samples=80)
    clf = BackpropClassifier(
        (6,), solver="sgd", early_stopping=True, max_iter=8, random_state=0
    )
    reference, on_device = _fit_both(clf, X, y, xp, dev)
    _assert_close(_flat(on_device), _flat(reference))
    _assert_close(on_device.validation_scores_, reference.validation_scores_)
    _assert_close(on_device.validation_loss_curve_, reference.validation_loss_curve_)

    validation = dict(X_val=X[:20], y_val=y[:20], sample_weight_val=np.ones(20))
    reference = BackpropClassifier((6,), max_iter=4, random_state=0)
    reference.fit(X, y, **validation)
    with config_context(array_api_dispatch=True):
        on_device = BackpropClassifier((6,), max_iter=4, random_state=0)
        # NumPy validation arrays follow X to its namespace and device.
        on_device.fit(
            xp.asarray(X, device=dev), xp.asarray(y, device=dev), **validation
        )
    _assert_close(_flat(on_device), _flat(reference))
    _assert_close(on_device.validation_loss_curve_, reference.validation_loss_curve_)


@pytest.mark.parametrize("namespace, device_name", NAMESPACES)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_partial_fit_and_warm_start_agree(namespace, device_name):
    xp, dev = _namespace(namespace, device_name)
    X, y = _classification("binary")
    X_xp, y_xp = xp.asarray(X, device=dev), xp.asarray(y, device=dev)
    reference = BackpropClassifier((5,), solver="adam", random_state=0)
    on_device = BackpropClassifier((5,), solver="adam", random_state=0)
    for _ in range(3):
        reference.partial_fit(X, y, classes=[0, 1])
        with config_context(array_api_dispatch=True):
            on_device.partial_fit(X_xp, y_xp, classes=[0, 1])
    _assert_close(_flat(on_device), _flat(reference))

    reference.set_params(warm_start=True, max_iter=3).fit(X, y)
    with config_context(array_api_dispatch=True):
        on_device.set_params(warm_start=True, max_iter=3).fit(X_xp, y_xp)
    _assert_close(_flat(on_device), _flat(reference))


@pytest.mark.parametrize("namespace, device_name", NAMESPACES)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_everything_follows_X(namespace, device_name):
    """Targets, weights and the validation set of another namespace (NumPy
    here) are moved to X's; the fitted weights live there too."""
    xp, dev = _namespace(namespace, device_name)
    X, y = _classification("binary")
    with config_context(array_api_dispatch=True):
        X_xp = xp.asarray(X, device=dev)
        clf = BackpropClassifier((4,), max_iter=3, random_state=0)
        clf.fit(X_xp, list(y), sample_weight=np.ones(60), X_val=X[:10], y_val=y[:10])
        for array in clf.coefs_ + clf.intercepts_:
            assert get_namespace(array)[0] == xp
            assert device(array) == device(X_xp)
        with pytest.raises(ValueError, match="must use the same namespace"):
            clf.predict(X)


@pytest.mark.parametrize("namespace, device_name", NAMESPACES)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_back_to_numpy_for_pickling(namespace, device_name):
    """The documented way home: move_estimator_to(model, numpy, "cpu") gives
    a NumPy model, which pickles and predicts what the device model did."""
    xp, dev = _namespace(namespace, device_name)
    X, y = make_regression(n_samples=40, n_features=3, random_state=0)
    with config_context(array_api_dispatch=True):
        reg = BackpropRegressor(hidden_layer_sizes=(5,), max_iter=5, random_state=0)
        reg.fit(xp.asarray(X, device=dev), xp.asarray(y, device=dev))
        on_device = _to_numpy(reg.predict(xp.asarray(X, device=dev)))
    on_host = pickle.loads(pickle.dumps(move_estimator_to(reg, np, "cpu")))
    assert all(isinstance(c, np.ndarray) for c in on_host.coefs_)
    _assert_close(on_host.predict(X), on_device)
    on_host.partial_fit(X, y)  # and it trains on, in NumPy


@pytest.mark.parametrize("namespace, device_name", NAMESPACES)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_float32_stays_float32(namespace, device_name):
    xp, dev = _namespace(namespace, device_name, "float32")
    X, y = _classification("multiclass")
    with config_context(array_api_dispatch=True):
        X_xp = xp.asarray(X.astype(np.float32), device=dev)
        # float64 weights are cast where they are, then moved.
        clf = BackpropClassifier((4,), solver="lbfgs", max_iter=5, random_state=0)
        clf.fit(X_xp, xp.asarray(y, device=dev), sample_weight=np.ones(60))
        assert clf.coefs_[0].dtype == xp.float32
        assert clf.predict_proba(X_xp).dtype == xp.float32


def test_float32_only_device(monkeypatch):
    """On a device without float64 (Apple's MPS), float64 data and weights are
    validated to float32 before anything reaches the device."""
    xp, dev = _namespace("array_api_strict", None)
    monkeypatch.setattr(
        _array_api, "_max_precision_float_dtype", lambda xp, device: xp.float32
    )
    X, y = _classification("binary")
    with config_context(array_api_dispatch=True):
        assert _array_api.float_dtypes(xp.asarray(X)) == (xp.float32,)
        clf = BackpropClassifier((3,), max_iter=2, random_state=0)
        with pytest.warns(ConvergenceWarning):  # 2 epochs on purpose
            clf.fit(xp.asarray(X, device=dev), y, sample_weight=np.ones(60))
        assert clf.coefs_[0].dtype == xp.float32
        # The regressor's target scaling, float64 elsewhere, is float32 there.
        reg = BackpropRegressor(hidden_layer_sizes=(3,), solver="lbfgs", max_iter=3)
        with pytest.warns(ConvergenceWarning):
            reg.fit(xp.asarray(X, device=dev), X[:, 0] * 100)
        assert reg._y_scale.dtype == xp.float32
        assert reg.predict(xp.asarray(X, device=dev)).dtype == xp.float32


@pytest.mark.parametrize("namespace, device_name", NAMESPACES)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_validation_set_from_another_library_follows_numpy_X(namespace, device_name):
    """NumPy X, the validation set from another library: it follows X to
    the host (it raised AttributeError: 'Array' object has no 'astype')."""
    xp, dev = _namespace(namespace, device_name)
    X, y = _classification("multiclass", n_samples=80)
    reference = BackpropClassifier((6,), max_iter=4, random_state=0)
    reference.fit(X, y, X_val=X[:20], y_val=y[:20], sample_weight_val=np.ones(20))
    with config_context(array_api_dispatch=True):
        clf = BackpropClassifier((6,), max_iter=4, random_state=0)
        clf.fit(
            X,
            y,
            X_val=xp.asarray(X[:20], device=dev),
            y_val=xp.asarray(y[:20], device=dev),
            sample_weight_val=xp.ones(20, device=dev),
        )
    # the same NumPy engine on the same numbers
    assert_array_equal(_flat(clf), _flat(reference))
    assert clf.validation_loss_curve_ == reference.validation_loss_curve_


@pytest.mark.parametrize("namespace, device_name", NAMESPACES)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("estimator", [BackpropClassifier, BackpropRegressor])
def test_a_device_model_predicts_with_dispatch_off(namespace, device_name, estimator):
    """Fitted on a device, used with dispatch off: it predicts in NumPy, as
    scikit-learn's Ridge does (it raised a TypeError about the dtype)."""
    xp, dev = _namespace(namespace, device_name)
    X, y = _classification("multiclass")
    with config_context(array_api_dispatch=True):
        model = estimator(hidden_layer_sizes=(4,), max_iter=4, random_state=0)
        model.fit(xp.asarray(X, device=dev), xp.asarray(y, device=dev))
        expected = _to_numpy(model.predict(xp.asarray(X, device=dev)))
    for method in ["predict"] + ["predict_proba"] * (estimator is BackpropClassifier):
        output = getattr(model, method)(X)
        assert isinstance(output, np.ndarray)
    assert_allclose(model.predict(X), expected, rtol=RTOL)


def test_numpy_engine_without_dispatch():
    """Without dispatch nothing changes: other arrays are converted to NumPy
    by validation and the NumPy engine trains."""
    torch = pytest.importorskip("torch")
    X, y = _classification("binary")
    clf = BackpropClassifier((4,), solver="lbfgs", random_state=0)
    clf.fit(torch.asarray(X), torch.asarray(y))
    assert isinstance(clf.coefs_[0], np.ndarray)
    assert_array_equal(clf.predict(X), clf.fit(X, y).predict(X))


def test_engine_is_chosen_by_namespace():
    xp, _ = _namespace("array_api_strict", None)
    assert _engines.select_engine(np.ones((2, 2)))[0] is _network.Network
    with config_context(array_api_dispatch=True):
        assert _engines.select_engine(np.ones((2, 2)))[0] is _network.Network
        make_network, predict = _engines.select_engine(xp.ones((2, 2)))
        assert predict is _xp_network.predict
        assert make_network.func is _xp_network.Network


@pytest.mark.parametrize("namespace, device_name", NAMESPACES)
def test_lbfgs_gets_a_host_float64_vector(namespace, device_name):
    xp, dev = _namespace(namespace, device_name, "float32")
    from sklearn_backprop._losses import make_loss

    network = _xp_network.Network(
        (3, 2, 1),
        "logistic",
        make_loss("log_loss", "logistic"),
        True,
        xp.float32,
        xp,
        dev,
    )
    network.initialize("uniform", np.random.RandomState(0))
    vector = network.host_float64(network.params)
    assert isinstance(vector, np.ndarray) and vector.dtype == np.float64
    network.set_flat(vector + 1)
    assert network.params.dtype == xp.float32
    assert_allclose(_to_numpy(network.params), vector + 1, rtol=1e-6)


@pytest.mark.parametrize("namespace, device_name", NAMESPACES)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.filterwarnings("ignore:X does not have valid feature names")
def test_numpy_model_moved_to_device(namespace, device_name):
    """The other way: a model fitted on NumPy, moved to the device, predicts
    there what it did on the host and trains on there (solver state too)."""
    xp, dev = _namespace(namespace, device_name)
    X, y = _classification("multiclass")
    # A named frame, as given (not preprocessed): the feature names stay NumPy.
    clf = BackpropClassifier(
        (5,), solver="adam", max_iter=20, random_state=0, preprocessing=False
    )
    clf.fit(pd.DataFrame(X, columns=list("abcde")), y)
    with config_context(array_api_dispatch=True):
        X_xp = xp.asarray(X, device=dev)
        xp_compat, _, dev_compat = get_namespace_and_device(X_xp)
        moved = move_estimator_to(clf, xp_compat, dev_compat)
        _assert_close(_to_numpy(moved.predict_proba(X_xp)), clf.predict_proba(X))
        assert_array_equal(_to_numpy(moved.predict(X_xp)), clf.predict(X))
        moved.partial_fit(X_xp, xp.asarray(y, device=dev))
    clf.partial_fit(X, y)
    _assert_close(_flat(moved), _flat(clf))


@pytest.mark.parametrize("namespace, device_name", NAMESPACES)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_saturated_units_predict_quietly(namespace, device_name):
    """Inputs far out saturate the sigmoid: exp overflows to its exact limit,
    as in the NumPy engine, with no RuntimeWarning (which pytest makes an
    error here) and the same probabilities."""
    xp, dev = _namespace(namespace, device_name)
    X, y = _classification("binary")
    clf = BackpropClassifier((4,), max_iter=5, random_state=0).fit(X, y)
    far = 1e4 * X
    with config_context(array_api_dispatch=True):
        X_xp = xp.asarray(X, device=dev)
        xp_compat, _, dev_compat = get_namespace_and_device(X_xp)
        moved = move_estimator_to(clf, xp_compat, dev_compat)
        proba = moved.predict_proba(xp.asarray(far, device=dev))
    assert_allclose(_to_numpy(proba), clf.predict_proba(far), rtol=RTOL, atol=0)


@pytest.mark.parametrize("namespace, device_name", NAMESPACES)
def test_network_copy_is_a_snapshot(namespace, device_name):
    xp, dev = _namespace(namespace, device_name)
    from sklearn_backprop._losses import make_loss

    network = _xp_network.Network(
        (3, 4, 2), "tanh", make_loss("log_loss", "softmax"), True, xp.float64, xp, dev
    )
    network.initialize("normal", np.random.RandomState(0))
    snapshot = network.copy()
    before = np.array(_to_numpy(network.params))  # (a copy: DLPack shares)
    network.params[...] = 0
    assert_array_equal(_to_numpy(snapshot.params), before)
    assert device(snapshot.params) == device(network.params)


@pytest.mark.parametrize("namespace, device_name", NAMESPACES)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_scoring_monitor_on_the_device(namespace, device_name):
    """scikit-learn's callbacks see the device model: a ScoringMonitor on the
    validation set scores what validation_scores_ records."""
    callback = pytest.importorskip("sklearn.callback")
    xp, dev = _namespace(namespace, device_name)
    X, y = _classification("multiclass", n_samples=80)
    monitor = callback.ScoringMonitor(scoring="accuracy")
    clf = BackpropClassifier((5,), max_iter=4, tol=0, random_state=0)
    with config_context(array_api_dispatch=True):
        clf.set_callbacks(monitor).fit(
            xp.asarray(X[:60], device=dev),
            xp.asarray(y[:60], device=dev),
            X_val=X[60:],
            y_val=y[60:],
        )
    rows = [row for row in monitor.get_logs().data if row["task_name"] == "epoch"]
    # (accuracy_score averages in the namespace's default float dtype, float32
    # for torch: k / 20 to 1e-7.)
    assert_allclose(
        [row["accuracy"] for row in rows], clf.validation_scores_, rtol=1e-6
    )


@pytest.mark.parametrize("namespace, device_name", NAMESPACES)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_device_model_exports_to_onnx_once_moved(namespace, device_name):
    """The documented route to ONNX for a device model: move it to NumPy, then
    convert; the graph predicts what the model does."""
    skl2onnx = pytest.importorskip("skl2onnx")
    onnxruntime = pytest.importorskip("onnxruntime")
    import sklearn_backprop.onnx  # noqa: F401  (registers the converters)

    xp, dev = _namespace(namespace, device_name)
    X, y = make_regression(n_samples=50, n_features=3, random_state=0)
    X = X.astype(np.float32)
    with config_context(array_api_dispatch=True):
        reg = BackpropRegressor(hidden_layer_sizes=(4,), max_iter=5, random_state=0)
        reg.fit(xp.asarray(X, device=dev), xp.asarray(y, device=dev))
    on_host = move_estimator_to(reg, np, "cpu")
    session = onnxruntime.InferenceSession(
        skl2onnx.to_onnx(on_host, X[:1]).SerializeToString()
    )
    exported = session.run(None, {session.get_inputs()[0].name: X})[0]
    # (float32 graph against the float64 decoding of predict: float32 precision)
    assert_allclose(exported.ravel(), on_host.predict(X), rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("namespace, device_name", NAMESPACES)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_warm_start_with_other_shapes_says_what_to_change(namespace, device_name):
    xp, dev = _namespace(namespace, device_name)
    X, y = _classification("binary")
    with config_context(array_api_dispatch=True):
        X_xp, y_xp = xp.asarray(X, device=dev), xp.asarray(y, device=dev)
        clf = BackpropClassifier((4,), max_iter=2, warm_start=True).fit(X_xp, y_xp)
        with pytest.raises(ValueError, match="Cannot continue training"):
            clf.set_params(hidden_layer_sizes=(5,)).fit(X_xp, y_xp)
        assert clf.coefs_[0].shape[1] == 4  # the failed fit rolled back


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    n_samples=st.integers(3, 40),
    hidden=st.lists(st.integers(1, 6), max_size=2),
    activation=st.sampled_from(HIDDEN_UNITS),
    solver=st.sampled_from(["sgd", "adam", "lbfgs"]),
    batch_size=st.integers(1, 16),
    alpha=st.sampled_from([0.0, 1e-3, 1.0]),
    seed=st.integers(0, 2**16),
)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_engines_agree_on_random_problems(
    n_samples, hidden, activation, solver, batch_size, alpha, seed
):
    """Any small network, solver and batching: the array API engine (through
    array-api-strict, which has no NumPy tricks to lean on) gives the NumPy
    engine's weights to 1e-12."""
    xp, dev = _namespace("array_api_strict", None)
    rng = np.random.RandomState(seed)
    X = rng.standard_normal((n_samples, 3))
    y = rng.standard_normal(n_samples)
    reg = BackpropRegressor(
        hidden_layer_sizes=tuple(hidden),
        activation=activation,
        solver=solver,
        batch_size=batch_size,
        alpha=alpha,
        max_iter=3,
        random_state=seed,
    )
    reference, on_device = _fit_both(reg, X, y, xp, dev)
    _assert_close(_flat(on_device), _flat(reference))


@pytest.mark.parametrize("namespace, device_name", NAMESPACES)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_labels_on_the_device(namespace, device_name):
    """Numeric labels are decoded on the device, a single class included;
    string labels come back as NumPy (no other library holds strings)."""
    xp, dev = _namespace(namespace, device_name)
    X, y = _classification("multiclass")
    X_xp = xp.asarray(X, device=dev)
    for labels in (np.full(60, 7), np.array(["a", "b", "c"])[y], y * 10 - 5.0):
        reference = BackpropClassifier((3,), max_iter=3, random_state=0)
        reference.fit(X, labels)
        with config_context(array_api_dispatch=True):
            clf = BackpropClassifier((3,), max_iter=3, random_state=0)
            predicted = clf.fit(X_xp, labels).predict(X_xp)
            numeric = labels.dtype.kind != "U"
            assert (get_namespace(predicted)[0] == xp) == numeric
        assert_array_equal(_to_numpy(predicted), reference.predict(X))
        assert _to_numpy(predicted).dtype == reference.predict(X).dtype


@pytest.mark.parametrize("namespace, device_name", NAMESPACES)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_saturation_diagnostic_on_the_device(namespace, device_name):
    """saturation_ lives with the weights and equals the NumPy fit's; the
    SaturationWarning is raised alike."""
    from sklearn_backprop import SaturationWarning

    xp, dev = _namespace(namespace, device_name)
    X, y = make_regression(1500, 5, random_state=0)  # more rows than it samples
    X = 1000 * X
    reg = BackpropRegressor(hidden_layer_sizes=(8, 6), max_iter=3, random_state=0)
    with pytest.warns(SaturationWarning):
        reference = clone(reg).fit(X, y)
    with config_context(array_api_dispatch=True), pytest.warns(SaturationWarning):
        on_device = clone(reg).fit(xp.asarray(X, device=dev), xp.asarray(y, device=dev))
        assert get_namespace(on_device.saturation_)[0] == xp
    # (A share over 1000 rows x units; an activation at the band's edge could
    # fall either side across BLAS libraries: a few counts at most.)
    assert_allclose(_to_numpy(on_device.saturation_), reference.saturation_, atol=1e-3)

"""The optimised engine against a plain NumPy reference, in float64.

The engine is written for speed: in-place ufuncs over reused ``Workspace``
buffers cut to a batch's rows, one flat parameter vector with per-layer views,
the mean's ``1 / weight_sum`` and the solver's learning rate folded into the
output delta, shortcut output deltas, a penalty added a scratch vector at a
time, SGD keeping ``momentum * velocity``, shuffled batches gathered into
reused buffers, prediction in chunks of rows. This file guards all of it
against a reference that allocates freely and reads like the textbook:
``scipy.special.expit``, a plain softmax, losses and their derivatives with
respect to the output, the output unit's Jacobian, scikit-learn's MLP penalty
and its ``SGDOptimizer`` / ``AdamOptimizer`` update rules. The two must agree
to 1e-10 in float64 (the issue's requirement): gradients, whole training runs
of the public estimators, and predictions.
"""

import functools
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import expit, xlogy
from sklearn.exceptions import ConvergenceWarning

import sklearn_backprop._network as network_module
from sklearn_backprop import BackpropClassifier, BackpropRegressor, _fast
from sklearn_backprop._activations import UNITS, logistic
from sklearn_backprop._losses import make_loss
from sklearn_backprop._network import (
    Network,
    Workspace,
    predict,
    quiet_floating_point,
)
from sklearn_backprop._training import _BatchSource

# Both sides compute the same float64 numbers in a different order (a few
# hundred roundings of ~1e-16 each, amplified little by a few dozen steps of
# training), so they agree to ~1e-13; every defect this file is after (a row
# of a stale buffer, a lost sample weight, a penalty chunk skipped, a missed
# momentum term, a wrong batch) moves the result by 1e-4 or more.
RTOL = 1e-10
# For entries whose exact value is ~0 (a gradient summing to nearly nothing),
# where a relative tolerance means nothing: far below any entry's scale (~0.1).
ATOL = 1e-12

# The hidden units this file's textbook reference (below) writes out. Every
# unit of the registry, these and any other, is also checked against finite
# differences (test_gradients.py) and across engines (test_engines.py).
HIDDEN = ("logistic", "tanh", "relu", "identity")
# (loss, output unit): every pair an estimator can build.
PAIRS = [
    ("squared_error", "identity"),
    ("squared_error", "logistic"),
    ("squared_error", "softmax"),
    ("log_loss", "logistic"),
    ("log_loss", "softmax"),
    ("poisson", "exp"),
]


# -- the reference ------------------------------------------------------------


def ref_unit(name, z):
    """The activation ``f(z)``, in a new array."""
    if name == "logistic":
        return expit(z)
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "identity":
        return z.copy()
    if name == "exp":
        return np.exp(z)
    if name == "softmax":
        shifted = np.exp(z - z.max(axis=1, keepdims=True))
        return shifted / shifted.sum(axis=1, keepdims=True)
    raise ValueError(name)


def ref_unit_derivative(name, z):
    """``f'(z)`` of an element-wise unit, from its input ``z``."""
    if name == "logistic":
        return expit(z) * (1.0 - expit(z))
    if name == "tanh":
        return 1.0 - np.tanh(z) ** 2
    if name == "relu":
        return (z > 0).astype(float)
    if name == "identity":
        return np.ones_like(z)
    if name == "exp":
        return np.exp(z)
    raise ValueError(name)


def ref_output_backward(name, z, p, grad_p):
    """``dL/dz`` from ``dL/dp`` through the output unit ``p = f(z)``."""
    if name == "softmax":
        # Jacobian dp_i/dz_j = p_i (delta_ij - p_j), one matrix per row.
        n_outputs = p.shape[1]
        jacobian = p[:, :, None] * np.eye(n_outputs) - p[:, :, None] * p[:, None, :]
        return np.einsum("nij,ni->nj", jacobian, grad_p)
    return grad_p * ref_unit_derivative(name, z)


def ref_loss(name, output_unit, y, p):
    """Per-sample loss (summed over outputs) and its gradient ``dL/dp``."""
    if name == "squared_error":
        return 0.5 * ((p - y) ** 2).sum(axis=1), p - y
    if name == "log_loss" and output_unit == "logistic":
        loss = -(xlogy(y, p) + xlogy(1 - y, 1 - p)).sum(axis=1)
        return loss, -y / p + (1 - y) / (1 - p)
    if name == "log_loss":
        return -xlogy(y, p).sum(axis=1), -y / p
    if name == "poisson":  # half the deviance
        return (xlogy(y, y / p) - y + p).sum(axis=1), 1 - y / p
    raise ValueError(name)


def ref_forward(X, coefs, intercepts, activation, output_unit):
    """Pre-activations and activations of every layer, ``X`` first."""
    X = X.toarray() if sp.issparse(X) else X
    zs, activations = [], [X]
    for i, (coef, intercept) in enumerate(zip(coefs, intercepts, strict=True)):
        z = activations[-1] @ coef + intercept
        unit = output_unit if i == len(coefs) - 1 else activation
        zs.append(z)
        activations.append(ref_unit(unit, z))
    return zs, activations


def ref_loss_and_gradient(
    coefs, intercepts, X, y, sample_weight, alpha, activation, loss, output_unit
):
    """Mean loss (penalty included, as scikit-learn's MLP) and its gradient.

    Without intercepts, pass zeros: their gradient is then ignored.
    """
    zs, activations = ref_forward(X, coefs, intercepts, activation, output_unit)
    w = np.ones(y.shape[0]) if sample_weight is None else sample_weight
    weight_sum = w.sum()
    per_sample, grad_p = ref_loss(loss, output_unit, y, activations[-1])
    penalty = 0.5 * alpha * sum((coef**2).sum() for coef in coefs)
    mean_loss = (w @ per_sample + penalty) / weight_sum
    delta = ref_output_backward(output_unit, zs[-1], activations[-1], grad_p)
    delta = delta * w[:, None] / weight_sum
    coef_grads, intercept_grads = [None] * len(coefs), [None] * len(coefs)
    for i in reversed(range(len(coefs))):
        coef_grads[i] = activations[i].T @ delta + alpha * coefs[i] / weight_sum
        intercept_grads[i] = delta.sum(axis=0)
        if i > 0:
            delta = (delta @ coefs[i].T) * ref_unit_derivative(activation, zs[i - 1])
    return mean_loss, coef_grads, intercept_grads, weight_sum


def flat(coef_parts, intercept_parts):
    """The layout of ``Network.params``: every weight matrix, then every bias."""
    return np.concatenate([c.ravel() for c in coef_parts] + list(intercept_parts))


class RefSGD:
    """scikit-learn's ``SGDOptimizer``, verbatim in substance."""

    def __init__(self, params, lr, momentum, nesterov, schedule, power_t):
        self.learning_rate_init = self.learning_rate = lr
        self.momentum, self.nesterov = momentum, nesterov
        self.schedule, self.power_t = schedule, power_t
        self.velocities = [np.zeros_like(p) for p in params]

    def update(self, params, grads):
        updates = [
            self.momentum * v - self.learning_rate * g
            for v, g in zip(self.velocities, grads, strict=True)
        ]
        self.velocities = updates
        if self.nesterov:
            updates = [
                self.momentum * v - self.learning_rate * g
                for v, g in zip(self.velocities, grads, strict=True)
            ]
        for param, update in zip(params, updates, strict=True):
            param += update

    def iteration_ends(self, time_step):
        if self.schedule == "invscaling":
            self.learning_rate = self.learning_rate_init / (time_step + 1) ** (
                self.power_t
            )


class RefAdam:
    """scikit-learn's ``AdamOptimizer``, verbatim in substance."""

    def __init__(self, params, lr, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
        self.learning_rate_init = lr
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.t = 0
        self.ms = [np.zeros_like(p) for p in params]
        self.vs = [np.zeros_like(p) for p in params]

    def update(self, params, grads):
        self.t += 1
        b1, b2 = self.beta_1, self.beta_2
        self.ms = [b1 * m + (1 - b1) * g for m, g in zip(self.ms, grads, strict=True)]
        self.vs = [
            b2 * v + (1 - b2) * g**2 for v, g in zip(self.vs, grads, strict=True)
        ]
        lr = self.learning_rate_init * np.sqrt(1 - b2**self.t) / (1 - b1**self.t)
        for param, m, v in zip(params, self.ms, self.vs, strict=True):
            param += -lr * m / (np.sqrt(v) + self.epsilon)

    def iteration_ends(self, time_step):
        pass


def ref_initial_weights(layer_units, activation, init, random_state):
    """The documented draws of ``Network.initialize``: layer by layer, from
    the estimator's ``RandomState`` before anything else; biases zero."""
    coefs = []
    for fan_in, fan_out in zip(layer_units[:-1], layer_units[1:], strict=True):
        if init == "uniform":
            coef = 2 * random_state.random_sample((fan_in, fan_out)) - 1
        elif init == "normal":
            coef = random_state.standard_normal((fan_in, fan_out))
        else:
            bound = np.sqrt(
                (2.0 if activation == "logistic" else 6.0) / (fan_in + fan_out)
            )
            coef = random_state.uniform(-bound, bound, (fan_in, fan_out))
        coefs.append(coef)
    return coefs, [np.zeros(u) for u in layer_units[1:]]


def ref_fit(X, Y, sample_weight, *, layer_units, loss, output_unit, p):
    """Replay an estimator's stochastic fit with the reference: weights drawn
    first, then each epoch one ``permutation`` from the same ``RandomState``
    (when shuffling and a batch is not the whole set) and its batches in
    order; the learning rate's schedule applied after each epoch."""
    random_state = np.random.RandomState(p["random_state"])
    coefs, intercepts = ref_initial_weights(
        layer_units, p["activation"], p["init"], random_state
    )
    params = coefs + intercepts
    if p["solver"] == "sgd":
        optimizer = RefSGD(
            params,
            p["learning_rate_init"],
            p["momentum"],
            p["nesterovs_momentum"],
            p["learning_rate"],
            p["power_t"],
        )
    else:
        optimizer = RefAdam(params, p["learning_rate_init"])
    n_samples = X.shape[0]
    batch_size = n_samples if p["batch_size"] is None else p["batch_size"]
    batch_size = min(batch_size, n_samples)
    loss_curve, samples_seen = [], 0
    for _ in range(p["max_iter"]):
        if p["shuffle"] and batch_size < n_samples:
            order = random_state.permutation(n_samples)
        else:
            order = np.arange(n_samples)
        loss_sum = weight_sum = 0.0
        for start in range(0, n_samples, batch_size):
            rows = order[start : start + batch_size]
            sw = None if sample_weight is None else sample_weight[rows]
            if sw is not None and not sw.sum():
                continue  # the engine's rule: a batch without weight is no step
            batch_loss, coef_grads, intercept_grads, batch_weight = (
                ref_loss_and_gradient(
                    coefs,
                    intercepts if p["fit_intercept"] else [0 * b for b in intercepts],
                    X[rows],
                    Y[rows],
                    sw,
                    p["alpha"],
                    p["activation"],
                    loss,
                    output_unit,
                )
            )
            if not p["fit_intercept"]:
                intercept_grads = [np.zeros_like(b) for b in intercepts]
            optimizer.update(params, coef_grads + intercept_grads)
            loss_sum += batch_loss * batch_weight
            weight_sum += batch_weight
        loss_curve.append(loss_sum / weight_sum)
        samples_seen += n_samples
        optimizer.iteration_ends(samples_seen)
    return coefs, intercepts, loss_curve


# -- 1. gradients ---------------------------------------------------------------


def make_targets(loss, output_unit, n_rows, n_outputs, rng):
    if output_unit == "softmax":
        return np.eye(n_outputs)[rng.randint(n_outputs, size=n_rows)]
    if output_unit == "logistic":
        return rng.randint(2, size=(n_rows, n_outputs)).astype(float)
    if output_unit == "exp":
        return rng.poisson(1.5, size=(n_rows, n_outputs)).astype(float)
    return rng.normal(size=(n_rows, n_outputs))


def check_gradients(
    hidden, activation, loss, output_unit, weighted, fit_intercept, alpha
):
    """Call ``loss_and_gradient`` several times on one workspace (full and
    partial batches, sparse rows, two gradient vectors, several scales) and
    compare each call with the reference."""
    rng = np.random.RandomState(0)
    batch_size, n_outputs = 5, 3
    layer_units = [6, *hidden, n_outputs]
    network = Network(
        layer_units,
        activation,
        make_loss(loss, output_unit),
        fit_intercept,
        np.float64,
    )
    network.initialize("glorot_uniform", rng)
    # Non-zero biases, even without intercepts: the engine must then ignore them.
    network.params[network.n_coefs :] = rng.normal(
        scale=0.5, size=network.params.size - network.n_coefs
    )
    workspace = Workspace(layer_units, batch_size, np.float64)
    # The penalty is added a scratch vector at a time: make it take several.
    assert network.n_coefs > workspace.flat_scratch.size
    X = rng.normal(size=(batch_size, 6))
    y = make_targets(loss, output_unit, batch_size, n_outputs, rng)
    sample_weight = rng.uniform(0.2, 3.0, size=batch_size) if weighted else None
    if weighted:
        sample_weight[1] = 0.0

    def batch(n_rows):
        sw = None if sample_weight is None else sample_weight[:n_rows]
        return X[:n_rows], y[:n_rows], sw

    grad_a = np.full_like(network.params, np.nan)  # every entry must be written
    grad_b = np.full_like(network.params, np.nan)
    calls = [
        # (X, y, sample_weight), gradient vector, scale
        (batch(batch_size), grad_a, None),  # the default scale, 1
        (batch(3), grad_a, 0.37),  # fewer rows than the workspace
        # scale / weight_sum == 1 when unweighted: the engine skips a multiply
        (batch(batch_size), grad_b, float(batch_size)),
        (batch(2), grad_b, 2.0),
        ((sp.csr_matrix(X[:4]), *batch(4)[1:]), grad_a, 0.37),
        (batch(batch_size), grad_a, None),  # back to the full cut
    ]
    biases = (
        network.intercepts if fit_intercept else [np.zeros(u) for u in layer_units[1:]]
    )
    for (X_batch, y_batch, sw), grad, scale in calls:
        kwargs = {} if scale is None else {"scale": scale}
        loss_value, weight_sum = network.loss_and_gradient(
            X_batch, y_batch, sw, alpha, workspace, grad, **kwargs
        )
        expected_loss, coef_grads, intercept_grads, expected_weight = (
            ref_loss_and_gradient(
                network.coefs,
                biases,
                X_batch,
                y_batch,
                sw,
                alpha,
                activation,
                loss,
                output_unit,
            )
        )
        if not fit_intercept:
            intercept_grads = [np.zeros_like(g) for g in intercept_grads]
        expected_grad = (1.0 if scale is None else scale) * flat(
            coef_grads, intercept_grads
        )
        assert isinstance(loss_value, float)
        assert weight_sum == pytest.approx(expected_weight, rel=1e-15)
        assert_allclose(loss_value, expected_loss, rtol=RTOL, atol=ATOL)
        assert_allclose(grad, expected_grad, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("alpha", [0.0, 0.3])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("loss, output_unit", PAIRS)
@pytest.mark.parametrize("activation", HIDDEN)
def test_gradient_matches_reference(
    activation, loss, output_unit, weighted, fit_intercept, alpha
):
    check_gradients(
        (9, 7), activation, loss, output_unit, weighted, fit_intercept, alpha
    )


@pytest.mark.parametrize("loss, output_unit", PAIRS)
@pytest.mark.parametrize("weighted", [False, True])
def test_gradient_without_hidden_layer_matches_reference(loss, output_unit, weighted):
    # One layer: no hidden delta is propagated, the output delta is deltas[0].
    check_gradients((), "logistic", loss, output_unit, weighted, True, 0.3)


def test_zero_total_weight_gives_zero_loss_and_gradient():
    rng = np.random.RandomState(0)
    network = Network([3, 4, 2], "tanh", make_loss("log_loss", "softmax"), True, float)
    network.initialize("glorot_uniform", rng)
    grad = np.full_like(network.params, np.nan)
    X, y = rng.normal(size=(4, 3)), np.eye(2)[[0, 1, 1, 0]]
    result = network.loss_and_gradient(
        X, y, np.zeros(4), 0.3, Workspace([3, 4, 2], 4, float), grad
    )
    assert result == (0.0, 0.0)
    assert_array_equal(grad, 0.0)


@pytest.mark.parametrize("loss, output_unit", PAIRS)
def test_evaluate_is_the_reference_loss_without_penalty(loss, output_unit):
    rng = np.random.RandomState(1)
    network = Network([4, 6, 3], "tanh", make_loss(loss, output_unit), True, np.float64)
    network.initialize("glorot_uniform", rng)
    network.params[network.n_coefs :] = rng.normal(size=9)
    X = rng.normal(size=(11, 4))
    y = make_targets(loss, output_unit, 11, 3, rng)
    sw = rng.uniform(0.5, 2.0, size=11)
    output, value = network.evaluate(X, y, sw)
    expected, *_ = ref_loss_and_gradient(
        network.coefs, network.intercepts, X, y, sw, 0.0, "tanh", loss, output_unit
    )
    assert_allclose(value, expected, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("loss, output_unit", PAIRS)
def test_float32_gradient_is_the_reference_within_float32_precision(loss, output_unit):
    rng = np.random.RandomState(2)
    layer_units = [6, 9, 7, 3]
    network = Network(
        layer_units, "tanh", make_loss(loss, output_unit), True, np.float32
    )
    network.initialize("glorot_uniform", rng)
    network.params[network.n_coefs :] = rng.normal(scale=0.5, size=19)
    X = rng.normal(size=(5, 6))
    y = make_targets(loss, output_unit, 5, 3, rng)
    sw = rng.uniform(0.2, 3.0, size=5)
    grad = np.zeros_like(network.params)
    value, _ = network.loss_and_gradient(
        X[:3].astype(np.float32),
        y[:3].astype(np.float32),
        sw[:3].astype(np.float32),
        0.3,
        Workspace(layer_units, 5, np.float32),
        grad,
        scale=0.37,
    )
    coefs = [c.astype(np.float64) for c in network.coefs]
    biases = [b.astype(np.float64) for b in network.intercepts]
    expected, coef_grads, intercept_grads, _ = ref_loss_and_gradient(
        coefs, biases, X[:3], y[:3], sw[:3], 0.3, "tanh", loss, output_unit
    )
    expected_grad = 0.37 * flat(coef_grads, intercept_grads)
    assert grad.dtype == np.float32 and isinstance(value, float)
    # float32's epsilon is 1.2e-7; a few dozen roundings along a path stay
    # under 1e-5 of the gradient's scale, while a float64 constant, a wrong
    # epsilon or any real defect would be far larger or change the dtype.
    scale = np.abs(expected_grad).max()
    assert_allclose(grad, expected_grad, rtol=1e-5, atol=1e-5 * scale)
    assert_allclose(value, expected, rtol=1e-5)


# -- 2. training ----------------------------------------------------------------

N_SAMPLES = 23


def classification_data(kind, rng):
    X = rng.normal(size=(N_SAMPLES, 4))
    if kind == "binary":
        y = rng.randint(2, size=N_SAMPLES)
        return X, y, y[:, None].astype(float)
    if kind == "multiclass":
        y = rng.randint(3, size=N_SAMPLES)
        return X, y, np.eye(3)[y]
    y = rng.randint(2, size=(N_SAMPLES, 3))  # multilabel indicator
    return X, y, y.astype(float)


def regression_data(kind, rng):
    X = rng.normal(size=(N_SAMPLES, 4))
    if kind == "poisson":
        y = rng.poisson(np.exp(0.3 * X[:, 0])).astype(float)
    elif kind == "single":
        y = X @ [0.5, -1.0, 0.3, 0.0] + 0.1 * rng.normal(size=N_SAMPLES)
    else:
        y = X[:, :2] @ [[1.0, 0.2], [-0.5, 0.7]] + 3.0
    return X, y


BASE = dict(
    hidden_layer_sizes=(5, 4),
    activation="logistic",
    solver="sgd",
    alpha=0.01,
    batch_size=7,  # 23 rows: three batches of 7 and one of 2
    learning_rate="constant",
    learning_rate_init=0.1,
    power_t=0.5,
    max_iter=6,
    shuffle=True,
    random_state=3,
    tol=0.0,
    n_iter_no_change=1000,
    momentum=0.9,
    nesterovs_momentum=True,
    init="glorot_uniform",
    fit_intercept=True,
    spline_knots=None,  # the reference is the plain network
)

CLASSIFIER_CASES = [
    # (target kind, loss, weighted, overrides of BASE)
    ("binary", "log_loss", False, dict(momentum=0.0)),
    ("multiclass", "log_loss", True, dict(activation="tanh")),
    (
        "multiclass",
        "squared_error",
        False,
        dict(activation="relu", nesterovs_momentum=False, shuffle=False),
    ),
    ("multilabel", "log_loss", True, dict(solver="adam", learning_rate_init=0.01)),
    (
        "multilabel",
        "log_loss",
        "zero batch",
        dict(solver="adam", learning_rate_init=0.01, shuffle=False),
    ),
    ("multiclass", "log_loss", "zero batch", dict(shuffle=False)),
    (
        "binary",
        "squared_error",
        True,
        dict(fit_intercept=False, init="uniform", learning_rate="invscaling"),
    ),
    (
        "multiclass",
        "log_loss",
        True,
        dict(solver="adam", batch_size=None, learning_rate_init=0.02, alpha=0.0),
    ),
]

REGRESSOR_CASES = [
    # (target kind, loss, weighted, overrides of BASE)
    (
        "single",
        "squared_error",
        False,
        dict(activation="identity", learning_rate_init=0.01),
    ),
    (
        "multi",
        "squared_error",
        True,
        dict(
            solver="adam",
            activation="tanh",
            batch_size=10,
            alpha=0.0,
            learning_rate_init=0.01,
        ),
    ),
    (
        "poisson",
        "poisson",
        True,
        dict(activation="relu", momentum=0.5, learning_rate_init=0.02, init="normal"),
    ),
    (
        "multi",
        "squared_error",
        False,
        dict(
            nesterovs_momentum=False,
            shuffle=False,
            batch_size=None,
            learning_rate_init=0.01,
            fit_intercept=False,
        ),
    ),
]


def training_cases(cases):
    """``pytest.param`` with readable ids: target, loss, weights, overrides."""
    params = []
    for kind, loss, weighted, overrides in cases:
        weights = {False: "unweighted", True: "weighted"}.get(weighted, weighted)
        settings = [f"{key}={value}" for key, value in overrides.items()]
        case_id = "-".join([kind, loss, weights.replace(" ", "_"), *settings])
        params.append(pytest.param(kind, loss, weighted, overrides, id=case_id))
    return params


def make_sample_weight(weighted, rng):
    if not weighted:
        return None
    sample_weight = rng.uniform(0.2, 3.0, size=N_SAMPLES)
    if weighted == "zero batch":
        # With shuffle=False and batches of 7, the second batch weighs nothing:
        # no step (its mean is undefined), and no Adam count either.
        sample_weight[7:14] = 0.0
    return sample_weight


@pytest.fixture(params=["numpy", "compiled"])
def engine(request):
    """Each training test once per engine that trains stochastic fits: the
    cost-based choice would test only the one it picks."""
    if request.param == "compiled" and _fast.kernel is None:
        pytest.skip("the compiled loop was not built")
    with _fast.engine(request.param):
        yield request.param


def assert_fit_matches_reference(estimator, coefs, intercepts, loss_curve, params):
    assert estimator.n_iter_ == params["max_iter"]  # no early stop
    for actual, expected in zip(estimator.coefs_, coefs, strict=True):
        assert_allclose(actual, expected, rtol=RTOL, atol=ATOL)
    for actual, expected in zip(estimator.intercepts_, intercepts, strict=True):
        assert_allclose(actual, expected, rtol=RTOL, atol=ATOL)
    assert_allclose(estimator.loss_curve_, loss_curve, rtol=RTOL, atol=ATOL)


@pytest.mark.usefixtures("no_convergence_warning", "engine")
@pytest.mark.parametrize(
    "kind, loss, weighted, overrides", training_cases(CLASSIFIER_CASES)
)
def test_classifier_training_matches_reference(kind, loss, weighted, overrides):
    rng = np.random.RandomState(4)
    X, y, Y = classification_data(kind, rng)
    sw = make_sample_weight(weighted, rng)
    params = {**BASE, **overrides}
    clf = BackpropClassifier(loss=loss, **params).fit(X, y, sample_weight=sw)
    output_unit = "softmax" if kind == "multiclass" else "logistic"
    layer_units = [4, *params["hidden_layer_sizes"], Y.shape[1]]
    coefs, intercepts, curve = ref_fit(
        X, Y, sw, layer_units=layer_units, loss=loss, output_unit=output_unit, p=params
    )
    assert clf.out_activation_ == output_unit
    assert_fit_matches_reference(clf, coefs, intercepts, curve, params)


@pytest.mark.usefixtures("no_convergence_warning", "engine")
@pytest.mark.parametrize(
    "kind, loss, weighted, overrides", training_cases(REGRESSOR_CASES)
)
def test_regressor_training_matches_reference(kind, loss, weighted, overrides):
    rng = np.random.RandomState(5)
    X, y = regression_data(kind, rng)
    sw = make_sample_weight(weighted, rng)
    params = {**BASE, **overrides}
    reg = BackpropRegressor(loss=loss, scale_target=False, **params)
    reg.fit(X, y, sample_weight=sw)
    Y = y.reshape(N_SAMPLES, -1)
    layer_units = [4, *params["hidden_layer_sizes"], Y.shape[1]]
    output_unit = "exp" if loss == "poisson" else "identity"
    coefs, intercepts, curve = ref_fit(
        X, Y, sw, layer_units=layer_units, loss=loss, output_unit=output_unit, p=params
    )
    assert_fit_matches_reference(reg, coefs, intercepts, curve, params)


@pytest.mark.usefixtures("no_convergence_warning", "engine")
def test_regressor_with_target_scaling_matches_reference():
    rng = np.random.RandomState(6)
    X, y = regression_data("multi", rng)
    sw = rng.uniform(0.2, 3.0, size=N_SAMPLES)
    params = {**BASE, "learning_rate_init": 0.01}
    reg = BackpropRegressor(**params).fit(X, y, sample_weight=sw)  # scale_target
    mean = sw @ y / sw.sum()
    std = np.sqrt(sw @ (y - mean) ** 2 / sw.sum())
    coefs, intercepts, curve = ref_fit(
        X,
        (y - mean) / std,
        sw,
        layer_units=[4, 5, 4, 2],
        loss="squared_error",
        output_unit="identity",
        p=params,
    )
    assert_fit_matches_reference(reg, coefs, intercepts, curve, params)
    _, activations = ref_forward(X, coefs, intercepts, "logistic", "identity")
    assert_allclose(reg.predict(X), activations[-1] * std + mean, rtol=RTOL, atol=ATOL)


# -- 3. prediction --------------------------------------------------------------


MODELS = [
    # (estimator, target kind, hidden activation)
    ("classifier", "binary", "logistic"),
    ("classifier", "multiclass", "tanh"),
    ("classifier", "multilabel", "relu"),
    ("regressor", "multi", "identity"),
    ("regressor", "poisson", "tanh"),
]


@functools.cache
def fitted_model(estimator, kind, activation):
    """A model fitted for three epochs (shared by the tests: predicting does
    not change it), and its training data."""
    rng = np.random.RandomState(7)
    # (the plain network: the reference predicts from X itself)
    common = dict(
        hidden_layer_sizes=(9, 6), max_iter=3, random_state=0, spline_knots=None
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # on purpose
        if estimator == "classifier":
            X, y, _ = classification_data(kind, rng)
            model = BackpropClassifier(activation=activation, **common)
        else:
            X, y = regression_data(kind, rng)
            loss = "poisson" if kind == "poisson" else "squared_error"
            model = BackpropRegressor(loss, activation=activation, **common)
        return model.fit(X, y), X


def chunk_bytes_for(model, rows):
    """``PREDICT_CHUNK_BYTES`` giving chunks of ``rows`` rows (a row of the
    widest layer of ``model`` takes ``8 * units`` bytes in float64)."""
    return rows * 8 * max(c.shape[1] for c in model.coefs_) + 3


@pytest.mark.parametrize("chunk_rows", [1, 4, 10])
@pytest.mark.parametrize("sparse_X", [False, True])
@pytest.mark.parametrize("spec", MODELS, ids="-".join)
def test_chunked_prediction_matches_reference(spec, sparse_X, chunk_rows, monkeypatch):
    model, X = fitted_model(*spec)
    X_in = sp.csr_matrix(X) if sparse_X else X
    is_classifier = isinstance(model, BackpropClassifier)
    whole = model.predict_proba(X_in) if is_classifier else model.predict(X_in)
    labels = model.predict(X_in)

    chunks = []
    original_forward = network_module.forward

    def counting_forward(X_chunk, *args):
        chunks.append(X_chunk.shape[0])
        return original_forward(X_chunk, *args)

    monkeypatch.setattr(
        network_module, "PREDICT_CHUNK_BYTES", chunk_bytes_for(model, chunk_rows)
    )
    monkeypatch.setattr(network_module, "forward", counting_forward)
    chunked = model.predict_proba(X_in) if is_classifier else model.predict(X_in)
    # Several chunks; with 4 or 10 rows a chunk, the last one is partial.
    full, rest = divmod(N_SAMPLES, chunk_rows)
    assert chunks == [chunk_rows] * full + ([rest] if rest else [])
    if is_classifier:  # (a regressor's predict is ``chunked`` itself)
        assert_array_equal(model.predict(X_in), labels)

    intercepts = model.intercepts_
    _, activations = ref_forward(
        X, model.coefs_, intercepts, model.activation, model.out_activation_
    )
    output = activations[-1]
    if is_classifier and output.shape[1] == 1:
        expected = np.hstack([1 - output, output])
    elif is_classifier:
        expected = output
    else:
        encoder = model._fitted_target_encoder()
        expected = output * encoder.scale + encoder.offset
        expected = expected.ravel() if output.shape[1] == 1 else expected
    # The same float64 operations in a different order (expit against
    # 1 / (1 + exp(-z)), BLAS blocking by rows): ~1e-16, far below 1e-12.
    assert_allclose(chunked, expected, rtol=1e-12, atol=1e-14)
    assert_allclose(chunked, whole, rtol=1e-12, atol=1e-14)


# -- 4. the logistic unit -------------------------------------------------------


@pytest.mark.parametrize("with_bias", [False, True])
def test_logistic_is_the_documents_formula_bit_for_bit(with_bias):
    rng = np.random.RandomState(8)
    z = np.concatenate(
        [rng.normal(scale=5.0, size=200), [-745.0, -710.0, -50.0, 0.0, 36.0, 40.0]]
    ).reshape(-1, 2)
    bias = rng.normal(size=2) if with_bias else None
    # The unit folds the bias in as (-b) - z, claimed to round as -(z + b).
    total = z + bias if with_bias else z
    with np.errstate(over="ignore"):  # exp(745) is inf: the exact limit 0
        expected = 1 / (1 + np.exp(-total))
    out = z.copy()
    with quiet_floating_point():
        logistic(out, bias)
    assert_array_equal(out, expected)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_logistic_of_huge_inputs_is_finite_and_silent(dtype):
    big = np.finfo(dtype).max
    z = np.array([[-big, -1e4, -800.0, -100.0, 100.0, 800.0, 1e4, big]], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = z.copy()
        with quiet_floating_point():
            logistic(out)
        # Through the engine's prediction, which silences exp's overflow itself.
        coefs = [np.eye(8, dtype=dtype)]
        predicted = predict(z, coefs, None, "logistic", "logistic")
    assert out.dtype == dtype and np.isfinite(out).all()
    # Saturated to exactly 0 and 1, except where float64 still resolves
    # expit(-100) ~ 4e-44 (float32 overflows exp there and gives 0, which the
    # smallest normal number as atol allows).
    finfo = np.finfo(dtype)
    expected = expit(z.astype(np.float64))
    assert_allclose(out, expected, rtol=finfo.eps, atol=finfo.tiny)
    assert_array_equal(out[:, [0, 1, 2, 5, 6, 7]], [[0, 0, 0, 1, 1, 1]])
    assert_array_equal(predicted, out)


def test_logistic_float32_is_expit_within_float32_precision():
    z = np.linspace(-110.0, 30.0, 2001).astype(np.float32).reshape(-1, 1)
    out = z.copy()
    with quiet_floating_point():
        logistic(out)
    expected = expit(z.astype(np.float64))
    assert out.dtype == np.float32
    # exp, add and reciprocal each round once (relative 6e-8) and exp's result
    # is relative to z's own rounding: 4 eps of float32 in all. Below -88, exp
    # overflows float32 and the unit gives 0 where expit is under float32's
    # smallest normal number, which atol covers.
    assert_allclose(
        out, expected, rtol=4 * np.finfo(np.float32).eps, atol=np.finfo(np.float32).tiny
    )


@pytest.mark.parametrize(
    "name", ["logistic", "tanh", "relu", "identity", "exp", "softmax"]
)
@pytest.mark.parametrize("with_bias", [False, True])
def test_units_and_derivatives_match_textbook(name, with_bias):
    rng = np.random.RandomState(9)
    z = rng.normal(scale=2.0, size=(7, 4))
    bias = rng.normal(size=4) if with_bias else None
    if with_bias:
        z[0, 0] = -bias[0]  # z + b == 0: relu's kink
        total = z + bias
    else:
        z[0, 0] = 0.0
        total = z
    a = z.copy()
    UNITS[name].forward(a, bias)
    # Each unit is a few correctly rounded operations on either side: 1 ulp
    # or 2 apart at most, where a real defect is off by far more than 1e-15.
    assert_allclose(a, ref_unit(name, total), rtol=1e-15, atol=0)
    z = total
    delta = rng.normal(size=z.shape)
    expected = ref_output_backward(name, z, ref_unit(name, z), delta)
    scratch = np.full_like(z, np.nan)
    UNITS[name].derivative(a, delta, scratch)
    # The engine's derivative from the output (a * (1 - a), 1 - a**2, ...)
    # against the textbook's from the input: |z| < 10 keeps 1 - a away from
    # cancellation, so 1e-12 holds with a thousandfold margin.
    assert_allclose(delta, expected, rtol=1e-12, atol=1e-15)


def test_softmax_of_rows_of_very_different_scales():
    # Each row needs its own maximum: a shared or misplaced one makes a row's
    # exp underflow to 0 / 0 or overflow to inf / inf.
    z = np.array(
        [
            [1000.0, 999.0, 995.0],
            [-1000.0, -1001.0, -1005.0],
            [0.0, 1.0, 2.0],
            [-800.0, 0.0, 800.0],
        ]
    )
    out = z.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        UNITS["softmax"].forward(out)
    assert_allclose(out, ref_unit("softmax", z), rtol=1e-15, atol=1e-300)
    # Both of the first two rows are the shift-invariant softmax of [0, -1, -5].
    small = np.exp([0.0, -1.0, -5.0]) / np.exp([0.0, -1.0, -5.0]).sum()
    assert_allclose(out[:2], [small, small], rtol=1e-14)


# -- 5. batch gathering -----------------------------------------------------------


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("sparse_X", [False, True])
@pytest.mark.parametrize(
    "shuffle, batch_size", [(True, 7), (True, 1), (False, 7), (True, 23)]
)
def test_batches_are_the_rows_of_each_epochs_permutation(
    shuffle, batch_size, sparse_X, weighted
):
    rng = np.random.RandomState(10)
    X = rng.normal(size=(N_SAMPLES, 4))
    y = rng.normal(size=(N_SAMPLES, 2))
    sw = rng.uniform(size=N_SAMPLES) if weighted else None
    X_in = sp.csr_matrix(X) if sparse_X else X
    source = _BatchSource(X_in, y, sw, batch_size, shuffle)
    engine_rs, reference_rs = np.random.RandomState(11), np.random.RandomState(11)
    for _ in range(3):  # a new order each epoch
        if shuffle and batch_size < N_SAMPLES:
            order = reference_rs.permutation(N_SAMPLES)
        else:
            order = np.arange(N_SAMPLES)
        starts = range(0, N_SAMPLES, batch_size)
        batches = source.batches(engine_rs)
        n_batches = 0
        # Compared as they come: shuffled batches share reused buffers.
        for start, (X_b, y_b, sw_b) in zip(starts, batches, strict=True):
            rows = order[start : start + batch_size]
            X_b = X_b.toarray() if sp.issparse(X_b) else X_b
            assert_array_equal(X_b, X[rows])
            assert_array_equal(y_b, y[rows])
            if weighted:
                assert_array_equal(sw_b, sw[rows])
            else:
                assert sw_b is None
            n_batches += 1
        assert n_batches == len(starts)
    # The engine's generator drew exactly what the reference drew.
    assert engine_rs.randint(2**31) == reference_rs.randint(2**31)

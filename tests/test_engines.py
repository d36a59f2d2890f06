"""Every engine against the NumPy reference, on every unit and loss.

The cases are generated from the registry (``_activations.UNITS``,
``_losses.LOSSES``): a unit or a loss added there is tested here, on one
batch and on whole fits, by every engine, without anyone listing it. The
engines: the compiled loop (``_fast``'s ``Trainer``) and the array API engine
(``_xp_network``, on array-api-strict's default device and on ``device1``).
"""

import math
import warnings

import numpy as np
import pytest
from sklearn import config_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import r2_score
from sklearn.utils._array_api import move_to

from sklearn_backprop import _fast, _xp_network
from sklearn_backprop._activations import HIDDEN_UNITS, UNITS
from sklearn_backprop._losses import LOSSES, make_loss
from sklearn_backprop._network import Network
from sklearn_backprop._solvers import make_solver
from sklearn_backprop._training import History, train_stochastic

# Every (hidden unit, loss, output unit) the registry allows.
CASES = [
    pytest.param(hidden, loss, output, id=f"{hidden}-{loss}-{output}")
    for hidden in HIDDEN_UNITS
    for loss, loss_class in LOSSES.items()
    for output in loss_class.outputs
]
ENGINES = ["compiled", "array_api_strict", "array_api_strict-device1"]
LAYERS = (5, 4, 3, 3)
N_ROWS = 7
SOLVER_PARAMS = {
    "learning_rate_init": 0.02,
    "learning_rate": "invscaling",
    "momentum": 0.9,
    "nesterovs_momentum": True,
    "power_t": 0.5,
    "beta_1": 0.9,
    "beta_2": 0.999,
    "epsilon": 1e-8,
    "max_iter": 6,  # the cosine schedule's cycle: that of _fit's epochs
}


def _problem(loss, output, n_rows=N_ROWS, seed=0):
    """Inputs, targets the loss and output unit can take, and sample weights."""
    rng = np.random.RandomState(seed)
    n_outputs = LAYERS[-1]
    X = rng.normal(size=(n_rows, LAYERS[0]))
    if output == "softmax":
        y = np.eye(n_outputs)[rng.randint(n_outputs, size=n_rows)]
    elif output == "logistic":
        y = rng.randint(2, size=(n_rows, n_outputs)).astype(float)
    elif loss == "poisson":
        y = rng.poisson(1.5, size=(n_rows, n_outputs)).astype(float)
    else:
        y = rng.normal(scale=0.5, size=(n_rows, n_outputs))
    return X, y, rng.uniform(0.5, 2.0, size=n_rows)


def _reference(hidden, loss, output, fit_intercept, seed=0):
    network = Network(
        LAYERS, hidden, make_loss(loss, output), fit_intercept, np.float64
    )
    rng = np.random.RandomState(seed)
    network.params[...] = rng.normal(scale=0.5, size=network.params.shape)
    return network


def _namespace(engine):
    """(xp, device) of an array-api-strict engine."""
    xp = pytest.importorskip("array_api_strict")
    device = xp.Device("device1") if engine.endswith("device1") else None
    return xp, device


def _xp_network_like(network, engine):
    xp, device = _namespace(engine)
    moved = _xp_network.Network(
        network.layer_units,
        network.activation,
        network.loss,
        network.fit_intercept,
        xp.float64,
        xp,
        device,
    )
    moved.set_flat(network.params)
    return moved, xp, device


def _trainer(network, batch_size):
    if _fast.kernel is None:
        pytest.skip("the compiled loop was not built")
    return _fast.kernel.Trainer(
        network.layer_units,
        hidden=_fast.unit_code(network.activation),
        output=_fast.unit_code(network.output_activation),
        loss=_fast.loss_code(network.loss.name),
        fit_intercept=network.fit_intercept,
        batch_size=batch_size,
        dtype=network.dtype,
    )


def _host(array):
    return np.asarray(move_to(array, xp=np, device="cpu"))


def _engine_batch(engine, network, X, y, sw, alpha, scale):
    """(mean loss, weight sum, gradient) of one batch by ``engine``."""
    if engine == "compiled":
        trainer = _trainer(network, X.shape[0])
        trainer.stop_rule(alpha=alpha, tol=0.0, n_iter_no_change=math.inf)
        grad = np.full_like(network.params, np.nan)
        loss, weight = trainer.loss_and_gradient(
            X, y, sw, network.params.copy(), grad, scale
        )
        return loss, weight, grad
    moved, xp, device = _xp_network_like(network, engine)
    arrays = [None if a is None else xp.asarray(a, device=device) for a in (X, y, sw)]
    grad = moved.new_vector()
    loss, weight = moved.loss_and_gradient(*arrays, alpha, None, grad, scale)
    assert grad.device == moved.params.device
    return float(loss), weight, _host(grad)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("hidden, loss, output", CASES)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [True, False])
def test_one_batch_matches_the_reference(
    engine, hidden, loss, output, fit_intercept, weighted
):
    network = _reference(hidden, loss, output, fit_intercept)
    X, y, sw = _problem(loss, output)
    sw = sw if weighted else None
    alpha, scale = 0.3, 0.7
    workspace = network.workspace(N_ROWS)
    expected_grad = np.empty_like(network.params)
    expected, expected_weight = network.loss_and_gradient(
        X, y, sw, alpha, workspace, expected_grad, scale
    )
    loss_value, weight, grad = _engine_batch(engine, network, X, y, sw, alpha, scale)
    # The same operations on a few numbers; only the order of the products'
    # and the penalty's sums may differ (BLAS, a sequential loop): a few ulps
    # of the largest term, 1e-13 with a margin of a hundred, where a wrong
    # formula or unit is off in the first digits.
    assert weight == pytest.approx(expected_weight, rel=1e-15)
    assert loss_value == pytest.approx(expected, rel=1e-13)
    np.testing.assert_allclose(
        grad, expected_grad, rtol=1e-13, atol=1e-13 * np.max(np.abs(expected_grad))
    )


def _fit(network, solver_name, X, y, sw, engine):
    """A whole stochastic fit of ``network`` in place; its loss curve.
    ``solver_name`` "sgd" (invscaling), "adam" or "adam-cosine"."""
    name, _, schedule = solver_name.partition("-")
    params = dict(
        SOLVER_PARAMS, learning_rate=schedule or SOLVER_PARAMS["learning_rate"]
    )
    solver = make_solver(
        name,
        network.params.shape[0],
        network.dtype,
        params,
        zeros=network.new_vector,
    )
    history = History()
    with _fast.engine(engine), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter on purpose
        train_stochastic(
            network, solver, X, y, sw,
            batch_size=8, shuffle=True, max_iter=6, tol=0.0, n_iter_no_change=100,
            alpha=0.01, random_state=np.random.RandomState(0), history=history,
        )  # fmt: skip
    return history.loss_curve


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("hidden, loss, output", CASES)
@pytest.mark.parametrize("solver", ["sgd", "adam", "adam-cosine"])
def test_whole_fits_match_the_reference(engine, hidden, loss, output, solver):
    X, y, sw = _problem(loss, output, n_rows=30, seed=1)
    reference = _reference(hidden, loss, output, True)
    params = reference.params.copy()
    expected_curve = _fit(reference, solver, X, y, sw, "numpy")
    if engine == "compiled":
        if _fast.kernel is None:
            pytest.skip("the compiled loop was not built")
        network = _reference(hidden, loss, output, True)
        curve = _fit(network, solver, X, y, sw, "compiled")
        fitted = network.params
    else:
        network, xp, device = _xp_network_like(reference, engine)
        network.set_flat(params)
        arrays = [xp.asarray(a, device=device) for a in (X, y, sw)]
        with config_context(array_api_dispatch=True):  # as the estimators fit
            curve = _fit(network, solver, *arrays, "numpy")
        fitted = _host(network.params)
    # Rounding differences of 1e-16 (the sums' order) grow over six epochs
    # of 4 steps; 1e-11 of the largest weight stays far below what a wrong
    # step or unit gives (differences in the first digits).
    np.testing.assert_allclose(
        fitted, reference.params, rtol=0, atol=1e-11 * np.max(np.abs(reference.params))
    )
    np.testing.assert_allclose(curve, expected_curve, rtol=1e-11)


@pytest.mark.parametrize("name", sorted(UNITS))
def test_every_unit_has_an_array_api_path(name):
    # Forward and backward on array-api-strict, on a non-default device:
    # the results stay there and equal the NumPy unit's.
    xp, device = _namespace("array_api_strict-device1")
    unit = UNITS[name]
    rng = np.random.RandomState(3)
    z = rng.normal(size=(5, 3))
    delta = rng.normal(size=(5, 3))
    expected_a = z.copy()
    unit.forward(expected_a)
    expected_delta = delta.copy()
    unit.derivative(expected_a, expected_delta, np.empty_like(z))
    a = unit.xp_forward(xp, xp.asarray(z, device=device))
    backward = unit.xp_backward(xp, a, xp.asarray(delta, device=device))
    assert a.device == device and backward.device == device
    # A few correctly rounded operations each side (1e-15 leaves room for
    # a different but equivalent order).
    np.testing.assert_allclose(_host(a), expected_a, rtol=1e-14, atol=1e-300)
    np.testing.assert_allclose(_host(backward), expected_delta, rtol=1e-14, atol=1e-15)


def _python_score(output_unit, y, output, sample_weight):
    """The estimators' scores as their ``_encoded_score`` computes them."""
    if output_unit == "softmax":
        correct = np.argmax(output, axis=1) == np.argmax(y, axis=1)
    elif output_unit == "logistic":
        correct = np.all((output > 0.5) == (y > 0.5), axis=1)
    else:
        return "r2", r2_score(y, output, sample_weight=sample_weight)
    return "accuracy", np.average(correct, weights=sample_weight)


@pytest.mark.parametrize("hidden, loss, output", CASES)
@pytest.mark.parametrize("weighted", [True, False])
@pytest.mark.parametrize("batch_size", [4, 32])
def test_the_kernel_scores_a_validation_set_as_python(
    hidden, loss, output, weighted, batch_size
):
    # The validation set in blocks of the trainer's batch size (4: the last
    # block partial) or in one.
    network = _reference(hidden, loss, output, True)
    X, y, sw = _problem(loss, output, n_rows=11, seed=2)
    sw = sw if weighted else None
    expected_output, expected_loss = network.evaluate(X, y, sw)
    name, expected_score = _python_score(output, y, expected_output, sw)
    trainer = _trainer(network, batch_size)
    code = int(_fast.kernel.Score[name.upper()])
    loss_value, score = trainer.evaluate(X, y, sw, network.params, code)
    # The same forward pass and loss (see the one-batch test), summed in
    # another order; the score is a ratio of sums of weights or squares.
    assert loss_value == pytest.approx(expected_loss, rel=1e-13)
    assert score == pytest.approx(expected_score, rel=1e-13, abs=1e-15)
    _, loss_only = trainer.evaluate(
        X, y, sw, network.params, int(_fast.kernel.Score.LOSS_ONLY)
    )
    assert math.isnan(loss_only)


@pytest.mark.parametrize("name", ["accuracy", "r2"])
def test_the_kernel_scores_overflowing_outputs_nan(name):
    # Outputs that overflow (hidden layers of identity units overflow to
    # infinities of both signs, whose sum is NaN) score NaN, as _training
    # records them.
    output = "softmax" if name == "accuracy" else "exp"
    loss = "log_loss" if name == "accuracy" else "poisson"
    network = _reference("identity", loss, output, True)
    network.params *= 1e150
    X, y, _ = _problem(loss, output)
    X *= 1e150
    trainer = _trainer(network, N_ROWS)
    code = int(_fast.kernel.Score[name.upper()])
    with np.errstate(all="ignore"):
        output_values, _ = network.evaluate(X, y, None)
    assert not np.all(np.isfinite(output_values))
    _, score = trainer.evaluate(X, y, None, network.params, code)
    assert math.isnan(score)


@pytest.mark.parametrize("weighted", [True, False])
def test_r2_of_a_constant_target_as_r2_score(weighted):
    # r2_score's force_finite: a constant output column scores 1 when
    # predicted exactly, 0 otherwise.
    network = _reference("tanh", "squared_error", "identity", False)
    network.params[...] = 0  # every output 0
    X, y, sw = _problem("squared_error", "identity")
    y[:, 0] = 0.0  # predicted exactly
    y[:, 1] = 2.0  # constant, predicted wrong
    sw = sw if weighted else None
    trainer = _trainer(network, N_ROWS)
    _, score = trainer.evaluate(X, y, sw, network.params, int(_fast.kernel.Score.R2))
    expected = r2_score(y, network.predict(X), sample_weight=sw)
    assert score == pytest.approx(expected, rel=1e-13)

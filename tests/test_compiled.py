"""The compiled training loop against the NumPy engine, the reference."""

import os
import signal
import threading
import time

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning

from sklearn_backprop import BackpropClassifier, BackpropRegressor, _fast
from sklearn_backprop._activations import HIDDEN_UNITS

# Imported directly, not through the fallback: this fails when the extension
# was not built, so CI cannot pass on the NumPy engine alone.
from sklearn_backprop._fast import _loop

RNG = np.random.RandomState(0)
X = RNG.randn(37, 5)
SAMPLE_WEIGHT = RNG.rand(37)
SAMPLE_WEIGHT[:9] = 0  # with batch_size 8: a batch of zero weight, skipped
TARGETS = {
    "multiclass": (BackpropClassifier, RNG.randint(0, 3, 37)),
    "binary": (BackpropClassifier, RNG.randint(0, 2, 37)),
    "multilabel": (BackpropClassifier, RNG.randint(0, 2, (37, 2))),
    "regression": (BackpropRegressor, RNG.rand(37, 2) + 0.1),
}
# (target, loss): the output unit follows from them (softmax, logistic,
# logistic per label, identity, exp)
PAIRS = [
    ("multiclass", "log_loss"),
    ("multiclass", "squared_error"),
    ("binary", "log_loss"),
    ("binary", "squared_error"),
    ("multilabel", "log_loss"),
    ("regression", "squared_error"),
    ("regression", "poisson"),
]
SOLVERS = {
    "sgd": dict(solver="sgd", momentum=0.0),
    "momentum": dict(solver="sgd", momentum=0.9, nesterovs_momentum=False),
    "nesterov-invscaling": dict(solver="sgd", learning_rate="invscaling"),
    "nesterov-adaptive": dict(solver="sgd", learning_rate="adaptive"),
    "adam": dict(solver="adam"),
    "adam-cosine": dict(solver="adam", learning_rate="cosine"),
    "nesterov-cosine": dict(solver="sgd", learning_rate="cosine"),
}
BATCHES = {
    "full": dict(batch_size=None, shuffle=False),
    "mini": dict(batch_size=8, shuffle=False),
    "mini-shuffled": dict(batch_size=10, shuffle=True),
}


def fit_both(target, loss, dtype=np.float64, weighted=True, fit=None, **params):
    """Fit the same estimator with each engine; return (numpy, compiled)."""
    estimator, y = TARGETS[target]
    params = {
        "hidden_layer_sizes": (6, 4),
        "max_iter": 25,
        "learning_rate_init": 0.01,
        "alpha": 0.01,
        "tol": 1e-3,
        "n_iter_no_change": 3,
        "random_state": 0,
        "loss": loss,
        **params,
    }
    fitted = []
    for engine in ("numpy", "compiled"):
        model = estimator(**params)
        with _fast.engine(engine):
            if fit is None:
                model.fit(
                    X.astype(dtype),
                    y,
                    sample_weight=SAMPLE_WEIGHT if weighted else None,
                )
            else:
                fit(model)
        fitted.append(model)
    return fitted


def assert_agree(reference, compiled, rtol):
    """Weights, loss curve and counters agree; an array's tolerance is
    relative to its largest entry (a weight near zero has no relative
    precision of its own)."""
    assert compiled.n_iter_ == reference.n_iter_
    assert compiled.t_ == reference.t_
    pairs = list(zip(reference.coefs_ + reference.intercepts_,
                     compiled.coefs_ + compiled.intercepts_, strict=True))  # fmt: skip
    pairs.append((np.array(reference.loss_curve_), np.array(compiled.loss_curve_)))
    for expected, actual in pairs:
        assert actual.dtype == expected.dtype
        scale = np.max(np.abs(expected))
        np.testing.assert_allclose(actual, expected, rtol=0, atol=rtol * scale)
    assert compiled.best_loss_ == pytest.approx(reference.best_loss_, rel=rtol)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("batches", BATCHES)
@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("activation", HIDDEN_UNITS)
@pytest.mark.parametrize("target, loss", PAIRS)
def test_float64_agrees_with_numpy(target, loss, activation, solver, batches):
    # Same operations in the same order; BLAS and NumPy's reductions sum in
    # their own order and NumPy's exp may differ from C's in the last bit:
    # up to 6e-13 measured over 25 epochs, the 1e-12 the design promises.
    reference, compiled = fit_both(
        target, loss, activation=activation, **SOLVERS[solver], **BATCHES[batches]
    )
    assert_agree(reference, compiled, rtol=1e-12)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("activation", HIDDEN_UNITS)
@pytest.mark.parametrize("target, loss", PAIRS)
def test_float32_agrees_with_numpy(target, loss, activation, solver):
    # float32 has 6e-8 precision. The kernel adds losses and weight sums in
    # float64 where NumPy adds them in float32, and float32 exp/log/tanh
    # differ by an ulp or two between libm and NumPy; over 25 epochs of
    # shuffled, weighted mini-batches the largest difference measured was
    # 5.2e-5 of the largest weight, so 2e-4.
    reference, compiled = fit_both(
        target, loss, np.float32, activation=activation, **SOLVERS[solver],
        **BATCHES["mini-shuffled"],
    )  # fmt: skip
    assert_agree(reference, compiled, rtol=2e-4)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_partial_fit_and_warm_start_continue_alike():
    # The solver's state (velocity, moments, step count, learning rate) and
    # the plateau count go into the kernel and come back out.
    def partial_fits(model):
        for _ in range(4):
            model.partial_fit(X, TARGETS["multiclass"][1], classes=[0, 1, 2])

    for solver in ("sgd", "adam"):
        for schedule in ("constant", "cosine"):
            # (max_iter=3: the cosine cycle restarts in the fourth call)
            assert_agree(*fit_both("multiclass", "log_loss", solver=solver,
                                   learning_rate=schedule, max_iter=3,
                                   fit=partial_fits), rtol=1e-12)  # fmt: skip

    def warm_starts(model):
        for _ in range(3):
            model.fit(X, TARGETS["binary"][1])

    for schedule in ("constant", "cosine"):
        assert_agree(*fit_both("binary", "log_loss", warm_start=True, max_iter=7,
                               learning_rate=schedule, fit=warm_starts),
                     rtol=1e-12)  # fmt: skip


def test_plateau_stops_both_at_the_same_epoch():
    reference, compiled = fit_both(
        "binary", "log_loss", tol=0.05, n_iter_no_change=2, max_iter=300
    )
    assert reference.n_iter_ < 300
    assert_agree(reference, compiled, rtol=1e-12)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_random_state_left_where_numpy_leaves_it():
    # The kernel draws each epoch's order when the epoch starts: a fit that
    # stops early has drawn exactly the epochs it ran, as the NumPy loop.
    states = []
    for engine in ("numpy", "compiled"):
        random_state = np.random.RandomState(3)
        model = BackpropClassifier(
            (4,), batch_size=10, tol=0.05, n_iter_no_change=2, max_iter=300,
            random_state=random_state,
        )  # fmt: skip
        with _fast.engine(engine):
            model.fit(X, TARGETS["binary"][1])
        states.append((model.n_iter_, random_state.randint(1 << 30)))
    assert states[0][0] < 300
    assert states[0] == states[1]


@pytest.mark.parametrize("bit_generator", ["MT19937", "PCG64"])
def test_orders_are_randomstate_permutations(bit_generator):
    # The kernel's shuffle draws from the generator as NumPy's legacy
    # permutation does: the same orders, and the generator left in the same
    # state, for every length (1 and 2: one draw or none; 2^k +- 1: the
    # rejection mask's edges).
    lengths = [0, 1, 2, 3, 31, 32, 33, 100, 255, 256, 257, 1000, 65537]
    make = getattr(np.random, bit_generator)
    numpy_rng = np.random.RandomState(make(5))
    kernel_rng = np.random.RandomState(make(5))
    for n in lengths:
        order = np.empty(n, np.intp)
        _loop.permutation(kernel_rng._bit_generator, order)
        np.testing.assert_array_equal(order, numpy_rng.permutation(n))
    assert kernel_rng.randint(1 << 30) == numpy_rng.randint(1 << 30)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_orders_are_drawn_under_the_generators_lock():
    # As NumPy draws: a fit in another thread that shares the generator
    # cannot draw an epoch's order while this thread holds its lock. A
    # warm-started fit draws nothing but the kernel's orders (no new weights),
    # so it waits at its first epoch, and finishes once the lock is released.
    shared = np.random.RandomState(0)
    model = BackpropClassifier(
        (4,), batch_size=10, max_iter=5, warm_start=True, random_state=shared
    ).fit(X, TARGETS["multiclass"][1])
    before = model.coefs_[0].copy()
    fit = threading.Thread(target=model.fit, args=(X, TARGETS["multiclass"][1]))
    with shared._bit_generator.lock:
        fit.start()
        # Alive after half a second: waiting for the lock (without it, these
        # five epochs take about a millisecond).
        fit.join(timeout=0.5)
        assert fit.is_alive()
        np.testing.assert_array_equal(model.coefs_[0], before)
    fit.join()
    assert model.n_iter_ == 5
    assert not np.array_equal(model.coefs_[0], before)


def test_divergence_raises_in_both():
    X_big = X[:, :3] * 1e3
    y_big = X_big @ [1.0, 2.0, 3.0] * 1e3
    for engine in ("numpy", "compiled"):
        model = BackpropRegressor(
            solver="sgd", learning_rate_init=10.0, activation="relu",
            scale_target=False, max_iter=100, random_state=0,
        )  # fmt: skip
        with _fast.engine(engine), pytest.raises(ValueError, match="diverged"):
            model.fit(X_big, y_big)
        assert not hasattr(model, "coefs_")


def test_documents_network_trains_compiled_by_default():
    from sklearn_backprop._losses import make_loss
    from sklearn_backprop._network import Network
    from sklearn_backprop._solvers import SGD

    network = Network((3, 4, 1), "logistic", make_loss("squared_error", "logistic"),
                      False, np.float64)  # fmt: skip
    solver = SGD(network.params.shape[0], np.float64, 4.0)
    X_doc = np.ones((4, 3))
    assert _fast.chosen(network, solver, X_doc, 4, RNG)
    # Sparse data stays in NumPy.
    assert not _fast.chosen(network, solver, sp.csr_matrix(X_doc), 4, RNG)
    # A generator without a bit generator to draw the orders from: NumPy.
    assert not _fast.chosen(network, solver, X_doc, 4, object())
    with _fast.engine("numpy"):
        assert not _fast.chosen(network, solver, X_doc, 4, RNG)


def test_large_network_stays_with_numpy():
    from sklearn_backprop._losses import make_loss
    from sklearn_backprop._network import Network
    from sklearn_backprop._solvers import Adam

    network = Network((100, 256, 256, 5), "logistic",
                      make_loss("log_loss", "softmax"), True, np.float64)  # fmt: skip
    solver = Adam(network.params.shape[0], np.float64, 1e-3)
    assert not _fast.chosen(network, solver, np.ones((200, 100)), 200, RNG)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_estimators_agree_on_a_real_problem():
    # Default parameters (logistic, adam, batches of 200, shuffled) on 300
    # samples: the path a user takes, through the cost-based choice.
    X_real, y_real = make_classification(300, 20, n_informative=8, n_classes=3,
                                         random_state=0)  # fmt: skip
    reference, compiled = fit_both(
        "multiclass", "log_loss",
        fit=lambda model: model.fit(X_real, y_real),
        hidden_layer_sizes=(30,), max_iter=40, batch_size="auto",
    )  # fmt: skip
    assert_agree(reference, compiled, rtol=1e-12)


def _interrupt_after(seconds):
    """Send this process a SIGINT (Ctrl-C) in ``seconds``; returns a list
    that receives the time it was sent."""
    sent = []

    def send():
        sent.append(time.perf_counter())
        os.kill(os.getpid(), signal.SIGINT)

    timer = threading.Timer(seconds, send)
    timer.start()
    return sent, timer


@pytest.mark.skipif(
    threading.current_thread() is not threading.main_thread()
    or signal.getsignal(signal.SIGINT) is not signal.default_int_handler,
    reason="Python's Ctrl-C handler runs in the main thread only",
)
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_ctrl_c_takes_effect_inside_an_epoch(solver):
    # batch_size=1 on 200,000 rows: an epoch is 200,000 steps (about a
    # second), far longer than the wait a Ctrl-C may have.
    rng = np.random.RandomState(0)
    X_big = rng.normal(size=(200_000, 4))
    y_big = (X_big[:, 0] > 0).astype(int)
    # (no spline features: their fit on 200,000 rows would still be running
    # when the Ctrl-C comes)
    model = BackpropClassifier(
        (5,),
        solver=solver,
        batch_size=1,
        max_iter=50,
        tol=0,
        random_state=0,
        spline_knots=None,
    )
    sent, timer = _interrupt_after(0.3)
    try:
        with _fast.engine("compiled"), pytest.warns(UserWarning, match="interrupted"):
            model.fit(X_big, y_big)
        returned = time.perf_counter()
    finally:
        timer.cancel()
    # Within milliseconds of arithmetic (17-19 ms measured at load 10, by
    # benchmarks/listeners.py); the bound leaves room for a loaded machine's
    # scheduling. The former chunks of epochs took 0.27-0.37 s here.
    assert returned - sent[0] < 0.1
    # The state is whole: the epochs recorded, and the solver's own count of
    # the steps taken, the interrupted epoch's included.
    assert model.n_iter_ == len(model.loss_curve_)
    assert model.t_ == model.n_iter_ * X_big.shape[0]
    if solver == "adam":
        steps = model._solver_state["t"]
        assert model.n_iter_ * X_big.shape[0] <= steps < model.t_ + X_big.shape[0]


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_interrupt_as_the_kernel_returns_keeps_its_epochs(monkeypatch, solver):
    # A Ctrl-C may also be raised just as the kernel returns, after its last
    # check: the epochs it ran are in the weights and the solver's state, so
    # they must be in n_iter_, loss_curve_, t_, best_loss_ and Adam's step
    # count too. Here the kernel runs 31 epochs, then the interrupt: the fit
    # is that of max_iter=31, bit for bit.
    # (a constant step: Adam's cosine schedule would differ with max_iter)
    params = dict(
        hidden_layer_sizes=(5,),
        solver=solver,
        tol=0,
        random_state=0,
        learning_rate="constant",
    )
    y = TARGETS["multiclass"][1]
    with _fast.engine("compiled"), pytest.warns(ConvergenceWarning):
        expected = BackpropClassifier(**params, max_iter=31).fit(X, y)

    class InterruptedOnReturn:
        """A Trainer whose train_epochs runs 31 epochs, then is interrupted."""

        def __init__(self, *args, **kwargs):
            object.__setattr__(self, "trainer", _loop.Trainer(*args, **kwargs))

        def __getattr__(self, name):
            return getattr(self.trainer, name)

        def __setattr__(self, name, value):
            setattr(self.trainer, name, value)

        def train_epochs(self, *args):
            *data, loss_curve = args
            self.trainer.train_epochs(*data, loss_curve[:31])
            raise KeyboardInterrupt

    class Kernel:
        def __getattr__(self, name):
            return InterruptedOnReturn if name == "Trainer" else getattr(_loop, name)

    monkeypatch.setattr(_fast, "kernel", Kernel())
    with _fast.engine("compiled"), pytest.warns(UserWarning, match="interrupted"):
        clf = BackpropClassifier(**params, max_iter=1000).fit(X, y)
    assert clf.n_iter_ == 31 and clf.loss_curve_ == expected.loss_curve_
    assert clf.t_ == expected.t_ and clf.best_loss_ == expected.best_loss_
    for name, value in expected._solver_state.items():  # Adam's t, moments, ...
        if name != "horizon":  # (max_iter: 31 against 1000)
            np.testing.assert_array_equal(clf._solver_state[name], value)
    for got, want in zip(clf.coefs_, expected.coefs_, strict=True):
        np.testing.assert_array_equal(got, want)


def test_without_the_kernel_numpy_trains(monkeypatch):
    # A source tree where the extension was not built: the package imports and
    # every fit goes to the NumPy engine.
    monkeypatch.setattr(_fast, "kernel", None)
    model = BackpropClassifier((4,), max_iter=5, random_state=0)
    with pytest.warns(ConvergenceWarning):
        model.fit(X, TARGETS["binary"][1])
    assert model.n_iter_ == 5


def test_a_stale_build_is_ignored(monkeypatch):
    monkeypatch.setattr(_fast, "KERNEL_VERSION", _loop.KERNEL_VERSION + 1)
    assert _fast._load_kernel() is None


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("target, loss", PAIRS)
@pytest.mark.parametrize("solver", ["momentum", "nesterov-adaptive", "adam"])
@pytest.mark.parametrize("scored", ["early_stopping", "X_val"])
def test_fits_scored_after_each_epoch_agree(target, loss, solver, scored, capsys):
    # The kernel runs each epoch and scores the validation set; Python ends
    # the epoch (plateau on the validation score, best weights, verbose).
    estimator, y = TARGETS[target]
    fit = None
    params = dict(max_iter=40, verbose=True, **SOLVERS[solver])
    if scored == "early_stopping":
        params.update(early_stopping=True, validation_fraction=0.3)
    else:
        rows = slice(25, None)
        fit = lambda model: model.fit(  # noqa: E731
            X[:25], y[:25], sample_weight=SAMPLE_WEIGHT[:25],
            X_val=X[rows], y_val=y[rows], sample_weight_val=SAMPLE_WEIGHT[rows],
        )  # fmt: skip
    reference, compiled = fit_both(target, loss, fit=fit, **params)
    assert_agree(reference, compiled, rtol=1e-12)
    for curve in ("validation_loss_curve_", "validation_scores_"):
        np.testing.assert_allclose(
            getattr(compiled, curve), getattr(reference, curve), rtol=1e-12
        )
    # verbose printed the same epochs, with the same numbers, for both.
    lines = [
        " ".join(part for part in line.split() if not part.startswith("time="))
        for line in capsys.readouterr().out.splitlines()
    ]
    assert lines[: len(lines) // 2] == lines[len(lines) // 2 :]

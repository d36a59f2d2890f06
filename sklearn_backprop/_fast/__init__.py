"""The compiled training loop: the whole stochastic fit of a small network.

On a small network (the documents' 3-4-1, a default network on iris) an epoch
of the NumPy engine is some thirty NumPy calls a batch on arrays of a few
numbers: the time goes to calling, not to arithmetic. The Cython kernel
``_loop.Trainer`` runs every epoch and batch, the solver's steps, the
loss curve and the plateau count in compiled code, with the same arithmetic
in the same order as the NumPy engine (they agree to about 1e-15 in float64;
``tests/test_compiled.py``). ``_training.train_stochastic`` asks
:func:`chosen` whether the kernel takes a fit and, if so, hands it to
:class:`Epochs`; the NumPy engine stays the reference and the path for large
networks and sparse data.

Shuffled orders are drawn inside the kernel from the bit generator of the
fit's ``random_state`` (``RandomState._bit_generator``, as SciPy reaches it),
exactly as the NumPy loop's ``permutation`` draws them, one epoch at a time:
a fit that stops early leaves the generator where the NumPy loop would.
A fit without a validation set or listeners runs whole in the kernel; with
them, the kernel runs one epoch at a time and ``_training`` ends each in
Python. The kernel looks for a pending Ctrl-C every millisecond or so of
arithmetic: its ``KeyboardInterrupt`` takes effect within milliseconds, with
the state of the steps taken.
"""

import importlib.machinery
import importlib.util
import os
import sys
import weakref
from contextlib import contextmanager

import numpy as np

from .._solvers import SGD, Adam

# Must equal _loop.KERNEL_VERSION: a stale build is ignored, never miscalled.
KERNEL_VERSION = 3


def unit_code(name):
    """The kernel's code of the unit ``name`` (a member of the ``Unit``
    enumeration declared in ``_loop.pxd``); a ValueError if it has none."""
    return _code(kernel.Unit, name, "unit")


def loss_code(name):
    """The kernel's code of the loss ``name`` (a member of ``_loop.pxd``'s
    ``Loss``); a ValueError if it has none."""
    return _code(kernel.Loss, name, "loss")


def _code(enumeration, name, kind):
    try:
        return int(enumeration[name.upper()])
    except KeyError:
        raise ValueError(
            f"The compiled loop has no code for the {kind} {name!r}: declare it "
            "in sklearn_backprop/_fast/_loop.pxd and give it its arithmetic "
            "in _loop.pyx."
        ) from None


# Which engine trains a fit the kernel covers: None chooses by cost (see
# ``chosen``); "numpy" or "compiled" force one (tests and benchmarks).
_forced = None

# The kernel takes a fit while a batch's work (weights x rows) stays below
# this. Both engines make the same BLAS products, so above it they run at the
# same speed, the products' (benchmarks/engines.py: 100-256-256-3 in batches
# of 200, 18e6, timed equal); below it the kernel saves NumPy's calls and
# wins (1.3x to 25x measured): large networks keep the reference engine.
MAX_WORK_PER_BATCH = 2**22


def _load_kernel():
    """The compiled module, or None (a source tree where it was not built).

    The test command runs in the source tree, whose package has Python files
    only; ``pip install .`` put the built module in the installed copy of
    this package, which is loaded from there (as ``pkgutil.extend_path``
    would extend the package's path).
    """
    try:
        from . import _loop
    except ImportError:
        _loop = None
        here = os.path.dirname(os.path.abspath(__file__))
        for entry in sys.path:
            directory = os.path.join(entry or os.curdir, "sklearn_backprop", "_fast")
            if os.path.abspath(directory) == here or not os.path.isdir(directory):
                continue
            spec = importlib.machinery.PathFinder.find_spec("_loop", [directory])
            if spec is None or not isinstance(
                spec.loader, importlib.machinery.ExtensionFileLoader
            ):
                continue
            spec = importlib.util.spec_from_file_location(
                __name__ + "._loop", spec.origin
            )
            _loop = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(_loop)
            sys.modules[spec.name] = _loop
            break
    if getattr(_loop, "KERNEL_VERSION", None) != KERNEL_VERSION:
        return None
    return _loop


kernel = _load_kernel()


# The locks of the generators the kernel draws from (it takes them as NumPy
# does). A fork while another thread holds one leaves the child a lock held by
# a thread it does not have, and its next draw waits forever; so they are
# held around every fork, as the ``logging`` module holds its own locks.
_generator_locks = weakref.WeakSet()
_held_for_fork = []


def _before_fork():
    # (In one order, so that two threads forking at once cannot deadlock.)
    locks = {np.random.mtrand._rand._bit_generator.lock, *_generator_locks}
    locks = sorted(locks, key=id)
    for lock in locks:
        lock.acquire()
    _held_for_fork[:] = locks


def _after_fork():
    # Taken before the first release lets another fork's handler run.
    locks, _held_for_fork[:] = list(_held_for_fork), []
    for lock in locks:
        lock.release()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(
        before=_before_fork, after_in_parent=_after_fork, after_in_child=_after_fork
    )


@contextmanager
def engine(name):
    """Force the ``"numpy"`` or the ``"compiled"`` engine (None: by cost)
    for the fits made inside the context."""
    global _forced
    previous, _forced = _forced, name
    try:
        yield
    finally:
        _forced = previous


def chosen(network, solver, X, batch_size, random_state):
    """Whether the compiled kernel trains this fit: it covers it and, unless
    an engine is forced, it costs less than the NumPy engine.

    It covers dense float32/float64 data, sgd and adam, every unit and loss,
    with or without a validation set and listeners (the kernel then hands
    each epoch back to ``_training``, see :class:`Epochs`); not a
    ``random_state`` without a bit generator to draw the orders from (a
    NumPy that no longer has ``RandomState._bit_generator``).
    """
    if (
        _forced == "numpy"
        or kernel is None
        or not hasattr(random_state, "_bit_generator")
        or not isinstance(X, np.ndarray)
        or X.dtype not in (np.float32, np.float64)
        or not isinstance(solver, (SGD, Adam))
    ):
        return False
    if _forced == "compiled":
        return True
    return network.n_coefs * batch_size <= MAX_WORK_PER_BATCH


class Epochs:
    """A fit's epochs in the kernel: the kernel's :class:`Trainer` made for
    ``network`` and ``solver`` over the training data, whose weights and
    solver state it updates in place.

    :meth:`train` runs the whole fit, the end of each epoch included (the
    loss curve, the schedule, the plateau count); :meth:`run_epoch` runs one
    epoch and hands it back, for ``_training``'s loop to end it in Python
    (a validation set, listeners). A Ctrl-C interrupts either within
    milliseconds, with the state of the steps taken.
    """

    def __init__(
        self,
        network,
        solver,
        X,
        y,
        sample_weight,
        *,
        batch_size,
        shuffle,
        alpha,
        random_state,
    ):
        dtype = network.dtype
        self.X = np.ascontiguousarray(X, dtype)
        self.y = np.ascontiguousarray(y, dtype)
        self.sample_weight = (
            None
            if sample_weight is None
            else np.ascontiguousarray(sample_weight, dtype)
        )
        self.params, self.solver = network.params, solver
        self.trainer = trainer = kernel.Trainer(
            network.layer_units,
            hidden=unit_code(network.activation),
            output=unit_code(network.output_activation),
            loss=loss_code(network.loss.name),
            fit_intercept=network.fit_intercept,
            batch_size=batch_size,
            dtype=dtype,
        )
        state = solver.state()
        # The step size and its schedule, the same for either solver.
        step = dict(
            learning_rate=solver.learning_rate,
            learning_rate_init=solver.learning_rate_init,
            schedule=int(kernel.Schedule[solver.schedule.upper()]),
            horizon=solver.horizon,
            epoch=solver.epoch,
        )
        if isinstance(solver, SGD):
            trainer.use_sgd(
                momentum=solver.momentum,
                nesterov=solver.nesterovs_momentum,
                power_t=solver.power_t,
                velocity=state["momentum_velocity"],
                **step,
            )
        else:
            trainer.use_adam(
                beta_1=solver.beta_1,
                beta_2=solver.beta_2,
                epsilon=solver.epsilon,
                t=state["t"],
                first_moment=state["first_moment"],
                second_moment=state["second_moment"],
                **step,
            )
        trainer.stop_rule(alpha=alpha, tol=0.0, n_iter_no_change=np.inf)
        # The kernel draws each epoch's order from the generator itself, as
        # ``random_state.permutation`` would, under its lock as NumPy draws.
        shuffled = shuffle and batch_size < self.X.shape[0]
        self.bit_generator = random_state._bit_generator if shuffled else None
        if shuffled:
            _generator_locks.add(self.bit_generator.lock)

    def _read_solver(self):
        """Set the solver's scalars after the kernel's steps (its vectors are
        updated in place); return the trainer's progress."""
        progress = self.trainer.progress
        self.solver.learning_rate = progress["learning_rate"]
        self.solver.epoch = progress["epoch"]
        if isinstance(self.solver, Adam):
            self.solver.t = progress["adam_t"]
        return progress

    def run_epoch(self):
        """One epoch at the solver's current learning rate; its loss."""
        self.trainer.learning_rate = self.solver.learning_rate
        self.trainer.epoch = self.solver.epoch
        try:
            return self.trainer.run_epoch(
                self.X, self.y, self.sample_weight, self.params, self.bit_generator
            )
        finally:
            self._read_solver()

    def scorer(self, validation):
        """``() -> (loss, score)`` of a ``_training.Validation`` by the
        kernel, as ``_training._record_validation`` scores it; None when the
        kernel cannot (sparse rows, a score it does not know)."""
        codes = {None: "LOSS_ONLY", "accuracy": "ACCURACY", "r2": "R2"}
        name = None if validation.score is None else validation.score_name
        if not isinstance(validation.X, np.ndarray) or name not in codes:
            return None
        dtype = self.X.dtype
        X = np.ascontiguousarray(validation.X, dtype)
        y = np.ascontiguousarray(validation.y, dtype)
        sample_weight = validation.sample_weight
        if sample_weight is not None:
            sample_weight = np.ascontiguousarray(sample_weight, dtype)
        score = int(kernel.Score[codes[name]])

        def scorer():
            return self.trainer.evaluate(X, y, sample_weight, self.params, score)

        return scorer

    def train(self, *, epochs, tol, n_iter_no_change, alpha, history):
        """Run up to ``epochs`` epochs, as ``_training``'s loop would without
        a validation set or listeners; update ``history`` in place.

        Returns how the run ended: ``"plateau"`` (the loss stopped improving),
        ``"diverged"`` (the last epoch's loss, recorded, is not finite) or
        None (every epoch ran).
        """
        trainer = self.trainer
        trainer.stop_rule(alpha=alpha, tol=tol, n_iter_no_change=n_iter_no_change)
        trainer.resume(
            best_loss=history.best_loss,
            no_improvement_count=history.no_improvement_count,
            samples_seen=history.t,
        )
        loss_curve = np.empty(epochs, np.float64)
        status = None
        try:
            _, status = trainer.train_epochs(
                self.X,
                self.y,
                self.sample_weight,
                self.params,
                self.bit_generator,
                loss_curve,
            )
        finally:
            # Also after a Ctrl-C, so that an interrupted fit's state is whole.
            progress = self._read_solver()
            ran = trainer.epochs_run
            history.n_iter += ran
            history.t = progress["samples_seen"]
            history.loss_curve.extend(loss_curve[:ran].tolist())
            history.best_loss = progress["best_loss"]
            history.no_improvement_count = progress["no_improvement_count"]
        return {
            kernel.Status.RAN: None,
            kernel.Status.CONVERGED: "plateau",
            kernel.Status.DIVERGED: "diverged",
        }[status]

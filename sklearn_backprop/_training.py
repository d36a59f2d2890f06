"""The epoch loop: batching, shuffling, schedules, early stopping, listeners.

Nothing here knows scikit-learn's estimator API, nor which engine runs: the
estimators hand over a network (of either engine, see ``_engines``), arrays,
a solver and a :class:`History`, and read the history back as fitted
attributes.
"""

import math
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize
from sklearn.exceptions import ConvergenceWarning

from . import _fast
from ._array_api import all_finite, device_namespace
from ._network import quiet_floating_point
from ._threads import sized_by


@dataclass
class History:
    """What training records, epoch after epoch. It becomes the estimator's
    fitted attributes, from which it is rebuilt when training continues."""

    loss_curve: list = field(default_factory=list)
    validation_scores: list | None = None
    validation_loss_curve: list | None = None
    # The epoch (1-based, as in loss_curve) at which each validation loss
    # and score was measured: a validation set may join a later warm start.
    validation_epochs: list | None = None
    best_loss: float = np.inf
    best_validation_score: float | None = None
    no_improvement_count: int = 0
    n_iter: int = 0
    t: int = 0


@dataclass
class Validation:
    """A held-out set scored after every epoch.

    ``score(y, output, sample_weight)`` returns the estimator's score (accuracy
    or R^2) from encoded targets and the network's output, and
    ``score_name`` says which (``"accuracy"`` or ``"r2"``), for an engine
    that computes it itself; ``labels`` and ``inputs`` are the targets and the
    features as given to fit (before the estimator preprocesses them), for
    listeners that score the estimator itself.
    """

    X: object
    y: np.ndarray
    sample_weight: np.ndarray | None
    score: object
    labels: object = None
    score_name: str | None = None
    inputs: object = None


class Listener:
    """Receives training events; every method does nothing by default.

    The one path for training events: ``verbose`` (:class:`VerboseListener`)
    and scikit-learn's callbacks (``_callbacks.CallbackListener``) are both
    listeners. An epoch's events name it by its position in the
    :class:`History`. The loop calls them live, after each epoch, whichever
    engine runs the epochs (the compiled one hands each back, see ``_fast``).
    """

    def on_epoch_begin(self, history):
        """Called before each epoch (each L-BFGS iteration)."""

    def on_epoch_end(self, history, epoch, elapsed):
        """Called after epoch number ``epoch`` (1-based, counted across warm
        starts: ``history.loss_curve[epoch - 1]`` is its loss) is recorded,
        ``elapsed`` seconds into the run.

        Return True to stop training after this epoch.
        """

    def on_train_end(self, history, stop):
        """Called once when the loop ends normally, with its :class:`Stop`."""


@dataclass(frozen=True)
class Stop:
    """Why training ended: a short ``reason`` code and a sentence for people.

    ``reason`` is one of ``"tol"`` (the training loss stopped improving),
    ``"early_stopping"`` (the validation score stopped improving),
    ``"max_iter"``, ``"max_fun"``, ``"callback"`` (a listener asked to stop),
    ``"partial_fit"`` (one epoch done), ``"lbfgs"`` (L-BFGS converged),
    ``"diverged"`` (the best epoch of early stopping kept) or
    ``"interrupted"`` (Ctrl-C).
    """

    reason: str
    message: str


class VerboseListener(Listener):
    """Prints one ``key=value`` line per epoch, stable for parsing::

    epoch=3 loss=0.41230017 validation_loss=0.4501 validation_score=0.9 time=0.012s

    and a last line saying why training stopped::

    stopped=tol n_iter=37 the training loss did not improve by tol=0.0001 ...
    """

    def on_epoch_end(self, history, epoch, elapsed):
        parts = [f"epoch={epoch}", f"loss={history.loss_curve[epoch - 1]:.8f}"]
        # Only a validation set of this fit was measured at this epoch; an
        # earlier fit's, kept across a warm start, was not.
        if _validated_at(history, epoch):
            parts.append(f"validation_loss={history.validation_loss_curve[-1]:.8f}")
            if history.validation_scores:
                parts.append(f"validation_score={history.validation_scores[-1]:.8f}")
        parts.append(f"time={elapsed:.3f}s")
        print(" ".join(parts), flush=True)

    def on_train_end(self, history, stop):
        print(f"stopped={stop.reason} n_iter={history.n_iter} {stop.message}")


def _validated_at(history, epoch):
    """Whether the validation set was measured after epoch ``epoch``."""
    return bool(history.validation_epochs) and history.validation_epochs[-1] == epoch


def _new_validation_scores(history, first_epoch):
    """The validation scores measured after epoch ``first_epoch`` (this fit's)."""
    return [
        score
        for score, epoch in zip(
            history.validation_scores or (),
            history.validation_epochs or (),
            strict=True,
        )
        if epoch > first_epoch
    ]


def _epoch_begin(listeners, history):
    for listener in listeners:
        listener.on_epoch_begin(history)


def _epoch_end(listeners, history, started):
    """Tell every listener the epoch ended; whether one of them asks to stop."""
    elapsed = time.perf_counter() - started
    epoch = len(history.loss_curve)
    stop = False
    for listener in listeners:
        stop |= bool(listener.on_epoch_end(history, epoch, elapsed))
    return stop


def _train_end(listeners, history, stop):
    """Tell every listener training ended. The weights are final by then:
    Ctrl-C in a listener keeps them (and skips the listeners after it)."""
    try:
        for listener in listeners:
            listener.on_train_end(history, stop)
    except KeyboardInterrupt:
        # (up to about the estimator's fit, from either training loop)
        warn_interrupted_end(stacklevel=5)


def warn_interrupted_end(stacklevel):
    """The warning of a Ctrl-C after training, while listeners or callbacks
    ended the fit: the model is kept."""
    warnings.warn(
        "Training interrupted by user after it ended, while callbacks or "
        "verbose output wrapped up: the fitted model was kept.",
        UserWarning,
        stacklevel=stacklevel + 1,
    )


def _divergence_error(epoch, cause, advice):
    """The error of a fit whose loss or weights stopped being finite."""
    return ValueError(
        f"Training diverged: {cause} at epoch {epoch}. {advice} The estimator "
        "was left as it was before this fit."
    )


# What to change when a stochastic solver diverges, and when L-BFGS does (it
# has no learning rate to lower). Then the scale of the data: extreme X, or
# a regressor's extreme unscaled targets, overflow whatever the step.
STOCHASTIC_ADVICE = (
    "Lower learning_rate_init, or standardise X (e.g. with StandardScaler) "
    "and, for a regressor, the targets (scale_target=True)."
)
LBFGS_ADVICE = (
    "L-BFGS has no learning rate: standardise X (e.g. with StandardScaler) "
    "and, for a regressor, the targets (scale_target=True), raise alpha, or "
    "look for extreme values in X."
)


def _weights_are_finite(params):
    """Whether the weights and their squared norm are finite: weights beyond
    about 1e154 (float64) can be neither penalised nor trained further."""
    with quiet_floating_point():
        return math.isfinite(float(params @ params))


def _finish(
    params, history, *, diverged, interrupted, best_params, first_epoch, advice
):
    """End a fit: keep the best weights (under early stopping), report a
    divergence or an interrupt, and check the weights the fit returns.

    ``best_params`` is None unless early stopping tracked the best epoch;
    ``first_epoch`` is the index in ``history`` of this fit's first epoch.
    Raises ValueError when the fit has no usable model to return (the
    estimator then rolls back).
    """
    new_scores = _new_validation_scores(history, first_epoch)
    has_best = best_params is not None and history.best_validation_score is not None
    epoch = len(history.loss_curve)
    if diverged and not has_best:
        raise _divergence_error(
            epoch, f"the loss became {history.loss_curve[-1]}", advice
        )
    if has_best:
        params[...] = best_params
    elif best_params is not None and new_scores:
        raise ValueError(
            "No epoch gave a finite validation score: the network's outputs on "
            "the validation set overflowed, so early stopping has no epoch to "
            "keep. Scale X and the validation data alike (e.g. with "
            "StandardScaler), or set early_stopping=False."
        )
    if not _weights_are_finite(params):
        raise _divergence_error(epoch, "the weights overflowed", advice)
    if diverged:
        warnings.warn(
            f"Training diverged: the loss became {history.loss_curve[-1]} at "
            f"epoch {epoch}. The weights of the best epoch (validation score "
            f"{history.best_validation_score:.6g}) were kept. {advice}",
            ConvergenceWarning,
            stacklevel=3,
        )
    elif not all(math.isfinite(score) for score in new_scores):
        warnings.warn(
            "The network's outputs on the validation set overflowed at some "
            "epochs (recorded as nan in validation_scores_): the validation "
            "rows hold values far outside the training data. Scale X and the "
            "validation data alike (e.g. with StandardScaler).",
            UserWarning,
            stacklevel=3,
        )
    if interrupted:
        warnings.warn(
            f"Training interrupted by user after {history.n_iter} epochs: the "
            "weights trained so far were kept (under early stopping, those of "
            "the best epoch).",
            UserWarning,
            stacklevel=3,
        )


def _record_validation(network, validation, history, scorer=None):
    """Record the validation loss and score; the score is nan when the
    network's outputs on the validation set are not finite. ``scorer``: an
    engine's own ``() -> (loss, score)`` for this set (see
    ``_fast.Epochs.scorer``)."""
    history.validation_epochs.append(len(history.loss_curve))
    if scorer is not None:
        loss, score = scorer()
        history.validation_loss_curve.append(loss)
        if validation.score is not None:
            history.validation_scores.append(score)
        return
    output, loss = network.evaluate(
        validation.X, validation.y, validation.sample_weight
    )
    history.validation_loss_curve.append(loss)
    if validation.score is not None:
        score = math.nan
        if all_finite(output):
            score = validation.score(validation.y, output, validation.sample_weight)
        history.validation_scores.append(float(score))


class _BatchSource:
    """The batches of an epoch: the data itself when one batch holds every
    row, views of it in order, or shuffled rows gathered into reused buffers."""

    def __init__(self, X, y, sample_weight, batch_size, shuffle):
        self.X, self.y, self.sample_weight = X, y, sample_weight
        self.n_samples = X.shape[0]
        self.batch_size = batch_size
        # One batch holding every row needs no shuffle: the gradient is a sum.
        self.shuffle = shuffle and batch_size < self.n_samples
        self.dense = isinstance(X, np.ndarray)
        # Arrays of another namespace (the array API engine's) are gathered
        # on their device, by an order drawn on the host once per epoch.
        self._device_xp = self._device = None
        if not self.dense:
            self._device_xp, self._device = device_namespace(X) or (None, None)
        # The batches of every epoch when they are the same each time (the
        # data itself, or views of it), made once; None otherwise.
        if batch_size >= self.n_samples:
            self._fixed = [(X, y, sample_weight)]
        elif not self.shuffle and self.dense:
            self._fixed = [
                self._rows(slice(start, start + batch_size))
                for start in range(0, self.n_samples, batch_size)
            ]
        else:
            self._fixed = None
        if self.shuffle and self.dense:
            self._X_buffer = np.empty((batch_size, X.shape[1]), X.dtype)
            self._y_buffer = np.empty((batch_size, y.shape[1]), y.dtype)
            if sample_weight is not None:
                self._sw_buffer = np.empty(batch_size, sample_weight.dtype)

    def batches(self, random_state):
        """The ``(X, y, sample_weight)`` batches of one epoch."""
        if self._fixed is not None:
            return self._fixed
        # (Stops within bounds: the array API leaves others unspecified.)
        n, size = self.n_samples, self.batch_size
        bounds = [(i, min(i + size, n)) for i in range(0, n, size)]
        if not self.shuffle:
            return (self._rows(slice(i, stop)) for i, stop in bounds)
        order = random_state.permutation(self.n_samples)
        if self._device_xp is not None:
            order = self._device_xp.asarray(order, device=self._device)
        return (self._gather(order[i:stop]) for i, stop in bounds)

    def _rows(self, rows):
        sw = None if self.sample_weight is None else self.sample_weight[rows]
        return self.X[rows, ...], self.y[rows, ...], sw

    def _gather(self, index):
        sw = None
        xp = self._device_xp
        if xp is not None:
            if self.sample_weight is not None:
                sw = xp.take(self.sample_weight, index)
            return xp.take(self.X, index, axis=0), xp.take(self.y, index, axis=0), sw
        if not self.dense:
            if self.sample_weight is not None:
                sw = self.sample_weight[index]
            return self.X[index], self.y[index], sw
        n = index.shape[0]
        # mode="clip" (the indices are valid anyway) spares NumPy the
        # temporary copy it makes for mode="raise" with ``out``.
        X = self.X.take(index, axis=0, out=self._X_buffer[:n], mode="clip")
        y = self.y.take(index, axis=0, out=self._y_buffer[:n], mode="clip")
        if self.sample_weight is not None:
            sw = self.sample_weight.take(index, out=self._sw_buffer[:n], mode="clip")
        return X, y, sw


@sized_by(
    lambda network, solver, X, *args, batch_size, **kwargs: (
        network.layer_units,
        min(batch_size, X.shape[0]),
    )
)
def train_stochastic(
    network,
    solver,
    X,
    y,
    sample_weight,
    *,
    batch_size,
    shuffle,
    max_iter,
    tol,
    n_iter_no_change,
    alpha,
    random_state,
    history,
    validation=None,
    early_stopping=False,
    listeners=(),
    incremental=False,
):
    """Train ``network`` in place with a stochastic solver.

    Parameters
    ----------
    network : Network
    solver : SGD or Adam
    X, y, sample_weight : arrays
        Training data, targets as the output layer sees them.
    batch_size : int
        Rows per update; ``>= n_samples`` is full-batch gradient descent.
    shuffle : bool
        Visit the rows in a new random order each epoch.
    max_iter : int
        Epochs at most (one when ``incremental``).
    tol, n_iter_no_change : float, int
        A plateau is ``n_iter_no_change`` epochs in a row without the training
        loss falling (or, with ``early_stopping``, the validation score rising)
        by ``tol``.
    alpha : float
        L2 penalty.
    random_state : numpy.random.RandomState
    history : History
        Updated in place.
    validation : Validation, optional
        Scored and its loss recorded after every epoch.
    early_stopping : bool
        Stop on the validation score and keep the best weights seen.
    listeners : sequence of Listener
    incremental : bool
        One epoch, as ``partial_fit``: no convergence warning.
    """
    batch_size = min(batch_size, X.shape[0])
    epochs = 1 if incremental else max_iter
    history.n_iter = history.n_iter if incremental else 0
    first_epoch = len(history.loss_curve)
    stop = None
    diverged = interrupted = False
    compiled = None
    if _fast.chosen(network, solver, X, batch_size, random_state):
        # A small network: its epochs in compiled code (see _fast).
        compiled = _fast.Epochs(
            network,
            solver,
            X,
            y,
            sample_weight,
            batch_size=batch_size,
            shuffle=shuffle,
            alpha=alpha,
            random_state=random_state,
        )
    if compiled is not None and validation is None and not listeners:
        # Nothing needs Python after an epoch: the whole fit in the kernel.
        try:
            ending = compiled.train(
                epochs=epochs,
                tol=tol,
                n_iter_no_change=n_iter_no_change,
                alpha=alpha,
                history=history,
            )
        except KeyboardInterrupt:
            interrupted = True
        else:
            diverged = ending == "diverged"
            if ending == "plateau":
                stop = _plateau_stop(False, tol, n_iter_no_change)
        _end_stochastic(
            network.params,
            history,
            listeners,
            stop,
            diverged=diverged,
            interrupted=interrupted,
            best_params=None,
            first_epoch=first_epoch,
            incremental=incremental,
            max_iter=max_iter,
            tol=tol,
        )
        return
    scorer = None
    if compiled is not None:
        run_epoch = compiled.run_epoch
        if validation is not None:
            scorer = compiled.scorer(validation)
    else:
        run_epoch = _numpy_epochs(
            network, solver, X, y, sample_weight, batch_size, shuffle, alpha,
            random_state,
        )  # fmt: skip
    params = network.params
    track_best = early_stopping and validation is not None
    best_params = None
    if track_best:
        best_params = network.new_vector()
        best_params[...] = params
    started = time.perf_counter()
    loss_curve, n_samples = history.loss_curve, X.shape[0]
    with quiet_floating_point():
        try:
            for _ in range(epochs):
                if listeners:
                    _epoch_begin(listeners, history)
                epoch_loss = run_epoch()
                history.n_iter += 1
                history.t += n_samples
                loss_curve.append(epoch_loss)
                if validation is not None:
                    _record_validation(network, validation, history, scorer)
                if not math.isfinite(epoch_loss):
                    diverged = True
                    break
                asked_to_stop = listeners and _epoch_end(listeners, history, started)
                solver.end_epoch(history.t)
                improved = _update_plateau_count(history, epoch_loss, tol, track_best)
                if improved and track_best:
                    best_params[...] = params
                if asked_to_stop:
                    stop = Stop("callback", "a callback asked to stop training.")
                    break
                if history.no_improvement_count > n_iter_no_change:
                    if solver.on_plateau():
                        stop = _plateau_stop(track_best, tol, n_iter_no_change)
                        break
                    history.no_improvement_count = 0
        except KeyboardInterrupt:
            interrupted = True
    _end_stochastic(
        params,
        history,
        listeners,
        stop,
        diverged=diverged,
        interrupted=interrupted,
        best_params=best_params,
        first_epoch=first_epoch,
        incremental=incremental,
        max_iter=max_iter,
        tol=tol,
    )


def _numpy_epochs(
    network, solver, X, y, sample_weight, batch_size, shuffle, alpha, random_state
):
    """The epoch of the engine's own arithmetic (NumPy or array API): a
    function that runs one epoch and returns its loss."""
    source = _BatchSource(X, y, sample_weight, batch_size, shuffle)
    workspace = network.workspace(batch_size)
    grad = network.new_vector()
    # Looked up once: an epoch of the documents' network takes microseconds.
    loss_and_gradient, step, params = (
        network.loss_and_gradient,
        solver.step,
        network.params,
    )

    def run_epoch():
        loss_sum = weight_sum = 0.0
        scale = solver.gradient_scale
        for X_batch, y_batch, sw_batch in source.batches(random_state):
            loss, batch_weight = loss_and_gradient(
                X_batch, y_batch, sw_batch, alpha, workspace, grad, scale
            )
            if batch_weight:
                step(params, grad)
            loss_sum += loss * batch_weight
            weight_sum += batch_weight
        # (An engine may keep its losses on its device until read.)
        return float(loss_sum) / weight_sum if weight_sum else 0.0

    return run_epoch


def _end_stochastic(
    params,
    history,
    listeners,
    stop,
    *,
    diverged,
    interrupted,
    best_params,
    first_epoch,
    incremental,
    max_iter,
    tol,
):
    """End a stochastic fit, whichever loop ran it: ``_finish``, the
    :class:`Stop`, the max_iter warning and the listeners' train end."""
    _finish(
        params,
        history,
        diverged=diverged,
        interrupted=interrupted,
        best_params=best_params,
        first_epoch=first_epoch,
        advice=STOCHASTIC_ADVICE,
    )
    if diverged or interrupted:
        stop = _abort_stop(diverged)
    elif stop is None and incremental:
        stop = Stop("partial_fit", "one epoch over the data (partial_fit).")
    elif stop is None:
        stop = Stop("max_iter", f"max_iter={max_iter} epochs ran before convergence.")
        warnings.warn(
            _max_iter_message(max_iter, tol),
            ConvergenceWarning,
            # above: train_stochastic, its BLAS-threads wrapper, the estimator
            stacklevel=4,
        )
    _train_end(listeners, history, stop)


def _plateau_stop(on_validation, tol, n_iter_no_change):
    watched = "validation score" if on_validation else "training loss"
    return Stop(
        "early_stopping" if on_validation else "tol",
        f"the {watched} did not improve by tol={tol} for "
        f"n_iter_no_change={n_iter_no_change} epochs in a row"
        + ("; the best weights were kept." if on_validation else "."),
    )


def _max_iter_message(max_iter, tol):
    """What a stochastic fit that ran all ``max_iter`` epochs tells the user."""
    if tol == 0:
        # With tol=0 only a loss (or validation score) that stops improving
        # at all stops the fit: a fixed number of epochs, as the documents run.
        return (
            f"Maximum iterations ({max_iter}) reached: with tol=0 training stops "
            "early only when the loss (or, with early_stopping, the validation "
            "score) stops improving altogether, so it ran all "
            f"{max_iter} epochs. That is expected for a fixed number of epochs; "
            "set tol > 0 to stop once the loss levels off."
        )
    return (
        f"Maximum iterations ({max_iter}) reached and the optimization hasn't "
        "converged yet. Increase max_iter, or raise learning_rate_init."
    )


def _update_plateau_count(history, loss, tol, on_validation):
    """Count epochs without improvement by ``tol`` of the training ``loss``
    (or of the validation score); return whether the monitored quantity
    reached a new best."""
    if on_validation:
        score = history.validation_scores[-1]
        best = history.best_validation_score
        best = -np.inf if best is None else best
        # (``not >=``: a nan score, from overflowing outputs, is no improvement)
        history.no_improvement_count = (
            history.no_improvement_count + 1 if not score >= best + tol else 0
        )
        improved = score > best
        if improved:
            history.best_validation_score = score
        history.best_loss = min(history.best_loss, loss)
        return improved
    best_loss = history.best_loss
    history.no_improvement_count = (
        history.no_improvement_count + 1 if loss > best_loss - tol else 0
    )
    improved = loss < best_loss
    if improved:
        history.best_loss = loss
    if history.validation_scores and _validated_at(history, len(history.loss_curve)):
        best = history.best_validation_score
        score = history.validation_scores[-1]
        if math.isfinite(score) and (best is None or score > best):
            history.best_validation_score = score
    return improved


@sized_by(lambda network, X, *args, **kwargs: (network.layer_units, X.shape[0]))
def train_lbfgs(
    network,
    X,
    y,
    sample_weight,
    *,
    alpha,
    max_iter,
    max_fun,
    tol,
    history,
    validation=None,
    listeners=(),
):
    """Train ``network`` in place by L-BFGS-B on the full data set.

    One iteration of L-BFGS is recorded as one epoch in ``history``.
    """
    workspace = network.workspace(X.shape[0])
    grad = network.new_vector()
    started = time.perf_counter()
    overflows = 0  # evaluations whose loss was not finite

    def loss_and_gradient(flat_params):
        nonlocal overflows
        network.set_flat(flat_params)
        loss, _ = network.loss_and_gradient(X, y, sample_weight, alpha, workspace, grad)
        loss = float(loss)
        overflows += not math.isfinite(loss)
        # L-BFGS keeps the gradients it is given: hand it a float64 copy on
        # the host, the only array that leaves the engine.
        return loss, network.host_float64(grad)

    first_epoch = len(history.loss_curve)
    accepted = network.host_float64(network.params)  # the last accepted iterate

    def on_iteration(intermediate_result):
        np.copyto(accepted, intermediate_result.x)
        history.loss_curve.append(float(intermediate_result.fun))
        history.t += X.shape[0]
        history.n_iter += 1
        network.set_flat(intermediate_result.x)
        if validation is not None:
            _record_validation(network, validation, history)
        if listeners:
            if _epoch_end(listeners, history, started):
                # SciPy ends L-BFGS when its callback raises StopIteration.
                raise StopIteration
            _epoch_begin(listeners, history)

    history.n_iter = 0
    if listeners:
        _epoch_begin(listeners, history)
    result, interrupted = None, False
    with quiet_floating_point():
        try:
            result = minimize(
                loss_and_gradient,
                accepted.copy(),
                method="L-BFGS-B",
                jac=True,
                callback=on_iteration,
                options={"maxiter": max_iter, "maxfun": max_fun, "gtol": tol},
            )
        except KeyboardInterrupt:
            interrupted = True
    if result is None:
        # Interrupted: the last accepted iterate, not a line search's trial.
        network.set_flat(accepted)
        history.n_iter = len(history.loss_curve) - first_epoch
        diverged = False
    else:
        network.set_flat(result.x)
        history.n_iter = int(result.nit)
        diverged = not math.isfinite(result.fun)
        if diverged:
            history.loss_curve.append(float(result.fun))
    losses = history.loss_curve[first_epoch:]
    if result is not None:
        losses = [*losses, float(result.fun)]
    history.best_loss = min([history.best_loss, *losses])
    scores = [
        s for s in _new_validation_scores(history, first_epoch) if math.isfinite(s)
    ]
    if scores:
        history.best_validation_score = max(scores)
    _finish(
        network.params,
        history,
        diverged=diverged,
        interrupted=interrupted,
        best_params=None,
        first_epoch=first_epoch,
        advice=LBFGS_ADVICE,
    )
    if overflows and result is not None:
        # L-BFGS takes an overflowing trial point as a failed line search:
        # it may then stop where it is and call that convergence, far from a
        # minimum (a loss of 1e20 for targets near 1).
        warnings.warn(
            f"The loss overflowed at {overflows} of {result.nfev} evaluations "
            "of L-BFGS (the network's outputs left the floating-point range): "
            "L-BFGS may have stopped far from a minimum (final loss "
            f"{result.fun:.6g}). {LBFGS_ADVICE}",
            ConvergenceWarning,
            stacklevel=3,
        )
    if result is None:
        stop = _abort_stop(False)
    else:
        stop = _lbfgs_stop(result, max_iter, max_fun)
    if result is not None and result.status not in (0, 99):
        warnings.warn(
            f"L-BFGS stopped before convergence ({result.message}). Increase "
            "max_iter or max_fun, or standardise X.",
            ConvergenceWarning,
            stacklevel=3,
        )
    _train_end(listeners, history, stop)


def _abort_stop(diverged):
    """The Stop of a fit that diverged after early stopping found a best epoch
    (else it raised), or that the user interrupted."""
    if diverged:
        return Stop(
            "diverged",
            "the loss stopped being finite; the weights of the best epoch were kept.",
        )
    return Stop(
        "interrupted",
        "interrupted by the user; the weights trained so far were kept.",
    )


def _lbfgs_stop(result, max_iter, max_fun):
    """Why SciPy's L-BFGS-B ended (``result.status``: 0 converged, 1 a limit
    reached, 99 its callback raised StopIteration)."""
    if result.status == 0:
        return Stop("lbfgs", f"L-BFGS converged ({result.message}).")
    if result.status == 99:
        return Stop("callback", "a callback asked to stop training.")
    if result.nfev >= max_fun:
        return Stop(
            "max_fun", f"max_fun={max_fun} loss evaluations ran ({result.message})."
        )
    if result.status == 1:
        return Stop(
            "max_iter", f"max_iter={max_iter} iterations ran before convergence."
        )
    return Stop("lbfgs", f"L-BFGS stopped: {result.message}.")

"""Update rules over the flat parameter vector of ``_network.Network``.

A stochastic solver turns the gradient of one batch into an in-place update of
``params`` (:meth:`step`), adjusts its learning rate between epochs
(:meth:`end_epoch`) and decides what a plateau means (:meth:`on_plateau`).
L-BFGS is not a step rule: it drives the whole fit, and lives in
``_training.train_lbfgs``. All solvers use the same gradient,
``Network.loss_and_gradient``.
"""

import math
from functools import partial

import numpy as np

STOCHASTIC_SOLVERS = ("sgd", "adam")


def cosine_rate(learning_rate_init, epoch, horizon):
    """The ``cosine`` schedule's learning rate for epoch ``epoch`` (counted
    from 0 within its cycle): from ``learning_rate_init`` down along half a
    cosine towards 0 at epoch ``horizon``, where a new cycle begins (a warm
    restart: ``partial_fit`` past ``max_iter`` epochs). The compiled loop
    computes the same expression."""
    position = math.fmod(epoch, horizon) / horizon
    return learning_rate_init * 0.5 * (1.0 + math.cos(math.pi * position))


class StochasticSolver:
    """What every stochastic update rule shares: a state vector per parameter
    and a learning rate; by default constant, and a plateau stops training.

    The ``cosine`` schedule is every solver's: the rate of epoch ``e`` of a
    fit is :func:`cosine_rate` of ``e`` and ``horizon`` (``max_iter``), so
    that it has come down near 0 when ``max_iter`` epochs have run.

    :meth:`step` receives the mean gradient of a batch multiplied by
    :attr:`gradient_scale`, which the engine folds into the division by the
    batch's weight it does anyway, on the output delta (see
    ``Network.loss_and_gradient``): no pass over the gradient for either.
    """

    gradient_scale = 1.0
    schedule = "constant"
    horizon = 1
    # Epochs run in the current cosine cycle.
    epoch = 0

    def _init_step(self, learning_rate_init, schedule, horizon):
        """The step size and its schedule, alike for every solver."""
        self.learning_rate_init = float(learning_rate_init)
        self.learning_rate = self.learning_rate_init
        self.schedule = schedule
        self.horizon = int(horizon)

    def _step_state(self):
        """The step's part of :meth:`state`, which :meth:`_restore_schedule`
        continues."""
        return {
            "learning_rate": self.learning_rate,
            "learning_rate_init": self.learning_rate_init,
            "schedule": self.schedule,
            "horizon": self.horizon,
            "epoch": self.epoch,
        }

    def end_epoch(self, samples_seen):
        """Adjust the learning rate after an epoch: the ``cosine`` schedule's
        next rate (nothing for a constant rate)."""
        if self.schedule == "cosine":
            self.epoch += 1
            self.learning_rate = cosine_rate(
                self.learning_rate_init, self.epoch, self.horizon
            )

    def _restore_schedule(self, state):
        """Continue the ``adaptive`` or ``cosine`` schedule of ``state`` (its
        rate, and the cosine's epoch) if it had the same schedule and
        ``learning_rate_init`` (and, for the cosine, the same horizon);
        otherwise the rate starts again from ``learning_rate_init``."""
        same = (state.get("schedule"), state.get("learning_rate_init")) == (
            self.schedule,
            self.learning_rate_init,
        )
        if self.schedule == "cosine":
            same = same and state.get("horizon") == self.horizon
        if same and self.schedule in ("adaptive", "cosine"):
            self.learning_rate = state["learning_rate"]
            self.epoch = state.get("epoch", 0)

    def on_plateau(self):
        """Return True to stop training when the loss stops improving."""
        return True

    def state(self):
        """What :meth:`restore` needs to continue, as a dict of arrays and
        Python scalars (kept by the estimator between ``partial_fit`` calls;
        no scratch buffers)."""
        raise NotImplementedError

    def restore(self, state, samples_seen):
        """Continue from ``state`` (of a solver of the same kind), applying
        this solver's own hyperparameters from the next step on."""
        raise NotImplementedError


class SGD(StochasticSolver):
    """Gradient descent with optional (Nesterov) momentum.

    With ``momentum=0`` a step is ``params -= learning_rate * grad``: the
    documents' ``weights += eta * activations.T @ delta`` once the mean
    gradient is scaled back to their sum (``learning_rate = eta * n_samples``).
    The engine hands :meth:`step` the product ``learning_rate * grad``
    (:attr:`gradient_scale` is the learning rate).

    Parameters
    ----------
    n_params : int
    dtype : numpy dtype
    learning_rate_init : float
    schedule : {"constant", "invscaling", "adaptive", "cosine"}
    momentum : float
    nesterovs_momentum : bool
    power_t : float
    zeros : callable, optional
        Returns a zero vector for the solver's state; by default a NumPy one
        of ``n_params`` and ``dtype`` (the array API engine passes its own,
        on its device).
    horizon : int, default=1
        The ``cosine`` schedule's cycle, in epochs (``max_iter``).
    """

    def __init__(
        self,
        n_params,
        dtype,
        learning_rate_init,
        schedule="constant",
        momentum=0.9,
        nesterovs_momentum=True,
        power_t=0.5,
        zeros=None,
        horizon=1,
    ):
        self.n_params = n_params
        self._init_step(learning_rate_init, schedule, horizon)
        self.momentum = float(momentum)
        self.nesterovs_momentum = nesterovs_momentum
        self.power_t = float(power_t)
        # ``momentum * velocity`` is kept rather than the velocity: the same
        # products in the same order, without a scratch vector.
        zeros = zeros or partial(np.zeros, n_params, dtype)
        self._momentum_velocity = zeros() if self.momentum else None

    @property
    def learning_rate(self):
        """The current learning rate; also :attr:`gradient_scale`, since
        :meth:`step` takes ``learning_rate * grad``."""
        return self.gradient_scale

    @learning_rate.setter
    def learning_rate(self, value):
        self.gradient_scale = float(value)

    def state(self):
        return {
            "solver": "sgd",
            **self._step_state(),
            "momentum": self.momentum,
            "momentum_velocity": self._momentum_velocity,
        }

    def restore(self, state, samples_seen):
        """Keep the velocity (rescaled to a new ``momentum``) and the
        ``adaptive`` and ``cosine`` schedules' progress; a changed
        ``learning_rate_init`` or schedule restarts the rate from
        ``learning_rate_init`` (``invscaling``: at ``samples_seen``)."""
        velocity = state["momentum_velocity"]
        if self.momentum and velocity is not None:
            # The stored quantity is momentum * velocity.
            self._momentum_velocity[...] = velocity
            if self.momentum != state["momentum"]:
                self._momentum_velocity *= self.momentum / state["momentum"]
        if self.schedule == "invscaling":
            self.end_epoch(samples_seen)
        self._restore_schedule(state)

    def step(self, params, scaled_grad):
        """Update ``params`` in place from ``learning_rate * grad`` of a batch."""
        state = self._momentum_velocity
        if state is None:
            params -= scaled_grad
            return
        state -= scaled_grad  # the velocity: momentum * velocity - rate * grad
        if self.nesterovs_momentum:
            state *= self.momentum
            # params += momentum * velocity - learning_rate * grad
            params -= scaled_grad
            params += state
        else:
            params += state
            state *= self.momentum

    def end_epoch(self, samples_seen):
        """Apply the ``invscaling`` schedule, ``eta0 / (t + 1) ** power_t``,
        or the ``cosine`` one."""
        if self.schedule == "invscaling":
            self.learning_rate = (
                self.learning_rate_init / (samples_seen + 1) ** self.power_t
            )
        else:
            super().end_epoch(samples_seen)

    def on_plateau(self):
        """Return True to stop; the ``adaptive`` schedule divides the rate by 5
        instead, until it falls below 1e-6."""
        if self.schedule != "adaptive" or self.learning_rate <= 1e-6:
            return True
        self.learning_rate /= 5.0
        return False


class Adam(StochasticSolver):
    """Adam (Kingma and Ba, 2014) with bias-corrected moment estimates.

    Parameters
    ----------
    n_params : int
    dtype : numpy dtype
    learning_rate_init : float
    beta_1, beta_2 : float
        Decay rates of the first and second moment estimates.
    epsilon : float
        Added to the root of the second moment, for numerical stability.
    zeros : callable, optional
        As for :class:`SGD`.
    schedule : {"constant", "cosine"}, default="constant"
    horizon : int, default=1
        As for :class:`SGD`.
    """

    def __init__(
        self,
        n_params,
        dtype,
        learning_rate_init,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        zeros=None,
        schedule="constant",
        horizon=1,
    ):
        self.n_params = n_params
        self._init_step(learning_rate_init, schedule, horizon)
        self.beta_1 = float(beta_1)
        self.beta_2 = float(beta_2)
        self.epsilon = float(epsilon)
        self.t = 0
        zeros = zeros or partial(np.zeros, n_params, dtype)
        self.first_moment = zeros()
        self.second_moment = zeros()
        # A buffer for the NumPy update; other namespaces update with operators.
        numpy_state = isinstance(self.first_moment, np.ndarray)
        self._scratch = np.empty(n_params, dtype) if numpy_state else None

    def state(self):
        return {
            "solver": "adam",
            **self._step_state(),
            "t": self.t,
            "first_moment": self.first_moment,
            "second_moment": self.second_moment,
        }

    def restore(self, state, samples_seen):
        """Keep the step count, the moment estimates and the ``cosine``
        schedule's progress."""
        self.t = state["t"]
        self.first_moment[...] = state["first_moment"]
        self.second_moment[...] = state["second_moment"]
        self._restore_schedule(state)

    def step(self, params, grad):
        """Update ``params`` in place from the gradient of one batch."""
        self.t += 1
        if self._scratch is None:
            self._step_operators(params, grad)
            return
        m, v, s = self.first_moment, self.second_moment, self._scratch
        m *= self.beta_1
        m += np.multiply(grad, 1 - self.beta_1, out=s)
        v *= self.beta_2
        np.square(grad, out=s)
        s *= 1 - self.beta_2
        v += s
        step_size = self._step_size()
        np.sqrt(v, out=s)
        s += self.epsilon
        np.divide(m, s, out=s)
        s *= step_size
        params -= s

    def _step_size(self):
        return (
            self.learning_rate
            * math.sqrt(1 - self.beta_2**self.t)
            / (1 - self.beta_1**self.t)
        )

    def _step_operators(self, params, grad):
        """The same update with array operators only, for the state vectors
        of any array API namespace (the NumPy one above reuses a buffer)."""
        m, v = self.first_moment, self.second_moment
        m *= self.beta_1
        m += grad * (1 - self.beta_1)
        v *= self.beta_2
        v += (grad * grad) * (1 - self.beta_2)
        params -= (m / (v**0.5 + self.epsilon)) * self._step_size()


def resolve_schedule(learning_rate, solver, incremental=False):
    """The schedule the estimators' ``learning_rate`` means for ``solver``:
    ``"auto"`` is ``"cosine"`` for Adam's ``fit`` and ``"constant"`` for SGD
    (the documents' rule, and scikit-learn MLP's default) and for
    ``partial_fit`` (``incremental``), which has no planned end for a cosine
    to come down to."""
    if learning_rate == "auto":
        return "cosine" if solver == "adam" and not incremental else "constant"
    return learning_rate


def make_solver(
    name,
    n_params,
    dtype,
    params,
    state=None,
    samples_seen=0,
    zeros=None,
    incremental=False,
):
    """The stochastic solver ``name`` configured from estimator parameters.

    Parameters
    ----------
    name : {"sgd", "adam"}
    n_params : int
    dtype : numpy dtype
    params : dict
        The estimator's ``get_params()``.
    state : dict, optional
        A previous solver's :meth:`~StochasticSolver.state`, to continue from
        (``partial_fit``); its hyperparameters give way to ``params``.
    samples_seen : int, default=0
        Training samples seen so far (for the ``invscaling`` schedule).
    zeros : callable, optional
        Makes the zero state vectors (see :class:`SGD`).
    incremental : bool, default=False
        For ``partial_fit`` (see :func:`resolve_schedule`).
    """
    if state is not None and state["solver"] != name:
        raise ValueError(
            f"partial_fit cannot continue the {state['solver']!r} solver's state "
            f"with solver={name!r}. Call fit to train with the new solver "
            "(with warm_start=True it starts from the current weights), or set "
            f"solver={state['solver']!r} back."
        )
    schedule = resolve_schedule(params["learning_rate"], name, incremental)
    if name == "sgd":
        solver = SGD(
            n_params,
            dtype,
            params["learning_rate_init"],
            schedule,
            params["momentum"],
            params["nesterovs_momentum"],
            params["power_t"],
            zeros,
            horizon=params["max_iter"],
        )
    else:
        solver = Adam(
            n_params,
            dtype,
            params["learning_rate_init"],
            params["beta_1"],
            params["beta_2"],
            params["epsilon"],
            zeros,
            # (invscaling and adaptive are SGD's, as in MLPClassifier)
            schedule="cosine" if schedule == "cosine" else "constant",
            horizon=params["max_iter"],
        )
    if state is not None:
        solver.restore(state, samples_seen)
    return solver

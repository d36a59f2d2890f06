"""scikit-learn's callback API (``sklearn.callback``, new in 1.9) over the
training events of :mod:`~sklearn_backprop._training`.

A fit (or ``partial_fit``) is one task with one subtask per epoch (per L-BFGS
iteration). :class:`CallbackListener` is a training-event listener like
``verbose``: it opens and closes the epoch tasks, hands the callbacks the data
to score and a snapshot of the model, and asks the loop to stop when a callback
returns True. With scikit-learn 1.6-1.8, which lack the module, the estimators
have no ``set_callbacks`` and train exactly as before.
"""

from ._training import Listener

try:
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # scikit-learn < 1.9
    CALLBACKS_AVAILABLE = False

    class CallbackSupportMixin:
        """Stands in for ``sklearn.callback.CallbackSupportMixin`` on
        scikit-learn < 1.9: no ``set_callbacks``, no callback context."""

else:
    CALLBACKS_AVAILABLE = True


def open_fit_task(estimator, max_subtasks):
    """The callback context of one fit call (None without ``sklearn.callback``).

    Opened even when the estimator has no callbacks of its own, as scikit-learn
    does, so that a meta-estimator's task tree links to this fit.
    """
    if not CALLBACKS_AVAILABLE:
        return None
    return estimator._init_callback_context(max_subtasks=max_subtasks)


def has_callbacks(estimator):
    """Whether callbacks are set on (or propagated to) ``estimator``."""
    return bool(getattr(estimator, "_skl_callbacks", None))


def task_metadata(sample_weight):
    """What the hooks receive as ``metadata`` (None when there are no weights)."""
    return None if sample_weight is None else {"sample_weight": sample_weight}


class CallbackListener(Listener):
    """Forwards training events to scikit-learn callbacks: one task per epoch.

    Parameters
    ----------
    estimator : estimator
        The estimator being fitted (what the hooks receive).
    context : sklearn.callback.CallbackContext
        The fit's root task.
    X, y, metadata :
        The data each epoch's hooks receive: the validation set when there is
        one (so that ``ScoringMonitor`` scores held-out data), else the
        training data.
    snapshot : callable
        Returns the fitted attributes as if training stopped now, what
        scikit-learn calls reconstruction attributes; called only by
        callbacks that ask for ``fitted_estimator``.
    task_name : str
        ``"epoch"``, or ``"iteration"`` for L-BFGS.
    """

    def __init__(self, estimator, context, X, y, metadata, snapshot, task_name):
        self.estimator, self.context = estimator, context
        self.data = {"X": X, "y": y, "metadata": metadata}
        self.snapshot, self.task_name = snapshot, task_name
        self._task = None

    def on_epoch_begin(self, history):
        self._task = self.context.subcontext(task_name=self.task_name)
        self._task.call_on_fit_task_begin(
            estimator=self.estimator,
            reconstruction_attributes=self.snapshot,
            **self.data,
        )

    def on_epoch_end(self, history, epoch, elapsed):
        task, self._task = self._task, None
        return task.call_on_fit_task_end(
            estimator=self.estimator,
            reconstruction_attributes=self.snapshot,
            **self.data,
        )

    def on_train_end(self, history, stop):
        if self._task is not None:
            # L-BFGS: the iteration begun after the last one never ran; end it
            # as an empty task so that every begin has its end (as scikit-learn's
            # LogisticRegression does).
            self._task.call_on_fit_task_end(estimator=self.estimator)
            self._task = None

"""
Validation data in a pipeline, and callbacks
============================================

A validation set is passed to ``fit`` as ``X_val`` and ``y_val``, the way of
scikit-learn's HistGradientBoosting. Inside a
:class:`~sklearn.pipeline.Pipeline` the earlier steps must transform it as
they transform ``X``: metadata routing with ``transform_input=["X_val"]`` does
that. scikit-learn's callbacks (:mod:`sklearn.callback`, scikit-learn 1.9)
then watch every epoch: :class:`~sklearn.callback.ScoringMonitor` scores the
validation set, and a callback of our own stops training.
"""

# %%
# Data
# ----
# The breast cancer features range from about 0.001 to 4000: a network needs
# them standardised, so the scaler belongs in the pipeline.
import warnings

import matplotlib.pyplot as plt
import sklearn
from sklearn.callback import ScoringMonitor
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_backprop import BackpropClassifier

X, y = load_breast_cancer(return_X_y=True)
X_train, X_val, y_train, y_val = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)


# %%
# The validation set through the pipeline
# ---------------------------------------
# The network asks for ``X_val`` and ``y_val`` (``set_fit_request``); the
# pipeline transforms ``X_val`` with the scaler fitted on ``X_train``. The
# same network, given the untransformed ``X_val`` directly, scores data it
# has never seen the like of, and its fit says so: a ``UserWarning`` (printed
# below) that ``X_val`` lies far from ``X``, pointing at ``transform_input``.
def make_network():
    return BackpropClassifier(max_iter=60, tol=0, random_state=0)


with sklearn.config_context(enable_metadata_routing=True), warnings.catch_warnings():
    # tol=0: the curves run all 60 epochs on purpose.
    warnings.simplefilter("ignore", ConvergenceWarning)
    routed = Pipeline(
        [
            ("scale", StandardScaler()),
            ("net", make_network().set_fit_request(X_val=True, y_val=True)),
        ],
        transform_input=["X_val"],
    ).fit(X_train, y_train, X_val=X_val, y_val=y_val)
    scaled_X_train = StandardScaler().fit_transform(X_train)
    unscaled_val = make_network().fit(scaled_X_train, y_train, X_val=X_val, y_val=y_val)

fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
ax.plot(routed[-1].validation_scores_, label="X_val through the pipeline")
ax.plot(unscaled_val.validation_scores_, label="X_val not transformed")
ax.set(xlabel="epoch", ylabel="validation accuracy")
ax.legend()
print(
    f"final validation accuracy: routed {routed[-1].validation_scores_[-1]:.3f}, "
    f"untransformed {unscaled_val.validation_scores_[-1]:.3f}"
)


# %%
# Callbacks: a score per epoch, and stopping
# ------------------------------------------
# Each epoch is a task of the fit. Its hooks receive the validation set (the
# transformed one here) and a copy of the model as of that epoch
# (``fitted_estimator``), so :class:`~sklearn.callback.ScoringMonitor` scores
# held-out data with any scorer. A callback is any object with the four hook
# methods; one whose ``on_fit_task_end`` returns True stops training. (The
# fit itself is a task too, named ``"fit"``: hence the ``task_name`` check.)
class StopWhenGoodEnough:
    """Stop once the model as of an epoch reaches ``accuracy`` on X_val."""

    def __init__(self, accuracy):
        self.accuracy = accuracy

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(
        self, estimator, context, *, X=None, y=None, fitted_estimator=None
    ):
        # scikit-learn passes the keyword arguments a hook names: here the
        # epoch's data and the model as of that epoch.
        if context.task_name != "epoch":
            return False
        return fitted_estimator.score(X, y) >= self.accuracy


monitor = ScoringMonitor(scoring=["neg_log_loss", "roc_auc"])
network = make_network().set_callbacks(monitor, StopWhenGoodEnough(0.95))
with sklearn.config_context(enable_metadata_routing=True):
    pipeline = Pipeline(
        [
            ("scale", StandardScaler()),
            ("net", network.set_fit_request(X_val=True, y_val=True)),
        ],
        transform_input=["X_val"],
    ).fit(X_train, y_train, X_val=X_val, y_val=y_val)

scores = monitor.get_logs().data_as_pandas
scores = scores[scores["task_name"] == "epoch"]
print(f"stopped after {pipeline[-1].n_iter_} epochs")
print(scores[["task_id", "neg_log_loss", "roc_auc"]].tail().to_string(index=False))

fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
ax.plot(scores["task_id"] + 1, -scores["neg_log_loss"], label="validation log-loss")
ax.set(xlabel="epoch", ylabel="log-loss")
ax2 = ax.twinx()
ax2.plot(scores["task_id"] + 1, scores["roc_auc"], "C1:", label="validation ROC AUC")
ax2.set_ylabel("ROC AUC")
fig.legend(loc="upper center")

# %%
# A :class:`~sklearn.callback.ProgressBar` (it needs ``rich``) is set the same
# way; set on a pipeline or a grid search it reaches the network inside.
# ``verbose=True`` goes through the same training events, and its last line
# says why training stopped (here ``stopped=callback``).

"""
Training curves of the solvers
==============================

Every fit records the training loss of each epoch in ``loss_curve_``. Given a
validation set (``X_val`` and ``y_val`` in ``fit``, or ``early_stopping=True``),
it also records the validation loss in ``validation_loss_curve_`` and the
validation score (accuracy here) in ``validation_scores_``.
:class:`~sklearn_backprop.LossCurveDisplay` draws the three.

We train the same 64-100-10 network on the hand-written digits with each
solver and compare the curves.
"""

# %%
# Data
# ----
# No pipeline here, so we scale both sets ourselves, with the scaler fitted on
# the training set only. (In a pipeline, metadata routing with
# ``transform_input=["X_val"]`` does this; see the user guide.)
import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sklearn_backprop import BackpropClassifier, LossCurveDisplay

X, y = load_digits(return_X_y=True)
X_train, X_val, y_train, y_val = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)
scaler = StandardScaler().fit(X_train)
X_train, X_val = scaler.transform(X_train), scaler.transform(X_val)

# %%
# One network per solver
# ----------------------
# - the documents' rule: full-batch gradient descent without momentum
#   (``batch_size=None, momentum=0``), with a large step as each step sees all
#   1347 samples;
# - mini-batch SGD with Nesterov momentum (the ``"sgd"`` defaults);
# - Adam (the default solver, default step);
# - L-BFGS, which works on the full data set and stops when the gradient is
#   small (here after a few dozen iterations).
solvers = {
    "sgd, full batch, no momentum": dict(
        solver="sgd", batch_size=None, momentum=0.0, learning_rate_init=1.0
    ),
    "sgd, mini-batches, momentum": dict(solver="sgd", learning_rate_init=0.1),
    "adam": dict(solver="adam"),
    "lbfgs": dict(solver="lbfgs"),
}
fitted = {}
for name, params in solvers.items():
    clf = BackpropClassifier(max_iter=100, random_state=0, **params)
    with warnings.catch_warnings():
        # 100 epochs are enough to compare the curves, not to converge fully.
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X_train, y_train, X_val=X_val, y_val=y_val)
    fitted[name] = clf
    print(
        f"{name}:\n    {clf.n_iter_} epochs, final loss {clf.loss_:.4f}, "
        f"validation accuracy {clf.validation_scores_[-1]:.3f} "
        f"(best {clf.best_validation_score_:.3f})"
    )

# %%
# The curves
# ----------
# Solid: training loss; dashed: validation loss (both on the left axis, log
# scale); dotted: validation accuracy (right axis).
fig, axes = plt.subplots(2, 2, figsize=(11, 8), sharex=True, layout="constrained")
for ax, (name, clf) in zip(axes.ravel(), fitted.items(), strict=True):
    # name="": the title names the solver, the legend needs no prefix.
    display = LossCurveDisplay.from_estimator(clf, ax=ax, name="")
    ax.set_yscale("log")
    display.score_ax_.set_ylim(0.8, 1.0)
    ax.set_title(name)
plt.show()

# %%
# Full-batch descent makes one update per epoch and falls slowest; mini-batch
# SGD and Adam make eleven updates per epoch (``batch_size="auto"``: batches
# of a tenth of the 1347 rows, 134, and a last one of 7). L-BFGS reaches
# the lowest training loss in the fewest iterations, but each iteration may
# evaluate the loss more than once. The validation loss falls more slowly
# than the training loss and flattens out (clearest for L-BFGS): the gap
# between the two is what the network fits of the training set alone.
#
# Early stopping
# --------------
# With ``early_stopping=True``, a stratified ``validation_fraction`` of the
# training data is held out; training stops when the validation accuracy has
# not improved by ``tol`` for ``n_iter_no_change`` epochs, and the weights of
# the best epoch are kept.
clf = BackpropClassifier(
    solver="adam",
    early_stopping=True,
    n_iter_no_change=10,
    max_iter=500,
    random_state=0,
).fit(X_train, y_train)
best_epoch = 1 + clf.validation_scores_.index(clf.best_validation_score_)
print(f"stopped after {clf.n_iter_} epochs; best epoch {best_epoch}")
print(f"held-out accuracy of the kept weights: {clf.score(X_val, y_val):.3f}")

# The display marks the kept epoch with a dash-dotted line.
display = LossCurveDisplay.from_estimator(clf, name="adam, early stopping")
display.ax_.set_yscale("log")
display.ax_.set_title("Early stopping keeps the best epoch's weights")
plt.show()

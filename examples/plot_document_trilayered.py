"""
"Backpropagation in 11 Lines": the trilayered network
=====================================================

The first document, "Backpropagation in 11 Lines" (the GitHub project
caydenrgarrett/Backpropagation-In-ML), trains in its trilayered program a
network of three layers of sigmoid units, 3-4-1, without biases, on four
samples whose target is the XOR of the first two features (the third feature
is always 1). It draws the weights with ``np.random.seed(1)`` from
``2 * U[0, 1) - 1``, runs 60000 iterations of full-batch gradient descent on
the squared error with rate 1 on the *summed* gradient, prints the mean
absolute error every 10000 iterations, and finally prints the forward pass of
its last iteration.

:class:`~sklearn_backprop.BackpropClassifier` with the document's settings runs
the same program, update for update. This example runs both and prints the
document's numbers beside ours.
"""

# %%
# The document's data and printed output
# --------------------------------------
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sklearn_backprop import BackpropClassifier

X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]])
y = np.array([0, 1, 1, 0])

# What the document prints: "Error:" every 10000 iterations, then its output.
DOCUMENT_ERRORS = {
    0: 0.4964100319027255,
    10000: 0.008584525653247157,
    20000: 0.0057894598625078085,
    30000: 0.004629176776769985,
    40000: 0.0039587652802736475,
    50000: 0.003510122567861678,
}
DOCUMENT_OUTPUT = np.array([0.00260572, 0.99672209, 0.99701711, 0.00386759])

# %%
# The estimator with the document's settings
# ------------------------------------------
# Each of the document's choices is a parameter:
#
# - ``solver="sgd", momentum=0, batch_size=None``: plain full-batch gradient
#   descent;
# - ``loss="squared_error"``: the document's ``delta = error * sigmoid'(output)``;
# - ``alpha=0``: no penalty; ``init="uniform"``: ``2 * U[0, 1) - 1``;
#   ``random_state=1``: ``np.random.seed(1)``; ``fit_intercept=False``: no bias;
# - ``shuffle=False, tol=0``: the samples in order, and no stopping rule;
# - ``learning_rate_init = eta * n_samples = 1.0 * 4``: the document adds
#   ``eta * l1.T @ l2_delta``, the gradient *summed* over the 4 samples, where
#   we (as scikit-learn) step along the *mean* gradient.
#
# The document prints ``l2`` from the forward pass of its last iteration,
# computed *before* that iteration's update: its output is the network after
# 59999 updates, so ``max_iter=59999``.
eta = 1.0
document_settings = dict(
    hidden_layer_sizes=(4,),
    solver="sgd",
    batch_size=None,
    momentum=0.0,
    alpha=0.0,
    loss="squared_error",
    init="uniform",
    fit_intercept=False,
    shuffle=False,
    tol=0.0,
    learning_rate_init=eta * len(X),
    random_state=1,
)

# %%
# The document prints its error every 10000 iterations, before the update: the
# error of the network after ``j`` updates. We train in chunks of 10000 epochs
# with ``warm_start=True`` (each chunk continues from the last weights) and
# measure the same error after each chunk. Iteration 0 is the forward pass of
# the initial weights, which no fit returns; we print it from the document
# only. A run with ``tol=0`` never "converges": the warning is expected.
clf = BackpropClassifier(**document_settings, warm_start=True, max_iter=10000)
our_errors = {}
print(f"{'iteration':>9}  {'document Error':>22}  {'ours':>22}")
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    for j, document_error in DOCUMENT_ERRORS.items():
        if j == 0:
            print(f"{j:>9}  {document_error!r:>22}  {'(initial weights)':>22}")
            continue
        clf.fit(X, y)
        our_errors[j] = float(np.mean(np.abs(y - clf.predict_proba(X)[:, 1])))
        print(f"{j:>9}  {document_error!r:>22}  {our_errors[j]!r:>22}")
    # The last chunk: 9999 more updates, 59999 in all.
    clf.set_params(max_iter=9999).fit(X, y)

# %%
# The output after training, the document's beside ours:
output = clf.predict_proba(X)[:, 1]
print("document:", np.array2string(DOCUMENT_OUTPUT, precision=8))
print("ours:    ", np.array2string(output, precision=8))
print(f"largest difference: {np.max(np.abs(output - DOCUMENT_OUTPUT)):.1e}")
print("updates:", len(clf.loss_curve_))

# %%
# The document prints 8 decimals, so a difference below ``5e-9`` is agreement
# to the last printed digit. A single ``fit`` with ``max_iter=59999`` gives the
# same weights as the chunks above, bit for bit: warm starts carry the weights
# over (the documents' plain gradient descent has no other state).
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    single = BackpropClassifier(**document_settings, max_iter=59999).fit(X, y)
print(
    "same weights:",
    all(np.array_equal(a, b) for a, b in zip(single.coefs_, clf.coefs_, strict=True)),
)

# %%
# The training curve
# ------------------
# ``loss_curve_`` records each epoch's loss, ``0.5 * mean((y - output)**2)``,
# across the warm starts. The document's "Error" lines are the mean absolute
# error; we draw them beside our own at the same iterations.
# matplotlib only from here on: the numbers above need no plot.
import matplotlib.pyplot as plt

from sklearn_backprop import LossCurveDisplay

display = LossCurveDisplay.from_estimator(clf, name="3-4-1 network")
display.ax_.plot(
    list(our_errors),
    [DOCUMENT_ERRORS[j] for j in our_errors],
    "o",
    markersize=12,
    fillstyle="none",
    label="document: mean |error|",
)
display.ax_.plot(
    list(our_errors), list(our_errors.values()), "x", label="ours: mean |error|"
)
display.ax_.set_yscale("log")
display.ax_.legend()
display.ax_.set_title("The first document's trilayered network, reproduced")
plt.show()

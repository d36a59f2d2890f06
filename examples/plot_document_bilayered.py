"""
"Backpropagation in 11 Lines": the bilayered network
====================================================

The first document, "Backpropagation in 11 Lines" (the GitHub project
caydenrgarrett/Backpropagation-In-ML), has a smaller program too: a bilayered
network, with no hidden layer: three inputs, one sigmoid output, no bias. Its
target is the first feature, so a single unit can learn it. It draws the
weights with ``np.random.seed(1)``, runs 10000 iterations of full-batch
gradient descent with rate 1 on the summed gradient, and prints the forward
pass of its last iteration.

With ``hidden_layer_sizes=()``, :class:`~sklearn_backprop.BackpropClassifier`
is that network. This example runs the document's own loop and the estimator,
and prints the document's numbers beside ours.
"""

# %%
# The document's program
# ----------------------
# The document's loop, as it is written there (``nonlin`` is its sigmoid,
# which with ``deriv=True`` takes the sigmoid's *output*).
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sklearn_backprop import BackpropClassifier

X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]])
y = np.array([[0, 0, 1, 1]]).T
DOCUMENT_OUTPUT = np.array([0.00966449, 0.00786506, 0.99358898, 0.99211957])


def nonlin(x, deriv=False):
    if deriv:
        return x * (1 - x)
    return 1 / (1 + np.exp(-x))


np.random.seed(1)
syn0 = 2 * np.random.random((3, 1)) - 1
for _ in range(10000):
    l0 = X
    l1 = nonlin(np.dot(l0, syn0))
    l1_error = y - l1
    l1_delta = l1_error * nonlin(l1, True)
    syn0 += np.dot(l0.T, l1_delta)

# ``l1`` is the forward pass of the last iteration, before its update.
print("document, as printed:", np.array2string(DOCUMENT_OUTPUT, precision=8))
print("document, run here:  ", np.array2string(l1.ravel(), precision=8))

# %%
# The estimator
# -------------
# The document's settings (see the trilayered example and the user guide),
# with no hidden layer. The printed output comes before the last update, so it
# is the network after 9999 updates.
clf = BackpropClassifier(
    hidden_layer_sizes=(),
    solver="sgd",
    batch_size=None,
    momentum=0.0,
    alpha=0.0,
    loss="squared_error",
    init="uniform",
    fit_intercept=False,
    shuffle=False,
    tol=0.0,
    learning_rate_init=1.0 * len(X),
    max_iter=9999,
    random_state=1,
)
with warnings.catch_warnings():
    # tol=0: the document runs a fixed number of iterations, never "converges".
    warnings.simplefilter("ignore", ConvergenceWarning)
    clf.fit(X, y.ravel())

output = clf.predict_proba(X)[:, 1]
print("ours:                ", np.array2string(output, precision=8))
difference = np.abs(output - DOCUMENT_OUTPUT).max()
print(f"largest difference to the printed output: {difference:.1e}")
print("layers (input and output):", clf.n_layers_)

# %%
# The document's loop makes one more update after its printed forward pass: 10000
# in all. Ten thousand updates of the estimator give its final weights, bit
# for bit.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    clf_10000 = BackpropClassifier(**{**clf.get_params(), "max_iter": 10000})
    clf_10000.fit(X, y.ravel())
print("document's syn0:", syn0.ravel())
print("our coefs_[0]:  ", clf_10000.coefs_[0].ravel())
print("identical:", np.array_equal(syn0, clf_10000.coefs_[0]))

# %%
# The training curve
# ------------------
# The loss, ``0.5 * mean((y - output)**2)``, falls steadily: a single unit
# learns the first feature without difficulty.
# matplotlib only from here on: the numbers above need no plot.
import matplotlib.pyplot as plt

from sklearn_backprop import LossCurveDisplay

display = LossCurveDisplay.from_estimator(clf, name="3-1 network")
display.ax_.set_yscale("log")
display.ax_.set_title("The first document's bilayered network, reproduced")
plt.show()

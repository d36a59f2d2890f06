"""
Decision boundaries and hidden layers
=====================================

A network with no hidden layer (``hidden_layer_sizes=()``, the first
document's bilayered network) is logistic regression: its decision boundary is
a straight line. Each hidden layer of sigmoid units lets the boundary bend.
We fit networks of several sizes to three two-dimensional toy data sets and
draw the probability of the second class with
:class:`~sklearn.inspection.DecisionBoundaryDisplay`. Then we look at why the
same sigmoid network, started with smaller weights, fails to train at all.
"""

# %%
# Data
# ----
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_circles, make_classification, make_moons
from sklearn.inspection import DecisionBoundaryDisplay
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_backprop import BackpropClassifier

rng = np.random.RandomState(2)
X_linear, y_linear = make_classification(
    n_features=2,
    n_redundant=0,
    n_informative=2,
    n_clusters_per_class=1,
    random_state=1,
)
X_linear += 2 * rng.uniform(size=X_linear.shape)
datasets = {
    "moons": make_moons(noise=0.3, random_state=0),
    "circles": make_circles(noise=0.2, factor=0.5, random_state=1),
    "linearly separable": (X_linear, y_linear),
}

# %%
# Networks
# --------
# L-BFGS suits these small data sets: it trains on all 75 training samples at
# once and stops by itself. The networks have the default sigmoid units, except
# the last, which has two layers of tanh units; the scaler makes the inputs
# comparable.
architectures = [
    {"hidden_layer_sizes": ()},
    {"hidden_layer_sizes": (2,)},
    {"hidden_layer_sizes": (8,)},
    {"hidden_layer_sizes": (32, 32)},
    {"hidden_layer_sizes": (32, 32), "activation": "tanh"},
]


def network(params):
    return make_pipeline(
        StandardScaler(),
        BackpropClassifier(solver="lbfgs", max_iter=2000, random_state=0, **params),
    )


def title(params):
    return ", ".join(f"{key}={value!r}" for key, value in params.items())


# %%
# Boundaries
# ----------
# Training points are circled in black, test points are faded; the number in
# each corner is the test accuracy.
fig, axes = plt.subplots(
    len(datasets),
    len(architectures),
    figsize=(2.8 * len(architectures), 3 * len(datasets)),
    sharex="row",
    sharey="row",
    layout="constrained",
)
for row, (data_name, (X, y)) in zip(axes, datasets.items(), strict=True):
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=42
    )
    for ax, params in zip(row, architectures, strict=True):
        model = network(params).fit(X_train, y_train)
        DecisionBoundaryDisplay.from_estimator(
            model,
            X,
            response_method="predict_proba",
            cmap="RdBu",
            alpha=0.8,
            ax=ax,
            eps=0.5,
        )
        ax.scatter(*X_train.T, c=y_train, cmap="RdBu", edgecolors="k", s=20)
        ax.scatter(*X_test.T, c=y_test, cmap="RdBu", alpha=0.5, s=20)
        ax.text(
            0.97,
            0.03,
            f"{model.score(X_test, y_test):.2f}",
            transform=ax.transAxes,
            ha="right",
            fontsize=12,
            bbox=dict(facecolor="white", alpha=0.7, edgecolor="none"),
        )
        ax.set(xlabel="", ylabel="", xticks=[], yticks=[])
        ax.set_title(f"{data_name}\n{title(params)}".replace(", a", ",\na"), fontsize=8)
plt.show()

# %%
# Without a hidden layer, the boundary is a line whatever the data: right for
# the linearly separable set, too simple for the moons and the circles.
# Two hidden units can bend it: on the circles they cut out a wedge, though on
# the moons they settle on the same line as no hidden layer. (On the circles,
# to cut the wedge sharply the two units grew steep, and on most points they
# sit within 1e-3 of 0 or 1; ``saturation_`` holds the share. Training put
# them there, from unsaturated starts, so ``fit`` does not warn.) Eight follow the
# moons and close around the inner circle.
#
# Two layers of 32 sigmoid units fit the moons and the circles. Started as
# scikit-learn's ``MLPClassifier`` starts them, with Glorot's small weights
# (``init="glorot_uniform"``; here with zero biases), the same network learns
# nothing on the circles: a plane tilted gently through 0.5, as wrong as no
# hidden layer. This is not bad luck with one seed. The weights start small,
# where a sigmoid is nearly linear and its slope is at most 1/4; the circles
# are centred on the origin, where no linear function of the inputs says
# anything about the label. So the gradient starts out tiny, and shrinks by
# the sigmoid's slope once more through the second layer: L-BFGS finds it
# below ``tol`` and stops after a few iterations (``MLPClassifier`` with
# ``activation="logistic"`` does the same). We can check it:
stalled = network({**architectures[3], "init": "glorot_uniform"})
stalled.fit(*datasets["circles"])
print(f"iterations: {stalled[-1].n_iter_}, final loss: {stalled[-1].loss_:.4f}")
print(f"log(2), the log-loss of predicting 0.5 everywhere: {np.log(2):.4f}")

# %%
# (The final loss includes the L2 penalty, hence a little above log(2).)
#
# The default initialisation, ``init="spread_uniform"`` for sigmoid units,
# draws each unit's weighted input with a standard deviation of 2 and its
# bias from U(-2, 2): every unit starts on the bent part of its sigmoid, at a
# different place in the data, and the gradient towards a curved boundary is
# there from the first iteration (the fourth column above).
#
# The tanh unit, whose slope at 0 is 1, passes the gradient on four times
# larger per layer, and trains from Glorot's weights too (last column).
# Trained to convergence on 75 points with nothing to hold it back, it also
# overfits: see its boundary on the linearly separable set. A single hidden
# layer of sigmoid units, or ``init="uniform"`` (larger starting weights, as
# in the first document), also get past the flat start.

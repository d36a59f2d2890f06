"""
Tuning a network with a grid search
===================================

:class:`~sklearn_backprop.BackpropClassifier` is a scikit-learn estimator, so
:class:`~sklearn.model_selection.GridSearchCV` tunes it like any other. Put it
in a :class:`~sklearn.pipeline.Pipeline` after a
:class:`~sklearn.preprocessing.StandardScaler`, so that each fold's scaler is
fitted on that fold's training part only, and address its parameters with the
step name: ``backpropclassifier__alpha``.
"""

# %%
# Data and pipeline
# -----------------
import warnings

import matplotlib.pyplot as plt
import pandas as pd
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_backprop import BackpropClassifier

X, y = load_breast_cancer(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)
pipeline = make_pipeline(StandardScaler(), BackpropClassifier(random_state=0))

# %%
# The grid
# --------
# The size of the hidden layer, the L2 penalty and the step size: 12
# candidates, each fitted on 5 folds.
param_grid = {
    "backpropclassifier__hidden_layer_sizes": [(10,), (50,)],
    "backpropclassifier__alpha": [1e-4, 0.1, 10.0],
    "backpropclassifier__learning_rate_init": [0.001, 0.01],
}
search = GridSearchCV(
    pipeline,
    param_grid,
    cv=StratifiedKFold(5, shuffle=True, random_state=0),
    scoring="accuracy",
)
with warnings.catch_warnings():
    # The small steps do not converge in the default 200 epochs: that is
    # part of what the search measures, in the scores below. (The weakest
    # penalty lets training sharpen some units into saturated steps; they
    # started unsaturated on the scaled data, so no SaturationWarning.)
    warnings.simplefilter("ignore", ConvergenceWarning)
    search.fit(X_train, y_train)
print("best parameters:")
for name, value in search.best_params_.items():
    print(f"    {name.split('__')[-1]} = {value!r}")
print(f"best cross-validated accuracy: {search.best_score_:.3f}")
print(f"accuracy on the held-out test set: {search.score(X_test, y_test):.3f}")

# %%
# The results table
# -----------------
# ``cv_results_`` holds one row per candidate; here are the ten best, with the
# step name cut from the column names.
results = pd.DataFrame(search.cv_results_)
columns = {
    "param_backpropclassifier__hidden_layer_sizes": "hidden_layer_sizes",
    "param_backpropclassifier__alpha": "alpha",
    "param_backpropclassifier__learning_rate_init": "learning_rate_init",
    "mean_test_score": "mean accuracy",
    "std_test_score": "std",
    "mean_fit_time": "fit time (s)",
    "rank_test_score": "rank",
}
table = (
    results[list(columns)]
    .rename(columns=columns)
    .sort_values("rank")
    .set_index("rank")
    .round(4)
)
table.head(10)

# %%
# Accuracy across the grid
# ------------------------
# One panel per hidden layer size: the cross-validated accuracy against the
# penalty, one line per step size, with one standard deviation across folds.
fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True, layout="constrained")
for ax, (sizes, group) in zip(
    axes, table.groupby("hidden_layer_sizes", sort=False), strict=True
):
    for rate, curve in group.groupby("learning_rate_init"):
        curve = curve.sort_values("alpha")
        ax.errorbar(
            curve["alpha"],
            curve["mean accuracy"],
            yerr=curve["std"],
            marker="o",
            capsize=3,
            label=f"learning_rate_init={rate}",
        )
    ax.set_xscale("log")
    ax.set_xlabel("alpha")
    ax.set_title(f"hidden_layer_sizes={sizes}")
axes[0].set_ylabel("cross-validated accuracy")
axes[0].legend()
plt.show()

# %%
# Only the penalty matters here: ``alpha=10`` costs about three points of
# accuracy, while the other candidates lie within one standard deviation of one
# another. The data set is small and nearly linearly separable, so a grid
# search guards against a bad choice more than it finds a much better one; the
# held-out test accuracy above, a little below the best cross-validated score,
# is the honest estimate of the chosen model.

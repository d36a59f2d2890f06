"""
Regression on the diabetes data
===============================

:class:`~sklearn_backprop.BackpropRegressor` predicts a disease progression
score from ten measurements of 442 patients (scikit-learn's bundled diabetes
data). The targets run from 25 to 346; the regressor standardises them before
training (``scale_target=True``) and maps its predictions back, so the network
trains on targets of unit scale. We compare it with ridge regression and plot
the predicted against the true values on a held-out set.
"""

# %%
# Data
# ----
import matplotlib.pyplot as plt
from sklearn.datasets import load_diabetes
from sklearn.linear_model import RidgeCV
from sklearn.metrics import PredictionErrorDisplay, mean_absolute_error, r2_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_backprop import BackpropRegressor

X, y = load_diabetes(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, random_state=0
)
print(f"{X_train.shape[0]} training and {X_test.shape[0]} test patients")
print(f"targets from {y.min():.0f} to {y.max():.0f}, mean {y.mean():.0f}")

# %%
# Models
# ------
# The regressor has a small hidden layer of sigmoid units and stops early on a
# held-out tenth of its training data; the linear baseline picks its penalty
# by cross-validation.
models = {
    "BackpropRegressor": make_pipeline(
        StandardScaler(),
        BackpropRegressor(
            hidden_layer_sizes=(10,),
            early_stopping=True,
            n_iter_no_change=20,
            max_iter=1000,
            random_state=0,
        ),
    ),
    "RidgeCV": make_pipeline(StandardScaler(), RidgeCV(alphas=[0.1, 1, 10, 100])),
}
predictions = {}
for name, model in models.items():
    model.fit(X_train, y_train)
    predictions[name] = model.predict(X_test)
    print(
        f"{name:<18} R^2 {r2_score(y_test, predictions[name]):.3f}  "
        f"mean absolute error {mean_absolute_error(y_test, predictions[name]):.1f}"
    )
print(f"BackpropRegressor trained for {models['BackpropRegressor'][-1].n_iter_} epochs")

# %%
# Predicted against true values
# -----------------------------
# Points on the diagonal are predicted exactly. Both models pull their
# predictions towards the mean: on these test patients the ten measurements
# explain less than half of the variance of the score (R^2 below 0.4), and the
# network gains little over the linear model.
fig, axes = plt.subplots(1, 2, figsize=(10, 5), sharey=True, layout="constrained")
for ax, (name, y_pred) in zip(axes, predictions.items(), strict=True):
    PredictionErrorDisplay.from_predictions(
        y_test,
        y_pred,
        kind="actual_vs_predicted",
        ax=ax,
        scatter_kwargs={"alpha": 0.6},
    )
    ax.set_title(f"{name}: R^2 = {r2_score(y_test, y_pred):.2f}")
plt.show()

# %%
# The training curve
# ------------------
# ``loss_curve_`` is in the standardised units of the targets (half the mean
# squared error of ``(y - mean) / std``), and the validation score is R^2.
# The training loss includes the L2 penalty (``alpha``) and the validation
# loss does not, which is why the validation loss can lie below it.
from sklearn_backprop import LossCurveDisplay

display = LossCurveDisplay.from_estimator(models["BackpropRegressor"])
display.ax_.set_title("BackpropRegressor on the diabetes data")
plt.show()

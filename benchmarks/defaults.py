"""Default parameters against scikit-learn's MLP, on scikit-learn's bundled data.

Runs 5-fold cross-validation of ``make_pipeline(StandardScaler(),
Estimator(random_state=0))`` with default parameters for our estimators and
scikit-learn's MLPClassifier / MLPRegressor, and prints the mean score
(accuracy, or R^2) and the total fit time of each, side by side::

    python benchmarks/defaults.py
    python benchmarks/defaults.py --params '{"learning_rate_init": 0.01}'

``--params`` overrides our defaults (to compare candidate defaults).
"""

import argparse
import json
import platform
import warnings

import numpy as np
import sklearn
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_iris,
    load_linnerud,
    load_wine,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold, StratifiedKFold, cross_validate
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_backprop import BackpropClassifier, BackpropRegressor

CLASSIFICATION = {
    "iris": load_iris,
    "wine": load_wine,
    "breast_cancer": load_breast_cancer,
    "digits": load_digits,
}
REGRESSION = {"diabetes": load_diabetes, "linnerud": load_linnerud}


def evaluate(estimator, X, y, cv):
    """Mean cross-validated score and total fit time of a scaled pipeline."""
    model = make_pipeline(StandardScaler(), estimator)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        result = cross_validate(model, X, y, cv=cv)
    return result["test_score"].mean(), result["fit_time"].sum()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--params", default="{}", help="JSON dict of parameters overriding our defaults"
    )
    parser.add_argument("--only", nargs="*", help="data set names to run")
    args = parser.parse_args()
    overrides = json.loads(args.params)

    print(
        f"scikit-learn {sklearn.__version__}, NumPy {np.__version__}, "
        f"Python {platform.python_version()}"
    )
    if overrides:
        print(f"our parameters overridden by {overrides}")
    header = (
        f"{'data set':<20}{'n x p':>11}  {'ours':>7}  {'MLP':>7}  "
        f"{'our fit s':>9}  {'MLP fit s':>9}"
    )
    print(header)
    print("-" * len(header))
    totals = np.zeros(2)
    jobs = [
        (
            name,
            load,
            BackpropClassifier,
            MLPClassifier,
            StratifiedKFold(5, shuffle=True, random_state=0),
        )
        for name, load in CLASSIFICATION.items()
    ]
    jobs += [
        (
            name,
            load,
            BackpropRegressor,
            MLPRegressor,
            KFold(5, shuffle=True, random_state=0),
        )
        for name, load in REGRESSION.items()
    ]
    for name, load, ours, theirs, cv in jobs:
        if args.only and name not in args.only:
            continue
        X, y = load(return_X_y=True)
        our_score, our_time = evaluate(ours(random_state=0, **overrides), X, y, cv)
        mlp_score, mlp_time = evaluate(theirs(random_state=0), X, y, cv)
        totals += our_time, mlp_time
        metric = "acc" if ours is BackpropClassifier else "R^2"
        print(
            f"{name + ' (' + metric + ')':<20}{f'{X.shape[0]}x{X.shape[1]}':>11}  "
            f"{our_score:7.3f}  {mlp_score:7.3f}  {our_time:9.2f}  {mlp_time:9.2f}"
        )
    print("-" * len(header))
    print(
        f"{'total fit time':<40}{totals[0]:9.2f}  {totals[1]:9.2f}  "
        f"(ours {totals[0] / totals[1]:.2f}x MLP's)"
    )


if __name__ == "__main__":
    main()

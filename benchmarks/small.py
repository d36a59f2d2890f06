"""Small data sets at default parameters: single fits and grid searches.

iris, wine and breast_cancer, each with a StandardScaler in front, fitted by
``BackpropClassifier()`` and ``MLPClassifier()`` at their own defaults (both
200 epochs at most, adam, batches of min(200, n)), then tuned by a
``GridSearchCV`` of 20 candidates (5 values of ``alpha`` x 4 of
``learning_rate_init``) x 5 folds, sequentially. Prints seconds for each and
MLP / ours, the throughput ratio::

    python benchmarks/small.py            # 5 rounds of single fits, 3 of searches
    python benchmarks/small.py --quick    # 2 and 1
    python benchmarks/small.py --explain  # where a search's ratio comes from

``--explain`` runs each search's 100 fits (and scores) one by one, for each
estimator in turn, and prints the epochs they ran (the sum of ``n_iter_``)
and the seconds per epoch, everything included: the search's ratio is the
per-epoch ratio divided by the ratio of epochs.
"""

import time
import warnings
from functools import partial

from _common import median, median_ratio, parse_args, print_machine, time_in_rotation
from sklearn.datasets import load_breast_cancer, load_iris, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, ParameterGrid, StratifiedKFold
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_backprop import BackpropClassifier

GRID = {
    "clf__alpha": [1e-5, 1e-4, 1e-3, 1e-2, 1e-1],
    "clf__learning_rate_init": [1e-3, 3e-3, 1e-2, 3e-2],
}


def fit(estimator, X, y):
    Pipeline([("scale", StandardScaler()), ("clf", estimator(random_state=0))]).fit(
        X, y
    )


def search(estimator, X, y):
    pipeline = Pipeline(
        [("scale", StandardScaler()), ("clf", estimator(random_state=0))]
    )
    GridSearchCV(pipeline, GRID, cv=5).fit(X, y)


def explain(loader):
    """The search of ``search`` fit by fit: epochs run and time per epoch."""
    X, y = loader(return_X_y=True)
    folds = list(StratifiedKFold(5).split(X, y))
    totals = {}
    for name, estimator in (("ours", BackpropClassifier), ("MLP", MLPClassifier)):
        epochs = seconds = 0
        for params in ParameterGrid(GRID):
            for train, test in folds:
                pipeline = Pipeline(
                    [("scale", StandardScaler()), ("clf", estimator(random_state=0))]
                ).set_params(**params)
                started = time.perf_counter()
                pipeline.fit(X[train], y[train])
                pipeline.score(X[test], y[test])
                seconds += time.perf_counter() - started
                epochs += pipeline[-1].n_iter_
        totals[name] = epochs, seconds
    (ours_epochs, ours_s), (mlp_epochs, mlp_s) = totals["ours"], totals["MLP"]
    print(
        f"{loader.__name__[5:]:>14} {ours_epochs:>7} {mlp_epochs:>7} "
        f"{ours_epochs / mlp_epochs:>8.2f} {ours_s / ours_epochs * 1e6:>9.1f} "
        f"{mlp_s / mlp_epochs * 1e6:>9.1f} "
        f"{(mlp_s / mlp_epochs) / (ours_s / ours_epochs):>9.2f} {mlp_s / ours_s:>9.2f}"
    )


def main():
    args = parse_args(
        __doc__.splitlines()[0],
        repeats=5,
        quick_repeats=2,
        flags=[("explain", "epochs and time per epoch of each search's fits")],
    )
    search_rounds = max(1, args.repeats * 3 // 5)
    print_machine()
    warnings.simplefilter("ignore", ConvergenceWarning)
    if args.explain:
        print(
            f"{'data set':>14} {'epochs':>7} {'(MLP)':>7} {'ours/MLP':>8} "
            f"{'us/epoch':>9} {'(MLP)':>9} {'MLP/ours':>9} {'search':>9}"
        )
        for loader in (load_iris, load_wine, load_breast_cancer):
            explain(loader)
        return
    print(f"{'data set':>14} {'job':>20} {'ours s':>8} {'MLP s':>8} {'MLP/ours':>9}")
    for loader in (load_iris, load_wine, load_breast_cancer):
        X, y = loader(return_X_y=True)
        for job, rounds in ((fit, args.repeats), (search, search_rounds)):
            times = time_in_rotation(
                {
                    "ours": partial(job, BackpropClassifier, X, y),
                    "MLP": partial(job, MLPClassifier, X, y),
                },
                rounds,
            )
            label = "fit" if job is fit else "GridSearchCV 20 x 5"
            print(
                f"{loader.__name__[5:]:>14} {label:>20} {median(times['ours']):>8.3f} "
                f"{median(times['MLP']):>8.3f} "
                f"{median_ratio(times['MLP'], times['ours']):>9.2f}"
            )


if __name__ == "__main__":
    main()

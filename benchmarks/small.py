"""Small data sets at default parameters: single fits and grid searches.

iris, wine and breast_cancer, each with a StandardScaler in front, fitted by
``BackpropClassifier()`` and ``MLPClassifier()`` at their own defaults (both
200 epochs at most, adam, batches of min(200, n)), then tuned by a
``GridSearchCV`` of 20 candidates (5 values of ``alpha`` x 4 of
``learning_rate_init``) x 5 folds, sequentially. Prints seconds for each and
MLP / ours, the throughput ratio::

    python benchmarks/small.py            # 5 rounds of single fits, 3 of searches
    python benchmarks/small.py --quick    # 2 and 1
"""

import warnings
from functools import partial

from _common import median, median_ratio, parse_args, print_machine, time_in_rotation
from sklearn.datasets import load_breast_cancer, load_iris, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
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


def main():
    args = parse_args(__doc__.splitlines()[0], repeats=5, quick_repeats=2)
    search_rounds = max(1, args.repeats * 3 // 5)
    print_machine()
    warnings.simplefilter("ignore", ConvergenceWarning)
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

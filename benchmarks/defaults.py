"""Default parameters against MLP, gradient boosting and a linear model.

A broad benchmark of about thirty tasks built from scikit-learn's generators
and its bundled data sets (no network access), each reproducing a way
tabular data is hard on a network's defaults:

- 50-300 rows, where a batch of 200 is the whole set and an epoch is one update;
- heavy-tailed and outlying features, which StandardScaler leaves far from 0;
- a minority class of 5-12 %, scored by ROC AUC;
- many weak one-hot encoded categorical columns;
- targets linear in the inputs (regression targets left unscaled, as users
  have them);
- slow plateaus: an interaction the network finds only after a flat stretch;

plus scikit-learn's six bundled sets (iris, wine, breast cancer, digits,
diabetes, linnerud). Each task is 5-fold cross-validated (folds shuffled,
``random_state=0``) for four models with their default parameters and
``random_state=0``: ours, scikit-learn's MLP, HistGradientBoosting and a
linear model (LogisticRegression or Ridge), each in a pipeline with
StandardScaler on the numeric columns (one-hot encoding the categorical
ones). It prints each task's mean score, the fit times of ours and MLP and
the folds in which each model warned ConvergenceWarning, then a summary::

    python benchmarks/defaults.py
    python benchmarks/defaults.py --quick            # 3 folds, a few tasks
    python benchmarks/defaults.py --params '{"alpha": 0.001}' --only iris wine

``--params`` overrides our defaults (to compare candidate defaults). The
scores are deterministic; fit times depend on the machine's load.
"""

import argparse
import json
import os
import platform
import time
import warnings

import numpy as np
import sklearn
from scipy.stats import rankdata
from sklearn import datasets
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import get_scorer
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.multioutput import MultiOutputRegressor
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from sklearn_backprop import BackpropClassifier, BackpropRegressor

MODELS = ("ours", "MLP", "HGB", "linear")


# -- the tasks -------------------------------------------------------------
# Each maker returns (X, y, n_categorical): the last n_categorical columns of
# X are integer category codes, one-hot encoded in the pipeline.


def _bundled(load):
    def make():
        X, y = load(return_X_y=True)
        return X, y, 0

    return make


def _classification(n_samples, n_features, n_informative, seed, **kwargs):
    def make():
        X, y = datasets.make_classification(
            n_samples=n_samples,
            n_features=n_features,
            n_informative=n_informative,
            n_redundant=kwargs.pop("n_redundant", 2),
            random_state=seed,
            **kwargs,
        )
        return X, y, 0

    return make


def _heavy_tailed(X, columns, strength=1.5):
    """Monotone transforms: the information stays (trees do not care), the
    scaled features get heavy tails."""
    X = X.copy()
    X[:, columns] = np.sinh(strength * X[:, columns])
    return X


def _with_outliers(X, rng, share=0.02, factor=25.0):
    """A ``share`` of rows with one feature ``factor`` times too large (data
    entry errors, unit mix-ups)."""
    X = X.copy()
    rows = rng.choice(X.shape[0], int(share * X.shape[0]), replace=False)
    X[rows, rng.randint(X.shape[1], size=rows.size)] *= factor
    return X


def heavy_tailed_classification():
    X, y = datasets.make_classification(
        600, 12, n_informative=6, n_redundant=2, random_state=1
    )
    return _heavy_tailed(X, slice(0, 8)), y, 0


def outlier_classification():
    X, y = datasets.make_classification(
        500, 10, n_informative=5, n_redundant=2, random_state=2
    )
    return _with_outliers(X, np.random.RandomState(2)), y, 0


def _categorical(n_samples, n_categorical, n_levels, rng):
    codes = rng.randint(n_levels, size=(n_samples, n_categorical))
    effects = rng.normal(scale=0.35, size=(n_categorical, n_levels))
    signal = effects[np.arange(n_categorical), codes].sum(axis=1)
    return codes.astype(float), signal


def one_hot_classification():
    rng = np.random.RandomState(3)
    codes, signal = _categorical(800, 20, 6, rng)
    numeric = rng.normal(size=(800, 3))
    logit = signal + 0.5 * numeric[:, 0]
    y = (rng.uniform(size=800) < 1 / (1 + np.exp(-logit))).astype(int)
    return np.hstack([numeric, codes]), y, 20


def one_hot_regression():
    rng = np.random.RandomState(4)
    codes, signal = _categorical(600, 25, 5, rng)
    numeric = rng.normal(size=(600, 4))
    y = 100 + 20 * signal + 8 * numeric[:, 0] + rng.normal(scale=10, size=600)
    return np.hstack([numeric, codes]), y, 25


def xor_classification():
    """Parity of two features among eight noise features: a plateau before
    the interaction is found."""
    rng = np.random.RandomState(5)
    X = rng.normal(size=(600, 10))
    y = ((X[:, 0] > 0) ^ (X[:, 1] > 0)).astype(int)
    flip = rng.uniform(size=600) < 0.05
    return X, np.where(flip, 1 - y, y), 0


def moons():
    X, y = datasets.make_moons(300, noise=0.3, random_state=6)
    return X, y, 0


def circles():
    X, y = datasets.make_circles(250, noise=0.15, factor=0.5, random_state=7)
    return X, y, 0


def hastie():
    X, y = datasets.make_hastie_10_2(1000, random_state=8)
    return X, y, 0


def _regression(n_samples, n_features, n_informative, noise, seed, bias=0.0):
    def make():
        X, y = datasets.make_regression(
            n_samples,
            n_features,
            n_informative=n_informative,
            noise=noise,
            bias=bias,
            random_state=seed,
        )
        return X, y, 0

    return make


def _friedman(which, n_samples, seed, **kwargs):
    make_ = getattr(datasets, f"make_friedman{which}")

    def make():
        X, y = make_(n_samples, random_state=seed, **kwargs)
        return X, y, 0

    return make


def heavy_tailed_linear_regression():
    """A target linear in heavy-tailed inputs: saturated units cannot follow
    it into the tails."""
    rng = np.random.RandomState(9)
    X = rng.standard_t(df=2.5, size=(400, 6))
    y = X @ rng.uniform(1, 3, size=6) * 10 + 50 + rng.normal(scale=5, size=400)
    return X, y, 0


def heavy_tailed_regression():
    X, y = datasets.make_friedman1(500, noise=1.0, random_state=10)
    rng = np.random.RandomState(10)
    noise = rng.standard_t(df=2, size=(500, 3))
    return np.hstack([_heavy_tailed(X - 0.5, slice(0, 5), 4.0), noise]), y, 0


def outlier_regression():
    rng = np.random.RandomState(11)
    X, y = datasets.make_regression(400, 8, n_informative=6, noise=20, random_state=11)
    y = y + 0.02 * y**2 / y.std()
    return _with_outliers(X, rng), y, 0


def plateau_regression():
    """A mostly linear target with a weaker interaction: the loss flattens
    at the linear fit long before the interaction is learnt."""
    rng = np.random.RandomState(12)
    X = rng.uniform(-2, 2, size=(800, 6))
    y = (
        3 * X[:, 0]
        + 2 * X[:, 1]
        - X[:, 2]
        + 2.5 * np.sin(2 * X[:, 3]) * X[:, 4]
        + rng.normal(scale=0.5, size=800)
    )
    return X, 10 * y + 200, 0


def s_curve_regression():
    X, t = datasets.make_s_curve(500, noise=0.05, random_state=13)
    return X, t, 0


def sparse_uncorrelated():
    X, y = datasets.make_sparse_uncorrelated(300, 10, random_state=14)
    return X, y, 0


# name -> (maker, "classification" or "regression", metric)
TASKS = {
    # scikit-learn's bundled data
    "iris": (_bundled(datasets.load_iris), "clf", "accuracy"),
    "wine": (_bundled(datasets.load_wine), "clf", "accuracy"),
    "breast_cancer": (_bundled(datasets.load_breast_cancer), "clf", "accuracy"),
    "digits": (_bundled(datasets.load_digits), "clf", "accuracy"),
    "diabetes": (_bundled(datasets.load_diabetes), "reg", "r2"),
    "linnerud": (_bundled(datasets.load_linnerud), "reg", "r2"),
    # 50-300 rows: one batch per epoch
    "small_60x8": (_classification(60, 8, 4, 20), "clf", "accuracy"),
    "small_120x20": (_classification(120, 20, 5, 21), "clf", "accuracy"),
    "small_250x10_3cls": (
        _classification(250, 10, 5, 22, n_classes=3),
        "clf",
        "accuracy",
    ),
    "moons_300": (moons, "clf", "accuracy"),
    "circles_250": (circles, "clf", "accuracy"),
    "small_linear_80x5": (_regression(80, 5, 5, 10.0, 23, 50.0), "reg", "r2"),
    "small_linear_200x20": (_regression(200, 20, 8, 30.0, 24), "reg", "r2"),
    "friedman1_200": (_friedman(1, 200, 25, noise=1.0), "reg", "r2"),
    "friedman2_300": (_friedman(2, 300, 26, noise=10.0), "reg", "r2"),
    "friedman3_300": (_friedman(3, 300, 27, noise=0.05), "reg", "r2"),
    # heavy tails and outliers after StandardScaler
    "heavy_tailed_clf": (heavy_tailed_classification, "clf", "accuracy"),
    "outliers_clf": (outlier_classification, "clf", "accuracy"),
    "heavy_tailed_linear_reg": (heavy_tailed_linear_regression, "reg", "r2"),
    "heavy_tailed_reg": (heavy_tailed_regression, "reg", "r2"),
    "outliers_reg": (outlier_regression, "reg", "r2"),
    # a 5-12 % minority class
    "minority_5pct": (
        _classification(1000, 15, 5, 30, weights=[0.95], flip_y=0.01),
        "clf",
        "roc_auc",
    ),
    "minority_12pct": (
        _classification(400, 10, 4, 31, weights=[0.88], flip_y=0.02),
        "clf",
        "roc_auc",
    ),
    # many weak one-hot columns
    "one_hot_clf": (one_hot_classification, "clf", "accuracy"),
    "one_hot_reg": (one_hot_regression, "reg", "r2"),
    # targets linear in the inputs
    "linear_1000x50": (_regression(1000, 50, 10, 20.0, 32, 10.0), "reg", "r2"),
    "sparse_uncorrelated": (sparse_uncorrelated, "reg", "r2"),
    # slow plateaus
    "xor_600": (xor_classification, "clf", "accuracy"),
    "hastie_1000": (hastie, "clf", "accuracy"),
    "plateau_reg": (plateau_regression, "reg", "r2"),
    "friedman1_1000": (_friedman(1, 1000, 33, noise=1.0), "reg", "r2"),
    "s_curve": (s_curve_regression, "reg", "r2"),
}
QUICK = ("iris", "small_60x8", "minority_12pct", "friedman1_200", "plateau_reg")


# -- the models ------------------------------------------------------------


def make_model(name, kind, overrides):
    if name == "ours":
        cls = BackpropClassifier if kind == "clf" else BackpropRegressor
        return cls(random_state=0, **overrides)
    if name == "MLP":
        cls = MLPClassifier if kind == "clf" else MLPRegressor
        return cls(random_state=0)
    if name == "HGB":
        if kind == "clf":
            return HistGradientBoostingClassifier(random_state=0)
        return HistGradientBoostingRegressor(random_state=0)
    return LogisticRegression() if kind == "clf" else Ridge()


def make_pipeline_for(model, n_features, n_categorical, multi_output):
    if multi_output and isinstance(model, HistGradientBoostingRegressor):
        model = MultiOutputRegressor(model)
    if not n_categorical:
        return make_pipeline(StandardScaler(), model)
    numeric = list(range(n_features - n_categorical))
    categorical = list(range(n_features - n_categorical, n_features))
    encode = ColumnTransformer(
        [
            ("numeric", StandardScaler(), numeric),
            ("categorical", OneHotEncoder(sparse_output=False), categorical),
        ]
    )
    return make_pipeline(encode, model)


def evaluate(name, kind, metric, X, y, n_categorical, cv, overrides):
    """Mean score, total fit time and the folds that warned ConvergenceWarning."""
    scorer = get_scorer(metric)
    scores, fit_time, warned = [], 0.0, 0
    for train, test in cv.split(X, y):
        model = make_pipeline_for(
            make_model(name, kind, overrides), X.shape[1], n_categorical, y.ndim > 1
        )
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            started = time.perf_counter()
            model.fit(X[train], y[train])
            fit_time += time.perf_counter() - started
        warned += any(issubclass(w.category, ConvergenceWarning) for w in caught)
        scores.append(scorer(model, X[test], y[test]))
    return {"score": float(np.mean(scores)), "time": fit_time, "warned": warned}


# -- the run ---------------------------------------------------------------


def summarise(results, n_folds):
    names = list(results)
    scores = np.array([[results[t][m]["score"] for m in MODELS] for t in names])
    # Rank 1 is the best; ties share the mean of their ranks.
    ranks = np.array([rankdata(-row) for row in scores])
    at_least = scores[:, 0] >= scores[:, 1] - 0.005
    kinds = np.array([TASKS[t][1] for t in names])
    print()
    print(
        f"ours >= MLP - 0.005 on {at_least.sum()} of {len(names)} tasks "
        f"(classification {at_least[kinds == 'clf'].sum()}/{(kinds == 'clf').sum()}, "
        f"regression {at_least[kinds == 'reg'].sum()}/{(kinds == 'reg').sum()})"
    )
    losses = [t for t, ok in zip(names, at_least, strict=True) if not ok]
    if losses:
        print("  below MLP on: " + ", ".join(losses))
    print(
        "mean rank (1 best): "
        + ", ".join(
            f"{m} {r:.2f}" for m, r in zip(MODELS, ranks.mean(axis=0), strict=True)
        )
    )
    times = {m: sum(results[t][m]["time"] for t in names) for m in MODELS}
    print(
        "total fit time: "
        + ", ".join(f"{m} {times[m]:.1f} s" for m in MODELS)
        + f"; ours/MLP {times['ours'] / times['MLP']:.2f}"
    )
    n_fits = len(names) * n_folds
    print(
        "folds with a ConvergenceWarning: "
        + ", ".join(
            f"{m} {sum(results[t][m]['warned'] for t in names)}/{n_fits}"
            for m in MODELS
        )
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--params", default="{}", help="JSON dict of parameters overriding our defaults"
    )
    parser.add_argument("--only", nargs="*", help="task names to run")
    parser.add_argument(
        "--quick", action="store_true", help="3 folds on a few tasks (a smoke test)"
    )
    parser.add_argument(
        "--reference",
        help="JSON file caching MLP's, HGB's and the linear model's results "
        "(their scores do not depend on our parameters): read if it exists, "
        "written otherwise. Fit times read from it come from another run.",
    )
    parser.add_argument("--json", help="write every result to this JSON file")
    parser.add_argument(
        "--threads",
        type=int,
        help="limit BLAS and OpenMP to this many threads for every model "
        "(threadpoolctl): on a loaded machine, threads waiting for each other "
        "can make a fit ten times slower",
    )
    args = parser.parse_args()
    if args.threads:
        from threadpoolctl import threadpool_limits

        threadpool_limits(args.threads)
    overrides = json.loads(args.params)
    n_folds = 3 if args.quick else 5
    names = list(args.only or (QUICK if args.quick else TASKS))
    unknown = set(names) - set(TASKS)
    if unknown:
        parser.error(f"unknown tasks {sorted(unknown)}; known: {list(TASKS)}")
    reference = {}
    if args.reference and os.path.exists(args.reference):
        with open(args.reference) as file:
            reference = json.load(file)

    print(
        f"scikit-learn {sklearn.__version__}, NumPy {np.__version__}, "
        f"Python {platform.python_version()}, "
        f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}, "
        f"load average {os.getloadavg()[0]:.2f}, "
        f"threads {args.threads or 'not limited'}"
    )
    if overrides:
        print(f"our parameters overridden by {overrides}")
    header = (
        f"{'task':<24}{'n x p':>9} {'metric':>8} "
        + "".join(f"{m:>8}" for m in MODELS)
        + f" {'ours s':>7} {'MLP s':>7}  {'warned':>6}"
    )
    print(header)
    print("-" * len(header))
    results = {}
    for name in names:
        make, kind, metric = TASKS[name]
        X, y, n_categorical = make()
        splitter = StratifiedKFold if kind == "clf" else KFold
        cv = splitter(n_folds, shuffle=True, random_state=0)
        results[name] = {}
        for model in MODELS:
            key = f"{name}/{model}/{n_folds}"
            if model != "ours" and key in reference:
                results[name][model] = reference[key]
                continue
            results[name][model] = evaluate(
                model, kind, metric, X, y, n_categorical, cv, overrides
            )
            if model != "ours":
                reference[key] = results[name][model]
        row = results[name]
        metric_name = {"accuracy": "acc", "roc_auc": "AUC", "r2": "R^2"}[metric]
        print(
            f"{name:<24}{f'{X.shape[0]}x{X.shape[1]}':>9} {metric_name:>8} "
            + "".join(f"{row[m]['score']:8.3f}" for m in MODELS)
            + f" {row['ours']['time']:7.2f} {row['MLP']['time']:7.2f}"
            + f"  {row['ours']['warned']}/{row['MLP']['warned']}",
            flush=True,
        )
    summarise(results, n_folds)
    if args.reference:
        with open(args.reference, "w") as file:
            json.dump(reference, file, indent=1)
    if args.json:
        with open(args.json, "w") as file:
            json.dump({"params": overrides, "results": results}, file, indent=1)


if __name__ == "__main__":
    main()

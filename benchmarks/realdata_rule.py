"""Balanced accuracy under the decision rule it asks for, on the real tasks
that ``realdata.py`` scores by it.

``predict`` takes the most probable class, the rule that maximises accuracy.
Balanced accuracy is maximised instead by the class whose probability is
largest relative to its share of the training rows, ``argmax_k p_k /
prior_k``. A model can lose balanced accuracy under the first rule because
its probabilities are calibrated, and win under the second because they are
also sharper. This prints, for ours and MLP at their defaults (the protocol
of ``realdata.py``: same preprocessing, 5 folds, ``random_state=0``, one
thread), the balanced accuracy under both rules and the log-loss:

    python benchmarks/realdata_rule.py
    python benchmarks/realdata_rule.py --only covid gunnels --params '{"n_networks": 2}'
"""

import argparse
import json
import warnings

import numpy as np
from realdata import (
    MARGIN,
    fold_log_loss,
    folds_of,
    load_task,
    make_model,
    metric_of,
    preprocessing,
    read_tasks,
    score_quietly,
)
from sklearn.metrics import balanced_accuracy_score
from sklearn.pipeline import make_pipeline
from threadpoolctl import threadpool_limits


def fold_scores(name, task, X, y, categorical, train, test, params, classes):
    """Balanced accuracy by ``argmax p`` and by ``argmax p / prior``, and the
    log-loss, of one model on one fold."""
    model = make_pipeline(
        preprocessing(X, categorical), make_model(name, task["task"], params)
    )
    with warnings.catch_warnings(), threadpool_limits(1):
        warnings.simplefilter("ignore")
        model.fit(X.iloc[train], y[train])
        proba = model.predict_proba(X.iloc[test])
    fitted = model.classes_
    prior = np.array([np.mean(y[train] == label) for label in fitted])
    by_argmax = score_quietly(
        balanced_accuracy_score, y[test], fitted[proba.argmax(axis=1)]
    )
    by_prior = score_quietly(
        balanced_accuracy_score, y[test], fitted[(proba / prior).argmax(axis=1)]
    )
    loss = fold_log_loss(y[test], proba, fitted, classes)
    return by_argmax, by_prior, loss


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="+", help="these tasks only")
    parser.add_argument("--params", default="{}", help="JSON: our parameters")
    args = parser.parse_args()
    params = json.loads(args.params)

    print(
        f"{'task':13}{'half':>8}   argmax p: ours    MLP"
        "   p / prior: ours    MLP   log-loss: ours    MLP"
    )
    at_mlp = {"argmax": 0, "prior": 0}
    n_tasks = 0
    for task in read_tasks():
        if task["task"] != "classification":
            continue
        if args.only and task["name"] not in args.only:
            continue
        X, y, categorical = load_task(task)
        if metric_of(task, y)[0] != "bacc":
            continue
        classes = np.unique(y)
        means = {}
        for name in ("ours", "MLP"):
            scores = [
                fold_scores(name, task, X, y, categorical, train, test, params, classes)
                for train, test in folds_of(task, X, y, 5)
            ]
            means[name] = np.mean(scores, axis=0)
        ours, mlp = means["ours"], means["MLP"]
        n_tasks += 1
        at_mlp["argmax"] += bool(ours[0] >= mlp[0] - MARGIN)
        at_mlp["prior"] += bool(ours[1] >= mlp[1] - MARGIN)
        print(
            f"{task['name']:13}{task['half']:>8}"
            f"{ours[0]:>17.3f}{mlp[0]:>7.3f}{ours[1]:>18.3f}{mlp[1]:>7.3f}"
            f"{ours[2]:>17.3f}{mlp[2]:>7.3f}",
            flush=True,
        )
    print(
        f"ours >= MLP - {MARGIN}: {at_mlp['argmax']} of {n_tasks} by argmax p, "
        f"{at_mlp['prior']} of {n_tasks} by p / prior"
    )


if __name__ == "__main__":
    main()

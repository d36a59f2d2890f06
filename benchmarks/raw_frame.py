"""Raw DataFrames in: scores and cost of the estimators' own preprocessing.

The frame of issue 20, as a new user brings it: numeric columns on scales
from 1e-3 to 1e4 (two heavy-tailed) with 2-5% of gaps, a 7-level string
column with gaps, a 3-level category column and a bool column. Each
estimator is scored (accuracy / R^2 on a held-out third, mean of three
seeds) fed the raw frame, behind the usual ColumnTransformer (median
imputer + StandardScaler, constant imputer + OneHotEncoder), and on the
numeric columns alone; then the CPU time of the preprocessing is compared
with that of a default fit on 10,000 rows.

    python benchmarks/raw_frame.py            # scores, then timing
    python benchmarks/raw_frame.py --timing   # timing only
    python benchmarks/raw_frame.py --scalers  # the numeric scaler compared
    python benchmarks/raw_frame.py --onnx     # ONNX export against predict

``--scalers`` scores the estimator's own preprocessing with its
StandardScaler swapped for RobustScaler or QuantileTransformer (normal
output), gaps filled with 0 after scaling as the estimator fills them.

``--onnx`` (the ``onnx`` extra) exports each estimator fitted on the raw
frame with skl2onnx and reports the largest relative difference between
onnxruntime's outputs and ``predict_proba`` / ``predict`` on the held-out
third, and whether the labels agree.

``make_frame`` is also the fixture of tests/test_raw_frames.py.
"""

import argparse
import time
import warnings
from functools import partial

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import MissingIndicator, SimpleImputer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import (
    FunctionTransformer,
    OneHotEncoder,
    QuantileTransformer,
    RobustScaler,
    StandardScaler,
)

from sklearn_backprop import BackpropClassifier, BackpropRegressor
from sklearn_backprop._preprocessing import make_preprocessor, preprocess

COLORS = ["red", "green", "blue", "black", "white", "grey", "brown"]
SIZES = ["S", "M", "L"]


def make_frame(n_rows=3000, task="classification", random_state=0):
    """The issue's frame and its target: ``(X, y)``.

    Numeric columns ``tiny`` (1e-3), ``unit`` (1), ``hundreds`` (1e2,
    Student t with 3 degrees of freedom: heavy tails) and ``large`` (1e4,
    log-normal: skewed, with outliers), each with 2-5% NaN; ``color``, 7
    string levels of uneven frequency with 3% None; ``size``, a category of
    3 levels; ``flag``, bool. The target mixes all of them (a missing
    ``color`` has its own effect): labels above the median for
    ``"classification"``, the noisy value for ``"regression"``.
    """
    rng = np.random.default_rng(random_state)
    tiny = rng.normal(size=n_rows)
    unit = rng.uniform(-1, 1, size=n_rows)
    hundreds = rng.standard_t(3, size=n_rows)
    large = rng.lognormal(sigma=1.0, size=n_rows)
    color = rng.choice(7, size=n_rows, p=[0.3, 0.2, 0.15, 0.12, 0.1, 0.08, 0.05])
    size = rng.integers(3, size=n_rows)
    flag = rng.random(n_rows) < 0.4
    color_missing = rng.random(n_rows) < 0.03

    color_effect = np.array([1.0, -1.0, 0.5, -0.5, 1.5, 0.0, -1.5])[color]
    color_effect[color_missing] = 2.0
    latent = (
        np.sin(2 * tiny)
        + 1.5 * unit**2
        + np.clip(hundreds, -3, 3) / 2
        + np.log(large)
        + color_effect
        + np.array([-0.8, 0.0, 0.8])[size]
        + 0.7 * flag
        + 0.5 * flag * unit
    )
    y = latent + rng.normal(scale=0.3, size=n_rows)

    numeric = {
        "tiny": 1e-3 * tiny,
        "unit": unit,
        "hundreds": 100 * hundreds,
        "large": 1e4 * large,
    }
    for share, values in zip([0.02, 0.03, 0.04, 0.05], numeric.values(), strict=True):
        values[rng.random(n_rows) < share] = np.nan
    X = pd.DataFrame(numeric)
    X["color"] = pd.Series(np.array(COLORS, dtype=object)[color], dtype=object)
    X.loc[color_missing, "color"] = None
    X["size"] = pd.Categorical.from_codes(size, SIZES)
    X["flag"] = flag
    if task == "classification":
        return X, (y > np.median(y)).astype(np.int64)
    return X, y


def explicit_pipeline(estimator):
    """The estimator behind the ColumnTransformer a user writes."""
    numeric = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    categorical = make_pipeline(
        SimpleImputer(strategy="constant", fill_value="missing"),
        OneHotEncoder(handle_unknown="ignore"),
    )
    columns = ColumnTransformer(
        [
            ("numeric", numeric, make_column_selector(dtype_include="number")),
            ("categorical", categorical, make_column_selector(dtype_exclude="number")),
        ]
    )
    return make_pipeline(columns, estimator)


def numeric_only(estimator):
    """The estimator on the numeric columns alone (imputed and scaled)."""
    numeric = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    columns = ColumnTransformer(
        [("numeric", numeric, make_column_selector(dtype_include="number"))]
    )
    return make_pipeline(columns, estimator)


def _as_categories(X):
    """The frame with every string and bool column as a category."""
    X = X.copy()
    for name in X.columns:
        if not pd.api.types.is_numeric_dtype(X[name]) or X[name].dtype == bool:
            X[name] = X[name].astype("category")
    return X


def score(make_model, task, seeds=(0, 1, 2)):
    """Mean held-out score over ``seeds`` (data, split and weights), and
    whether any fit warned of saturation."""
    scores, saturated = [], False
    for seed in seeds:
        X, y = make_frame(task=task, random_state=seed)
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=1 / 3, random_state=seed
        )
        model = make_model(seed)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model.fit(X_train, y_train)
        saturated |= any("saturated" in str(w.message) for w in caught)
        scores.append(model.score(X_test, y_test))
    return float(np.mean(scores)), saturated


def _seeded(wrap, Estimator, seed):
    return wrap(Estimator(random_state=seed))


def report_scores():
    for task, Estimator in (
        ("classification", BackpropClassifier),
        ("regression", BackpropRegressor),
    ):
        rows = {
            "raw frame": lambda estimator: estimator,
            "pipeline": explicit_pipeline,
            "numeric only": numeric_only,
        }
        for name, wrap in rows.items():
            mean, saturated = score(partial(_seeded, wrap, Estimator), task)
            flag = "  SaturationWarning" if saturated else ""
            print(f"{task:15s} {name:13s} {mean:.3f}{flag}")


def with_scaler(scaler, estimator):
    """The estimator's own preprocessing, its numeric scaler replaced, in
    front of ``estimator`` (which then takes the array as given)."""
    numeric = make_column_selector(dtype_include="number")
    columns = ColumnTransformer(
        [
            ("numeric", scaler, numeric),
            ("missing", MissingIndicator(error_on_new=False), numeric),
            (
                "categorical",
                OneHotEncoder(
                    handle_unknown="infrequent_if_exist",
                    min_frequency=5,
                    max_categories=50,
                    sparse_output=False,
                ),
                make_column_selector(dtype_exclude="number"),
            ),
        ]
    )
    return make_pipeline(columns, FunctionTransformer(np.nan_to_num), estimator)


def report_scalers():
    scalers = {
        "StandardScaler": StandardScaler,
        "RobustScaler": RobustScaler,
        "QuantileTransformer": partial(
            QuantileTransformer, output_distribution="normal"
        ),
    }
    for task, Estimator in (
        ("classification", BackpropClassifier),
        ("regression", BackpropRegressor),
    ):
        for name, scaler in scalers.items():
            mean, saturated = score(
                partial(_seeded, partial(with_scaler, scaler()), Estimator), task
            )
            flag = "  SaturationWarning" if saturated else ""
            print(f"{task:15s} {name:20s} {mean:.3f}{flag}")


def report_timing(n_rows=10_000):
    """CPU time of the inside preprocessing (a new ColumnTransformer fitted
    and applied, gaps filled: what one fit does) against that of a whole
    default fit, both in this process."""
    X, y = make_frame(n_rows=n_rows, task="classification", random_state=0)
    clf = BackpropClassifier(random_state=0)
    start = time.process_time()
    clf.fit(X, y)
    fit_seconds = time.process_time() - start
    repeats = 5
    start = time.process_time()
    for _ in range(repeats):
        preprocessor, _ = make_preprocessor(X, clf.is_categorical_)
        preprocess(preprocessor, X, fit=True)
    preprocess_seconds = (time.process_time() - start) / repeats
    print(
        f"{n_rows} rows: default fit {fit_seconds:.2f} s CPU ({clf.n_iter_} "
        f"epochs), its preprocessing {preprocess_seconds:.3f} s CPU "
        f"({preprocess_seconds / fit_seconds:.1%} of the fit)"
    )


def report_onnx(n_rows=3000, seed=0):
    import onnxruntime
    import skl2onnx

    from sklearn_backprop.onnx import column_inputs, initial_types

    for task, Estimator in (
        ("classification", BackpropClassifier),
        ("regression", BackpropRegressor),
    ):
        X, y = make_frame(n_rows=n_rows, task=task, random_state=seed)
        X_train, X_test, y_train, _ = train_test_split(
            X, y, test_size=1 / 3, random_state=seed
        )
        model = Estimator(random_state=seed).fit(X_train, y_train)
        options = {"zipmap": False} if task == "classification" else None
        onx = skl2onnx.to_onnx(
            model, initial_types=initial_types(X_train), options=options
        )
        session = onnxruntime.InferenceSession(
            onx.SerializeToString(), providers=["CPUExecutionProvider"]
        )
        outputs = session.run(None, column_inputs(X_test))
        if task == "classification":
            expected = model.predict_proba(X_test)
            got = outputs[1]
            agree = bool((outputs[0] == model.predict(X_test)).all())
            what = f"predict_proba, labels {'equal' if agree else 'DIFFER'}"
        else:
            expected, got, what = model.predict(X_test), outputs[0].ravel(), "predict"
        relative = np.max(np.abs(got - expected) / np.abs(expected))
        print(
            f"{task:15s} ONNX vs {what}: max relative difference {relative:.1e} "
            f"({len(X_test)} held-out rows, {got.dtype})"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timing", action="store_true", help="timing only")
    parser.add_argument(
        "--scalers", action="store_true", help="compare numeric scalers only"
    )
    parser.add_argument(
        "--onnx", action="store_true", help="ONNX export against predict only"
    )
    args = parser.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    if args.onnx:
        report_onnx()
    elif args.scalers:
        report_scalers()
    else:
        if not args.timing:
            report_scores()
        report_timing()

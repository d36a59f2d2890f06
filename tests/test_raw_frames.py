"""Raw DataFrames in: categories, strings, booleans, gaps and any scale.

The frame is issue 20's, made by ``benchmarks/raw_frame.py`` (the script that
reports the same measurements): numeric columns on scales 1e-3 to 1e4 with
2-5% NaN, a 7-level string column with gaps, a 3-level category column and
a bool column.
"""

import importlib.util
import pickle
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_breast_cancer, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_backprop import BackpropClassifier, BackpropRegressor, SaturationWarning
from sklearn_backprop._preprocessing import preprocess

pytestmark = pytest.mark.usefixtures("no_convergence_warning")

_SCRIPT = Path(__file__).parents[1] / "benchmarks" / "raw_frame.py"


def _load_script():
    spec = importlib.util.spec_from_file_location("raw_frame", _SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


raw_frame = _load_script()


@pytest.fixture
def frame():
    """600 rows of the issue's frame and binary labels."""
    return raw_frame.make_frame(n_rows=600, random_state=0)


def _small(Estimator=BackpropClassifier, **params):
    # The network's inputs are the preprocessing's outputs here, no spline
    # features (tests/test_splines.py joins the two).
    return Estimator(max_iter=30, random_state=0, **{"spline_knots": None, **params})


# -- the targets ---------------------------------------------------


@pytest.mark.parametrize(
    "task, Estimator",
    [("classification", BackpropClassifier), ("regression", BackpropRegressor)],
)
def test_raw_frame_scores_as_the_explicit_pipeline(task, Estimator):
    """Fed the raw 3000-row frame, each estimator scores within 0.01 of the
    same estimator behind the usual ColumnTransformer (the issue's target),
    and no fit warns of saturation. Scores are the mean of three seeds (data,
    split, weights): single seeds differ by up to 0.007 either way (measured:
    -0.007 to 0.006 for the classifier, -0.006 to -0.001 for the regressor),
    the means by 0.000 and 0.004."""

    def raw(seed):
        return Estimator(random_state=seed)

    def pipeline(seed):
        return raw_frame.explicit_pipeline(Estimator(random_state=seed))

    with warnings.catch_warnings():
        warnings.simplefilter("error", SaturationWarning)
        raw_score, raw_saturated = raw_frame.score(raw, task)
        pipeline_score, _ = raw_frame.score(pipeline, task)
    assert not raw_saturated
    assert raw_score >= pipeline_score - 0.01


def test_pickle_and_skops_round_trips_are_exact(frame):
    X, y = frame
    clf = _small().fit(X, y)
    loaded = pickle.loads(pickle.dumps(clf))
    assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    sio = pytest.importorskip("skops.io")
    dumped = sio.dumps(clf)
    # The preprocessing is scikit-learn's own transformers: nothing else to trust.
    name = "sklearn_backprop._classifier.BackpropClassifier"
    assert sio.get_untrusted_types(data=dumped) == [name]
    loaded = sio.loads(dumped, trusted=[name])
    assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


def test_unseen_categories_and_new_gaps_are_predicted(frame):
    X, y = frame
    clf = _small().fit(X, y)
    new = X.head(20).copy()
    new["color"] = ["purple"] * 10 + [None] * 10  # unseen level; a known gap
    new["size"] = pd.Categorical(["XL"] * 20)  # a level the category never had
    new["flag"] = new["flag"].astype(object)
    new.loc[new.index[:5], "flag"] = None  # a gap where fit saw none
    new.loc[new.index[5:], "size"] = np.nan
    new["unit"] = np.nan  # a whole column missing
    proba = clf.predict_proba(new)
    assert proba.shape == (20, 2) and np.isfinite(proba).all()
    assert set(clf.predict(new)) <= set(clf.classes_)


# -- what is preprocessed, and how -----------------------------------------


def test_a_heavy_tailed_column_does_not_saturate_the_units(frame):
    """A log-normal column of sigma 3 (values over five orders of magnitude,
    scaled ones up to ~1e3): its outliers saturate the units of their own
    rows only. Measured: 2.4% of the hidden activations saturated, far below
    the warning's 50%."""
    X, y = frame
    X = X.assign(wild=np.random.default_rng(0).lognormal(sigma=3, size=len(X)))
    with warnings.catch_warnings():
        warnings.simplefilter("error", SaturationWarning)
        clf = BackpropClassifier(random_state=0).fit(X, y)
    assert clf.saturation_[0] < 0.1


def test_from_dtype_marks_category_string_object_and_bool_columns(frame):
    X, y = frame
    clf = _small().fit(X, y)
    assert_array_equal(clf.is_categorical_, [False] * 4 + [True] * 3)
    assert isinstance(clf.preprocessor_, ColumnTransformer)
    assert_array_equal(clf.feature_names_in_, X.columns)
    assert clf.n_features_in_ == 7
    names = clf.preprocessor_.get_feature_names_out()
    assert clf.coefs_[0].shape[0] == len(names)
    # A missingness column for each numeric column with gaps; a missing
    # color is a level of its own.
    assert "missing__missingindicator_large" in names
    assert "categorical__color_None" in names


def test_numeric_columns_are_standardised(frame):
    """Mean 0 and standard deviation 1 over the values present, whatever the
    column's scale (1e-3 to 1e4); a gap at the mean (0), flagged in its
    missingness column. (1e-12: float64 sums of 600 values of order one.)"""
    X, y = frame
    clf = _small().fit(X, y)
    Xt = clf.preprocessor_.transform(X)
    numeric = Xt[:, :4]
    assert_allclose(np.nanmean(numeric, axis=0), 0, atol=1e-12)
    assert_allclose(np.nanstd(numeric, axis=0), 1, rtol=1e-12)
    # The network's inputs: the gaps (NaN after scaling) at the mean, 0.
    assert np.isnan(Xt).any()
    assert_array_equal(
        preprocess(clf.preprocessor_, X, fit=False), np.where(np.isnan(Xt), 0, Xt)
    )


def test_categorical_features_by_name_index_or_mask(frame):
    """The same columns named, indexed or masked give the same model; an
    integer column becomes categorical only when named."""
    X, y = frame
    X = X.assign(code=np.arange(len(X)) % 4)
    from_dtype = _small().fit(X, y)
    assert not from_dtype.is_categorical_[-1]
    mask = np.array([False] * 4 + [True] * 4)
    models = [
        _small(categorical_features=spec).fit(X, y)
        for spec in (["color", "size", "flag", "code"], [4, 5, 6, 7], mask)
    ]
    for model in models:
        assert_array_equal(model.is_categorical_, mask)
        assert_array_equal(model.predict_proba(X), models[0].predict_proba(X))
    assert "categorical__code_3" in models[0].preprocessor_.get_feature_names_out()


def test_polars_frame_trains_as_the_pandas_frame(frame):
    pl = pytest.importorskip("polars")
    X, y = frame
    numeric = ["tiny", "unit", "hundreds", "large"]
    polars_X = pl.DataFrame(
        {
            **{name: X[name].to_numpy() for name in numeric},
            "color": pl.Series(X["color"].tolist(), dtype=pl.String),
            "size": pl.Series(
                X["size"].astype(str).tolist(), dtype=pl.Enum(raw_frame.SIZES)
            ),
            "flag": X["flag"].to_numpy(),
        }
    ).with_columns(pl.col(numeric).fill_nan(None))  # polars' gaps are nulls
    pandas_model = _small().fit(X, y)
    polars_model = _small().fit(polars_X, y)
    # Same columns, same encoding, same fit, to the last bit.
    assert_array_equal(
        polars_model.predict_proba(polars_X), pandas_model.predict_proba(X)
    )
    assert_array_equal(
        pandas_model.predict_proba(polars_X), pandas_model.predict_proba(X)
    )


def test_nullable_dtypes_and_pd_na(frame):
    """pandas' nullable dtypes, with pd.NA for their gaps, and object columns
    mixing None and pd.NA: pd.NA is a gap like NaN."""
    X, y = frame
    X = X.copy()
    X["color"] = X["color"].astype("string")  # gaps: pd.NA
    X["flag"] = X["flag"].astype("boolean")
    X.loc[X.index[:5], "flag"] = pd.NA
    X["count"] = pd.array(np.arange(len(X)) % 7, dtype="Int64")
    X.loc[X.index[3:9], "count"] = pd.NA
    X["mixed"] = pd.Series(["u", "v", pd.NA, None] * (len(X) // 4), dtype=object)
    clf = _small().fit(X, y)
    names = clf.preprocessor_.get_feature_names_out()
    assert "missing__missingindicator_count" in names
    # None and pd.NA are the same gap: one level.
    assert [n for n in names if n.startswith("categorical__mixed")] == [
        "categorical__mixed_u",
        "categorical__mixed_v",
        "categorical__mixed_nan",
    ]
    assert np.isfinite(clf.predict_proba(X)).all()


def test_array_with_the_frames_columns_predicts_as_the_frame(frame):
    X, y = frame
    clf = _small().fit(X, y)
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        proba = clf.predict_proba(X.to_numpy())
    assert_array_equal(proba, clf.predict_proba(X))


def test_columns_are_checked_against_fit(frame):
    X, y = frame
    clf = _small().fit(X, y)
    with pytest.raises(ValueError, match="feature names should match"):
        clf.predict(X[X.columns[::-1]])
    with pytest.raises(ValueError, match="feature names should match"):
        clf.predict(X.drop(columns="flag"))


# -- when preprocessing applies --------------------------------------------


def test_arrays_and_unnamed_frames_are_used_as_given():
    """ "auto" leaves an array, and a frame without column names (an array
    wrapped), as they are: the same fit, bit for bit, as before the option
    existed (no preprocessor)."""
    X, y = make_classification(n_samples=100, n_features=4, random_state=0)
    from_array = _small().fit(X, y)
    from_frame = _small().fit(pd.DataFrame(X), y)
    assert from_array.preprocessor_ is None and from_array.is_categorical_ is None
    assert from_frame.preprocessor_ is None
    assert_array_equal(from_frame.coefs_[0], from_array.coefs_[0])


def test_named_numeric_frame_is_scaled_inside():
    """A frame with column names is tabular data as it comes: an all-numeric
    one is scaled inside. breast_cancer unscaled (the issue's example, 5-fold
    CV): 0.977 from the frame, 0.977 behind StandardScaler, 0.907 from the
    unscaled array; the frame must do at least as well as the scaled array
    (within 0.01, a fold's worth of noise on 569 rows)."""
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    frame_score = cross_val_score(BackpropClassifier(random_state=0), X, y, cv=cv)
    scaled = make_pipeline(StandardScaler(), BackpropClassifier(random_state=0))
    scaled_score = cross_val_score(scaled, X.to_numpy(), y, cv=cv)
    assert frame_score.mean() >= scaled_score.mean() - 0.01
    clf = _small().fit(X, y)
    assert not clf.is_categorical_.any()
    # The same preprocessing as for the array: the scaler's sums run over a
    # frame's columns in another memory order (1e-10 relative).
    assert_allclose(
        clf.predict_proba(X),
        _small(preprocessing=True).fit(X.to_numpy(), y).predict_proba(X.to_numpy()),
        rtol=1e-10,
    )


def test_preprocessing_true_scales_and_imputes_numeric_data():
    """Numeric columns far apart in scale, with gaps: refused as given, fitted
    with preprocessing=True (arrays and frames alike)."""
    X, y = make_classification(n_samples=200, n_features=4, random_state=0)
    X = X * [1e-3, 1, 1e3, 1e5]
    X[::17, 1] = np.nan
    with pytest.raises(ValueError, match="NaN(.|\\n)*Or pass preprocessing=True"):
        _small().fit(X, y)
    clf = _small(preprocessing=True).fit(X, y)
    assert_array_equal(clf.is_categorical_, [False] * 4)
    assert clf.coefs_[0].shape[0] == 5  # four columns, one missingness column
    frame_clf = _small(preprocessing=True).fit(pd.DataFrame(X), y)
    assert_array_equal(frame_clf.predict_proba(X), clf.predict_proba(X))


def test_preprocessing_false_uses_the_frame_as_given(frame):
    X, y = frame
    with pytest.raises(ValueError, match="could not convert string to float"):
        _small(preprocessing=False).fit(X, y)


def test_categorical_features_need_preprocessing(frame):
    X, y = frame
    with pytest.raises(ValueError, match="preprocessing=False does not encode"):
        _small(preprocessing=False, categorical_features=["color"]).fit(X, y)


def test_categorical_columns_of_an_array_when_named():
    X, y = make_classification(
        n_samples=200, n_features=3, n_informative=2, n_redundant=0, random_state=0
    )
    X = np.column_stack([X, np.arange(200) % 3]).astype(object)
    X[::7, 3] = None
    clf = _small(categorical_features=[3]).fit(X, y)
    assert clf.preprocessor_ is not None
    assert_array_equal(clf.is_categorical_, [False, False, False, True])
    assert np.isfinite(clf.predict_proba(X)).all()


@pytest.mark.parametrize(
    "categorical_features, message",
    [
        (["color"], "X has no column names"),
        ([7], "out of range"),
        ([True, False], "one entry per column"),
        ([1.5], "array-like of bool, int or str"),
    ],
)
def test_bad_categorical_features_say_what_to_fix(categorical_features, message):
    X, y = make_classification(n_samples=50, n_features=4, random_state=0)
    with pytest.raises(ValueError, match=message):
        _small(categorical_features=categorical_features).fit(X, y)


def test_unknown_column_name_is_listed(frame):
    X, y = frame
    with pytest.raises(ValueError, match=r"\['colour'\] that X does not have"):
        _small(categorical_features=["colour"]).fit(X, y)


def test_a_column_neither_numeric_nor_categorical_is_named(frame):
    X, y = frame
    X = X.assign(when=pd.Timestamp("2026-01-01"))
    with pytest.raises(ValueError, match="Column 'when' of X has dtype Datetime"):
        _small().fit(X, y)


def test_sparse_X_is_not_preprocessed():
    sp = pytest.importorskip("scipy.sparse")
    X, y = make_classification(n_samples=50, n_features=4, random_state=0)
    with pytest.raises(ValueError, match="sparse X"):
        _small(preprocessing=True).fit(sp.csr_matrix(X), y)


# -- continuing training ---------------------------------------------------


def test_partial_fit_keeps_the_first_calls_preprocessing(frame):
    X, y = frame
    clf = BackpropClassifier(random_state=0)
    clf.partial_fit(X[:300], y[:300], classes=[0, 1])
    preprocessor = clf.preprocessor_
    before = preprocessor.transform(X)
    later = X[300:].copy()
    later["color"] = "purple"  # unseen: known to the network as no level
    clf.partial_fit(later, y[300:])
    assert clf.preprocessor_ is preprocessor
    assert_array_equal(clf.preprocessor_.transform(X), before)


def test_warm_start_keeps_the_preprocessing_and_a_new_fit_refits_it(frame):
    X, y = frame
    clf = _small(warm_start=True).fit(X[:300], y[:300])
    preprocessor = clf.preprocessor_
    clf.fit(X[300:], y[300:])
    assert clf.preprocessor_ is preprocessor
    fresh = clone(clf).set_params(warm_start=False).fit(X[300:], y[300:])
    assert fresh.preprocessor_ is not preprocessor


def test_validation_data_and_early_stopping_take_raw_frames(frame):
    X, y = frame
    given = _small().fit(X[:400], y[:400], X_val=X[400:], y_val=y[400:])
    assert len(given.validation_scores_) == given.n_iter_
    held_out = _small(early_stopping=True).fit(X, y)
    assert held_out.validation_scores_


def test_regressor_takes_raw_frames(frame):
    X, _ = frame
    X, y = raw_frame.make_frame(n_rows=600, task="regression", random_state=0)
    reg = _small(BackpropRegressor).fit(X, y)
    assert reg.preprocessor_ is not None
    assert reg.score(X, y) > 0.5


def test_model_moved_to_another_namespace_predicts_frames(frame):
    """Frames are host data: a raw-frame model moved to another array
    namespace preprocesses them on the host and predicts there, as before."""
    xps = pytest.importorskip("array_api_strict")
    from sklearn import config_context
    from sklearn.utils._array_api import get_namespace_and_device, move_estimator_to

    X, y = frame
    clf = _small().fit(X, y)
    with config_context(array_api_dispatch=True):
        xp, _, device = get_namespace_and_device(xps.asarray([0.0]))
        moved = move_estimator_to(clf, xp, device)
        assert moved.preprocessor_ is clf.preprocessor_  # kept on the host
        proba = moved.predict_proba(X)
        assert isinstance(proba, type(xps.asarray([0.0])))
    assert_array_equal(np.asarray(proba), clf.predict_proba(X))


def test_sample_weight_weighs_the_scaling_as_repeated_rows():
    # A weight of 2 counts a row twice in the numeric columns' scaling, as
    # in the loss: the scaler's mean and scale are those of the frame with
    # the weighted rows repeated (before, the scaling ignored the weights).
    rng = np.random.RandomState(0)
    frame = pd.DataFrame(
        {
            "size": rng.lognormal(3, 1, 60),
            "colour": rng.choice(["red", "green", "blue"], 60),
        }
    )
    y = rng.randint(0, 2, 60)
    weights = np.where(np.arange(60) < 20, 2.0, 1.0)
    repeated = np.r_[np.arange(60), np.arange(20)]
    params = dict(random_state=0, max_iter=3, early_stopping=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        weighted = BackpropClassifier(**params).fit(frame, y, sample_weight=weights)
        copied = BackpropClassifier(**params).fit(frame.iloc[repeated], y[repeated])
    scalers = [
        model.preprocessor_.named_transformers_["numeric"]
        for model in (weighted, copied)
    ]
    # Weighted and repeated sums differ in the order of their additions only.
    assert_allclose(scalers[0].mean_, scalers[1].mean_, rtol=1e-12)
    assert_allclose(scalers[0].scale_, scalers[1].scale_, rtol=1e-12)

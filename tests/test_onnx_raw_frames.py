"""ONNX export of a model fitted on a raw DataFrame (its ``preprocessor_``
written as ONNX operators in front of the network): onnxruntime against
predict/predict_proba, and the graph's preprocessed columns against
``preprocessor_`` itself."""

import importlib
import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sklearn_backprop import BackpropClassifier, BackpropRegressor
from sklearn_backprop._preprocessing import preprocess

skl2onnx = pytest.importorskip("skl2onnx")
ort = pytest.importorskip("onnxruntime")
# Not importorskip: with the extra installed, an error in our module must fail.
onnx_export = importlib.import_module("sklearn_backprop.onnx")
from skl2onnx.common.data_types import (  # noqa: E402
    DoubleTensorType,
    FloatTensorType,
    Int64TensorType,
    StringTensorType,
)
from skl2onnx.helpers.onnx_helper import select_model_inputs_outputs  # noqa: E402

pytestmark = [
    pytest.mark.usefixtures("no_convergence_warning"),
    pytest.mark.filterwarnings("ignore::sklearn_backprop.SaturationWarning"),
]

# The graph runs in float64 as predict does, the same operations on the same
# constants (its preprocessed columns equal preprocessor_'s to the bit); only
# MatMul may sum in another order: absolute differences of about 1e-15, which
# are larger relative to a small probability (on the frame, 5e-12
# relative at 4e-5: benchmarks/raw_frame.py --onnx). 1e-9 leaves room for
# that and is far below any float32 rounding (6e-8) a wrong cast would bring,
# and below the target of 1e-5.
RTOL = 1e-9

_SCRIPT = Path(__file__).parents[1] / "benchmarks" / "raw_frame.py"
_spec = importlib.util.spec_from_file_location("raw_frame", _SCRIPT)
raw_frame = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(raw_frame)

CATEGORICAL = ["color", "size", "flag", "code", "note"]


def _frame(n_rows=400, task="classification", seed=0):
    """The issue's frame (numeric gaps, ``color`` text with gaps, ``size`` a
    category, ``flag`` bool) with ``color`` given a rare level, an int column
    ``code`` (categorical by name, one rare level) and a pandas ``string``
    column ``note`` with ``pd.NA`` gaps."""
    X, y = raw_frame.make_frame(n_rows=n_rows, task=task, random_state=seed)
    rng = np.random.default_rng(seed)
    X.loc[[3, 7], "color"] = "violet"  # seen twice: infrequent
    X["code"] = rng.choice([10, 20, 30], size=n_rows)
    X.loc[[5, 9, 11], "code"] = 40  # seen three times: infrequent
    note = pd.Series(rng.choice(["a", "b"], size=n_rows), dtype="string")
    note[rng.random(n_rows) < 0.05] = pd.NA
    X["note"] = note
    return X, y


def _unseen(X):
    """Rows of ``X`` with a level unseen in fit in every categorical column
    but the bool one, and rows with a gap in every column."""
    X = X.iloc[:8].copy()
    X["size"] = X["size"].cat.add_categories(["XL"])
    X.loc[X.index[:4], ["color", "size", "code", "note"]] = ["mauve", "XL", 99, "zzz"]
    X.loc[X.index[4:], ["tiny", "unit", "hundreds", "large", "color", "note"]] = None
    return X


def _session(onx):
    return ort.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )


def _convert(model, X, **options):
    return skl2onnx.to_onnx(
        model, initial_types=onnx_export.initial_types(X), options=options or None
    )


def _fit(Estimator, task, **params):
    X, y = _frame(task=task)
    model = Estimator(
        hidden_layer_sizes=(8,),
        categorical_features=CATEGORICAL,
        max_iter=40,
        random_state=0,
        **params,
    )
    return model.fit(X, y), X


@pytest.mark.parametrize("n_classes", [2, 3])
def test_classifier_matches_predict_and_predict_proba(n_classes):
    X, y = _frame()
    y = (X["unit"].fillna(0).to_numpy() * n_classes).astype(int) % n_classes
    clf = BackpropClassifier(
        hidden_layer_sizes=(8,),
        categorical_features=CATEGORICAL,
        max_iter=40,
        random_state=0,
    ).fit(X, y)
    onx = _convert(clf, X, zipmap=False)
    for rows in (X, _unseen(X)):
        label, proba = _session(onx).run(None, onnx_export.column_inputs(rows))
        assert_array_equal(label, clf.predict(rows))
        assert_allclose(proba, clf.predict_proba(rows), rtol=RTOL)


def test_multilabel_classifier_keeps_float64_probabilities():
    """A multilabel model has no ZipMap: its probabilities stay float64
    under the default options."""
    X, y = _frame()
    Y = np.column_stack([y, 1 - y, X["flag"].to_numpy(dtype=int)])
    clf = BackpropClassifier(
        hidden_layer_sizes=(8,),
        categorical_features=CATEGORICAL,
        max_iter=40,
        random_state=0,
    ).fit(X, Y)
    label, proba = _session(_convert(clf, X)).run(None, onnx_export.column_inputs(X))
    assert_array_equal(label, clf.predict(X))
    assert proba.dtype == np.float64
    assert_allclose(proba, clf.predict_proba(X), rtol=RTOL)


def test_regressor_matches_predict():
    reg, X = _fit(BackpropRegressor, "regression")
    onx = _convert(reg, X)
    for rows in (X, _unseen(X)):
        (output,) = _session(onx).run(None, onnx_export.column_inputs(rows))
        assert output.dtype == np.float64
        assert_allclose(output.ravel(), reg.predict(rows), rtol=RTOL)


def _preprocessed(onx, inputs):
    """The graph's network inputs (the output of the preprocessing)."""
    (name,) = [
        out for node in onx.graph.node for out in node.output if out == "preprocessed"
    ]
    return _session(select_model_inputs_outputs(onx, outputs=name)).run(None, inputs)[0]


def test_preprocessing_graph_is_the_preprocessor():
    """Each level of each categorical column reaches its own one-hot column,
    the rare ones and the unseen ones the "infrequent" column (all zeros for
    a column with none), a gap its missing level: the graph's preprocessed
    columns are those of ``preprocessor_``, in the same order, on rows made
    to hit every level, plus unseen levels and gaps."""
    clf, X = _fit(BackpropClassifier, "classification")
    encoder = clf.preprocessor_.named_transformers_["categorical"]
    # The frame has what the test is about: infrequent levels in two
    # columns, missing levels in two, none infrequent in the others.
    infrequent = [c is not None for c in encoder.infrequent_categories_]
    assert infrequent == [True, False, False, True, False]
    rows = pd.concat([X.iloc[[3, 5, 7, 9, 11]], X, _unseen(X)])
    onx = _convert(clf, X, zipmap=False)
    got = _preprocessed(onx, onnx_export.column_inputs(rows))
    expected = preprocess(clf.preprocessor_, rows, fit=False)
    assert got.shape == (len(rows), len(clf.preprocessor_.get_feature_names_out()))
    # The same float64 operations on the same constants: equal to the bit.
    assert_array_equal(got, expected)


def test_skl2onnx_guesses_the_inputs_from_the_frame():
    """``to_onnx(model, X=frame)`` declares the inputs as skl2onnx does for a
    pipeline (a double, int64, bool or string tensor per column, after its
    dtype), and the graph takes them: the dict of columns a user feeds."""
    X, y = _frame(task="regression")
    X = X.drop(columns="note")  # (skl2onnx guesses no pandas "string" column)
    reg = BackpropRegressor(
        hidden_layer_sizes=(8,),
        categorical_features=CATEGORICAL[:-1],
        max_iter=40,
        random_state=0,
    ).fit(X, y)
    onx = skl2onnx.to_onnx(reg, X=X)
    types = {i.name: i.type.tensor_type.elem_type for i in onx.graph.input}
    assert types == {
        "tiny": 11,
        "unit": 11,
        "hundreds": 11,
        "large": 11,
        "color": 8,  # string
        "size": 8,
        "flag": 9,  # bool
        "code": 7,  # int64
    }
    inputs = {name: X[[name]].to_numpy() for name in X.columns}
    inputs["color"] = X[["color"]].fillna("").to_numpy(dtype=str).astype(object)
    inputs["size"] = X[["size"]].to_numpy(dtype=str).astype(object)
    (output,) = _session(onx).run(None, inputs)
    assert_allclose(output.ravel(), reg.predict(X), rtol=RTOL)


def test_float32_numeric_columns_and_a_polars_frame():
    """Numeric columns may come as float32 tensors (the graph computes in
    float64 whatever their type); a polars frame converts as a pandas one."""
    pl = pytest.importorskip("polars")
    X, y = _frame()
    numeric = ["tiny", "unit", "hundreds", "large"]
    X = pl.DataFrame(
        {
            **{name: X[name].to_numpy() for name in numeric + ["flag", "code"]},
            "color": pl.Series(X["color"].tolist(), dtype=pl.String),
            "size": pl.Series(
                X["size"].astype(str).tolist(), dtype=pl.Enum(raw_frame.SIZES)
            ),
        }
    ).with_columns(pl.col(numeric).fill_nan(None))  # polars' gaps are nulls
    clf = BackpropClassifier(
        hidden_layer_sizes=(8,),
        categorical_features=CATEGORICAL[:-1],
        max_iter=40,
        random_state=0,
    ).fit(X, y)
    types = [
        (name, FloatTensorType([None, 1]) if name in ("unit", "large") else t)
        for name, t in onnx_export.initial_types(X)
    ]
    onx = skl2onnx.to_onnx(clf, initial_types=types, options={"zipmap": False})
    inputs = onnx_export.column_inputs(X)
    for name in ("unit", "large"):
        inputs[name] = inputs[name].astype(np.float32)
    X32 = X.with_columns(pl.col("unit", "large").cast(pl.Float32))
    label, proba = _session(onx).run(None, inputs)
    assert_array_equal(label, clf.predict(X32))
    assert_allclose(proba, clf.predict_proba(X32), rtol=RTOL)


def test_preprocessing_true_on_an_array_takes_one_tensor():
    """A model that preprocesses an array (``preprocessing=True``) takes the
    array as one tensor ``X``, as a model without preprocessing does."""
    X, y = _frame()
    X = X[["tiny", "unit", "hundreds", "large"]].to_numpy()
    reg = BackpropRegressor(
        hidden_layer_sizes=(8,), preprocessing=True, max_iter=40, random_state=0
    ).fit(X, y)
    onx = skl2onnx.to_onnx(reg, X[:1])
    (output,) = _session(onx).run(None, {"X": X})
    assert_allclose(output.ravel(), reg.predict(X), rtol=RTOL)


def test_zipmap_default_gives_float32_probabilities_by_label():
    clf, X = _fit(BackpropClassifier, "classification")
    label, by_label = _session(_convert(clf, X)).run(None, onnx_export.column_inputs(X))
    assert_array_equal(label, clf.predict(X))
    proba = np.array([[row[c] for c in clf.classes_] for row in by_label])
    # ZipMap takes float32 only: float32 rounding (6e-8 relative), and the
    # float32 flush of values below its smallest normal number.
    assert_allclose(
        proba, clf.predict_proba(X), rtol=1e-6, atol=np.finfo(np.float32).tiny
    )


def test_column_inputs_and_initial_types():
    X = pd.DataFrame(
        {
            "price": pd.array([1.5, None], dtype="Float64"),
            "count": pd.array([3, None], dtype="Int64"),
            "city": ["Oslo", None],
            "member": pd.array([True, None], dtype="boolean"),
            "size": pd.Categorical(["S", None]),
            "grade": pd.Categorical([2, 3]),
        }
    )
    types = dict(onnx_export.initial_types(X))
    numeric = {"price", "count", "grade"}
    for name, tensor_type in types.items():
        expected = DoubleTensorType if name in numeric else StringTensorType
        assert type(tensor_type) is expected and tensor_type.shape == [None, 1]
    inputs = onnx_export.column_inputs(X)
    assert_array_equal(inputs["price"], [[1.5], [np.nan]])
    assert_array_equal(inputs["count"], [[3.0], [np.nan]])
    assert_array_equal(inputs["grade"], [[2.0], [3.0]])
    assert inputs["city"].tolist() == [["Oslo"], [""]]
    assert inputs["member"].tolist() == [["True"], [""]]
    assert inputs["size"].tolist() == [["S"], [""]]
    with pytest.raises(TypeError, match="DataFrame"):
        onnx_export.initial_types(X.to_numpy())


# -- what is refused, and how to fix it ------------------------------------


def _retyped(X, columns, tensor_type):
    """``initial_types(X)`` with ``columns`` declared as ``tensor_type``."""
    return [
        (name, tensor_type([None, 1]) if name in columns else t)
        for name, t in onnx_export.initial_types(X)
    ]


def test_a_text_column_as_int_codes_is_refused():
    clf, X = _fit(BackpropClassifier, "classification")
    types = _retyped(X, ["size"], Int64TensorType)
    with pytest.raises(TypeError, match="'size' is text.*string tensor"):
        skl2onnx.to_onnx(clf, initial_types=types)


def test_a_numeric_column_as_strings_is_refused():
    clf, X = _fit(BackpropClassifier, "classification")
    types = _retyped(X, ["tiny", "code"], StringTensorType)
    with pytest.raises(TypeError, match="'tiny' is numeric.*float, double, int"):
        skl2onnx.to_onnx(clf, initial_types=types)


def test_float32_input_for_levels_it_cannot_hold_is_refused():
    """A float32 value never equals the level 0.1: every row would take the
    unseen level's columns, silently."""
    X, y = _frame()
    X["code"] = X["code"] / 100  # levels 0.1, 0.2, 0.3, 0.4
    clf = BackpropClassifier(
        categorical_features=CATEGORICAL, max_iter=5, random_state=0
    ).fit(X, y)
    types = _retyped(X, ["code"], FloatTensorType)
    with pytest.raises(TypeError, match="'code' has levels that float32"):
        skl2onnx.to_onnx(clf, initial_types=types)


def test_inputs_that_do_not_give_the_columns_are_refused():
    clf, X = _fit(BackpropClassifier, "classification")
    types = onnx_export.initial_types(X)[:-1]
    with pytest.raises(ValueError, match="one input per column"):
        skl2onnx.to_onnx(clf, initial_types=types)


def test_the_empty_string_as_a_level_beside_gaps_is_refused():
    """A string tensor gives a missing value as the empty string: a column
    that had both cannot be told apart in the graph."""
    X, y = _frame()
    X.loc[X.index[:10], "color"] = ""
    clf = BackpropClassifier(max_iter=5, random_state=0).fit(X, y)
    with pytest.raises(NotImplementedError, match="empty string"):
        _convert(clf, X)

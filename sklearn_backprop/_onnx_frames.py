"""ONNX export of a model's own preprocessing (``preprocessor_``).

A model fitted on a DataFrame keeps a fitted
:class:`~sklearn.compose.ColumnTransformer` of scikit-learn's
:class:`~sklearn.preprocessing.StandardScaler`,
:class:`~sklearn.impute.MissingIndicator` and
:class:`~sklearn.preprocessing.OneHotEncoder` (see ``_preprocessing``).
skl2onnx converts neither OneHotEncoder's "infrequent" levels, nor a missing
value as a level, nor MissingIndicator, so the graph of that transformer is
written here from ONNX operators, from the fitted transformers' attributes,
and put in front of the network's.

The graph takes the raw columns as skl2onnx takes a DataFrame: one input per
column, named after it, of shape ``(n_samples, 1)`` (or any inputs whose
widths add up to the columns, taken in order, such as one tensor ``X`` of a
model fitted on an array). A numeric column is a float, double, int or bool
tensor with NaN for a gap. A categorical column whose levels are text is a
string tensor, the empty string standing for a missing value (a string
tensor holds no None); one whose levels are numbers or booleans is a numeric
or bool tensor (NaN for a missing value), or for booleans a string tensor of
``"True"``/``"False"``. Everything runs in float64, as ``predict`` runs it.
"""

import numpy as np
from skl2onnx.common.data_types import (
    BooleanTensorType,
    DoubleTensorType,
    FloatTensorType,
    Int32TensorType,
    Int64TensorType,
    StringTensorType,
)
from skl2onnx.proto import onnx_proto
from sklearn.impute import MissingIndicator
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils._missing import is_scalar_nan

# The name skl2onnx knows the preprocessing operator by.
PREPROCESSING_ALIAS = "SklearnBackpropPreprocessing"

# The text a missing value of a text column arrives as.
MISSING_TEXT = ""

_NUMERIC_TYPES = (
    DoubleTensorType,
    FloatTensorType,
    Int64TensorType,
    Int32TensorType,
    BooleanTensorType,
)
_DOUBLE = onnx_proto.TensorProto.DOUBLE
_INT64 = onnx_proto.TensorProto.INT64


def declare_preprocessing(scope, model, inputs):
    """Parser step: the operator that turns the raw columns ``inputs`` into
    the network's inputs, and its output variable (in a list)."""
    operator = scope.declare_local_operator(PREPROCESSING_ALIAS, model)
    operator.inputs = inputs
    width = model.coefs_[0].shape[0]
    output = scope.declare_local_variable(
        "preprocessed", DoubleTensorType([None, width])
    )
    operator.outputs.append(output)
    return operator.outputs


def preprocessing_shapes(operator):
    """Shape calculator: checks every column is convertible (the errors are
    raised here, before any node is written)."""
    model = operator.raw_operator
    columns = _column_sources(model, operator.inputs)
    for _, transformer, indices in _transformers(model.preprocessor_):
        for position, index in enumerate(indices):
            _check_column_type(transformer, position, columns[index])
    n_rows = operator.inputs[0].get_first_dimension()
    operator.outputs[0].type = DoubleTensorType([n_rows, model.coefs_[0].shape[0]])


def preprocessing_graph(graph, model, inputs, output):
    """Write the nodes of ``model.preprocessor_`` into ``graph`` (onnx.py's
    ``_Graph``), from the raw column variables ``inputs`` to ``output``."""
    preprocessor = model.preprocessor_
    columns = _column_sources(model, inputs)
    blocks = []  # (first output column, node name)
    for name, transformer, indices in _transformers(preprocessor):
        block = preprocessor.output_indices_[name]
        if block.stop == block.start:
            continue
        sources = [columns[i] for i in indices]
        if isinstance(transformer, StandardScaler):
            node = _scaled(graph, transformer, sources)
        elif isinstance(transformer, MissingIndicator):
            node = _missing_indicator(graph, transformer, sources)
        else:
            node = _one_hot(graph, transformer, sources)
        blocks.append((block.start, node))
    blocks.sort(key=lambda pair: pair[0])
    nodes = [node for _, node in blocks]
    if len(nodes) == 1:
        return graph.node("Identity", nodes, output)
    return graph.node("Concat", nodes, output, axis=1)


# -- the columns -----------------------------------------------------------


class _Source:
    """One raw column: the input variable holding it and its place there."""

    def __init__(self, name, variable, position):
        self.name, self.variable, self.position = name, variable, position

    @property
    def type(self):
        return self.variable.type

    def extract(self, graph):
        """The column as an ``(n_samples, 1)`` node of its input's type."""
        if _width(self.variable) == 1:
            return self.variable.full_name
        index = graph.constant("column", np.array([self.position], np.int64), _INT64)
        return graph.node("Gather", [self.variable.full_name, index], axis=1)

    def as_double(self, graph):
        return graph.node("Cast", [self.extract(graph)], to=_DOUBLE)


def _width(variable):
    shape = variable.type.shape
    return shape[1] if len(shape) == 2 and isinstance(shape[1], int) else None


def _column_sources(model, inputs):
    """The raw column of each feature seen in fit, as a list of ``_Source``.

    Inputs named after the frame's columns, one column each, are matched by
    name (in any order); otherwise the inputs' columns are taken in order.
    """
    n_features = model.n_features_in_
    names = [str(c) for c in getattr(model, "feature_names_in_", range(n_features))]
    by_name = {variable.raw_name: variable for variable in inputs}
    if (
        hasattr(model, "feature_names_in_")
        and len(inputs) == n_features
        and set(by_name) == set(names)
        and all(_width(v) in (1, None) for v in inputs)
    ):
        return [_Source(name, by_name[name], 0) for name in names]
    if len(inputs) == 1 and _width(inputs[0]) is None:
        return [_Source(name, inputs[0], i) for i, name in enumerate(names)]
    widths = [_width(variable) for variable in inputs]
    if None in widths or sum(widths) != n_features:
        given = [(v.raw_name, v.type.shape) for v in inputs]
        raise ValueError(
            f"The model was fitted on {n_features} columns {names}, and the "
            f"ONNX inputs {given} do not give them: declare one input per "
            "column, named after it, of shape [None, 1] (skl2onnx.to_onnx(model, "
            "X=frame) does so for a pandas frame; "
            "sklearn_backprop.onnx.initial_types(frame) for any frame), or "
            "inputs whose widths add up to the columns, in order."
        )
    sources = []
    for variable, width in zip(inputs, widths, strict=True):
        for position in range(width):
            sources.append(_Source(names[len(sources)], variable, position))
    return sources


def _transformers(preprocessor):
    """``(name, fitted transformer, column indices)`` of each part that
    makes output columns; anything this module cannot write is refused."""
    parts = []
    for name, transformer, indices in preprocessor.transformers_:
        if isinstance(transformer, str):  # "drop" (the remainder, here)
            if transformer != "drop":
                raise NotImplementedError(
                    f"ONNX export of the preprocessing does not take the "
                    f"ColumnTransformer part {name!r} = {transformer!r}."
                )
            continue
        supported = (StandardScaler, MissingIndicator, OneHotEncoder)
        if not isinstance(transformer, supported):
            raise NotImplementedError(
                f"ONNX export of the preprocessing writes StandardScaler, "
                f"MissingIndicator and OneHotEncoder, not {transformer!r}."
            )
        if isinstance(transformer, OneHotEncoder) and transformer.drop_idx_ is not None:
            raise NotImplementedError(
                "ONNX export of the preprocessing does not write a "
                "OneHotEncoder with drop set (the estimators' own has none)."
            )
        parts.append(
            (name, transformer, np.arange(preprocessor.n_features_in_)[indices])
        )
    return parts


def _check_column_type(transformer, position, source):
    """Refuse a column whose ONNX type cannot hold what the transformer
    takes, saying which type it must be."""
    if not isinstance(transformer, OneHotEncoder):
        wanted, kind = _NUMERIC_TYPES, "numeric"
    else:
        levels, has_missing = _levels(transformer.categories_[position])
        kind = _level_kind(levels, source.name)
        if kind == "text":
            wanted = (StringTensorType,)
            if has_missing and MISSING_TEXT in levels:
                raise NotImplementedError(
                    f"Column {source.name!r} had both missing values and the "
                    "empty string as levels in fit, and a string tensor "
                    "gives a missing value as the empty string: replace the "
                    "empty strings (e.g. by 'empty') in the data and refit."
                )
        elif kind == "bool":
            wanted = (*_NUMERIC_TYPES, StringTensorType)
        else:
            wanted = _NUMERIC_TYPES
            inexact = [v for v in levels if float(np.float32(v)) != float(v)]
            if isinstance(source.type, FloatTensorType) and inexact:
                # A float32 value would never equal such a level: the row
                # would silently take the unseen level's columns.
                raise TypeError(
                    f"Column {source.name!r} has levels that float32 does not "
                    f"hold exactly (e.g. {inexact[0]!r}): declare its ONNX "
                    "input as a double tensor."
                )
    if not isinstance(source.type, wanted):
        if kind == "text":
            hint = (
                "a string tensor, the empty string for a gap (skl2onnx.to_onnx("
                "model, X=frame) guesses int64 codes for a category column "
                "whose first value is missing, which the graph cannot read: "
                "declare the inputs with "
                "sklearn_backprop.onnx.initial_types(frame))"
            )
        else:
            hint = "a float, double, int or bool tensor (NaN for a gap)"
        raise TypeError(
            f"Column {source.name!r} is {kind} for the model, so its ONNX input "
            f"must be {hint}; got {type(source.type).__name__}."
        )


# -- the transformers ------------------------------------------------------


def _scaled(graph, scaler, sources):
    """``(x - mean_) / scale_``, a gap made 0 (the column's mean)."""
    x = _concat(graph, [s.as_double(graph) for s in sources])
    k = len(sources)
    if scaler.mean_ is not None:
        mean = np.asarray(scaler.mean_, np.float64).reshape(1, k)
        x = graph.node("Sub", [x, graph.constant("mean", mean, _DOUBLE)])
    if scaler.scale_ is not None:
        scale = np.asarray(scaler.scale_, np.float64).reshape(1, k)
        x = graph.node("Div", [x, graph.constant("scale", scale, _DOUBLE)])
    zero = graph.constant("zero", np.zeros((), np.float64), _DOUBLE)
    return graph.node("Where", [graph.node("IsNaN", [x]), zero, x])


def _missing_indicator(graph, indicator, sources):
    """1.0 where a column that had gaps in fit has one, else 0.0."""
    flags = [
        graph.node(
            "Cast", [graph.node("IsNaN", [sources[j].as_double(graph)])], to=_DOUBLE
        )
        for j in indicator.features_
    ]
    return _concat(graph, flags)


def _one_hot(graph, encoder, sources):
    """The encoder's columns, feature by feature."""
    return _concat(
        graph,
        [
            _one_hot_column(graph, encoder, position, source)
            for position, source in enumerate(sources)
        ],
    )


def _one_hot_column(graph, encoder, position, source):
    """One categorical column's block of one-hot columns.

    Each level of ``categories_`` goes to its own output column, the
    infrequent ones to the shared infrequent column (the block's last), and
    a level unseen in fit to that column too, or to none when there is none:
    as ``OneHotEncoder(handle_unknown="infrequent_if_exist")`` does.
    """
    categories = encoder.categories_[position]
    targets, width, unseen = _level_targets(encoder, position)
    levels, has_missing = _levels(categories)
    missing = [_is_gap(c) for c in categories]
    level_targets = [t for t, m in zip(targets, missing, strict=True) if not m]
    missing_target = [t for t, m in zip(targets, missing, strict=True) if m]
    if isinstance(source.type, StringTensorType):
        keys = [str(level) for level in levels] + [MISSING_TEXT] * has_missing
        column = graph.node(
            "LabelEncoder",
            [source.extract(graph)],
            op_domain="ai.onnx.ml",
            op_version=2,
            keys_strings=[key.encode("utf-8") for key in keys],
            values_int64s=level_targets + missing_target,
            default_int64=unseen,
        )
        outputs = np.arange(width, dtype=np.int64).reshape(1, width)
    else:
        x = source.as_double(graph)
        values = np.asarray([float(level) for level in levels], np.float64)
        matches = [
            graph.node("Equal", [x, graph.constant("levels", values[None], _DOUBLE)])
        ]
        if has_missing:
            matches.append(graph.node("IsNaN", [x]))
        matches = [graph.node("Cast", [m], to=_DOUBLE) for m in matches]
        # One match at most per row: the matched level's target, or
        # ``unseen`` when none matched.
        shift = np.asarray(level_targets + missing_target, np.float64) - unseen
        column = graph.node(
            "Add",
            [
                graph.node(
                    "MatMul",
                    [
                        _concat(graph, matches),
                        graph.constant("targets", shift[:, None], _DOUBLE),
                    ],
                ),
                graph.constant("unseen", np.array(unseen, np.float64), _DOUBLE),
            ],
        )
        outputs = np.arange(width, dtype=np.float64).reshape(1, width)
    proto = _INT64 if outputs.dtype == np.int64 else _DOUBLE
    hot = graph.node("Equal", [column, graph.constant("outputs", outputs, proto)])
    return graph.node("Cast", [hot], to=_DOUBLE)


def _level_targets(encoder, position):
    """For feature ``position`` of a fitted OneHotEncoder (drop=None): the
    output column of each level of ``categories_[position]``, the block's
    width, and the column of a level unseen in fit (-1: none).

    The frequent levels keep their order; the infrequent ones share one
    column after them (scikit-learn's order, checked against
    ``get_feature_names_out`` in tests/test_onnx_raw_frames.py)."""
    categories = encoder.categories_[position]
    infrequent = encoder.infrequent_categories_[position]
    if infrequent is None:
        return list(range(len(categories))), len(categories), -1
    is_infrequent = [_is_in(c, infrequent) for c in categories]
    n_frequent = len(categories) - sum(is_infrequent)
    targets, frequent = [], 0
    for rare in is_infrequent:
        targets.append(n_frequent if rare else frequent)
        frequent += not rare
    return targets, n_frequent + 1, n_frequent


def _is_gap(category):
    """Whether a level of ``categories_`` is the missing one (NaN or None)."""
    return is_scalar_nan(category) or category is None


def _is_in(category, values):
    if _is_gap(category):
        return any(_is_gap(v) for v in values)
    return any(not _is_gap(v) and v == category for v in values)


def _levels(categories):
    """The levels of ``categories`` but a missing one, and whether there is
    a missing one (NaN or None, always last in ``categories_``)."""
    levels = [c for c in categories if not _is_gap(c)]
    return levels, len(levels) < len(categories)


def _level_kind(levels, name):
    """ "text", "bool" or "number": what an ONNX tensor of the column holds."""
    if all(isinstance(level, str) for level in levels):
        return "text"
    if all(isinstance(level, (bool, np.bool_)) for level in levels):
        return "bool"
    if all(
        isinstance(level, (int, float, np.number)) and not isinstance(level, bool)
        for level in levels
    ):
        return "number"
    kinds = sorted({type(level).__name__ for level in levels})
    raise NotImplementedError(
        f"Column {name!r} has levels of types {kinds}, which no ONNX tensor "
        "holds: convert the column to strings (or numbers) and refit."
    )


def _concat(graph, nodes):
    if len(nodes) == 1:
        return nodes[0]
    return graph.node("Concat", nodes, axis=1)


# -- a frame's columns as ONNX inputs --------------------------------------


def initial_types(X):
    """The ONNX inputs of a model fitted on frames like ``X``: skl2onnx's
    ``initial_types``, one ``(column name, tensor type)`` per column.

    A numeric column is a double tensor of shape ``[None, 1]`` (NaN for a
    gap), and so is a category column whose categories are numbers; any other
    column (text, category, bool) is a string tensor, the empty string for a
    gap. :func:`column_inputs` gives the values in these types.

    Parameters
    ----------
    X : pandas or polars DataFrame
        A frame with the columns the model was fitted on (its rows do not
        matter).

    Returns
    -------
    initial_types : list of (str, skl2onnx tensor type)

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_backprop.onnx import initial_types
    >>> X = pd.DataFrame({"price": [1.5, None], "city": ["Oslo", None]})
    >>> [(name, type(t).__name__) for name, t in initial_types(X)]
    [('price', 'DoubleTensorType'), ('city', 'StringTensorType')]
    """
    return [
        (name, DoubleTensorType([None, 1]) if numeric else StringTensorType([None, 1]))
        for name, numeric, _ in _frame_columns(X)
    ]


def column_inputs(X):
    """The columns of ``X`` as the inputs of an ONNX model whose inputs are
    :func:`initial_types` ``(X)``: a dict from column name to an array of
    shape ``(n_samples, 1)``, to pass to onnxruntime's ``run``.

    Numeric columns are float64 (NaN for a gap, ``pd.NA`` and None too);
    other columns are strings (``str`` of each value: ``"True"`` and
    ``"False"`` for booleans), the empty string for a gap.

    Parameters
    ----------
    X : pandas or polars DataFrame

    Returns
    -------
    inputs : dict of str to ndarray of shape (n_samples, 1)

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_backprop.onnx import column_inputs
    >>> X = pd.DataFrame({"price": [1.5, None], "member": [True, None]})
    >>> column_inputs(X)["member"].ravel().tolist()
    ['True', '']
    """
    return {name: values[:, None] for name, _, values in _frame_columns(X)}


def _frame_columns(X):
    """``(name, numeric, values)`` of each column of the frame ``X``:
    ``values`` float64 (numeric) or an object array of str (not)."""
    from ._preprocessing import _narwhals, is_dataframe

    if not is_dataframe(X):
        raise TypeError(
            f"Expected a pandas or polars DataFrame, got {type(X).__name__}: "
            "for an array, give skl2onnx.to_onnx the array itself (one input)."
        )
    nw = _narwhals()
    frame = nw.from_native(X, eager_only=True)
    columns = []
    for name, dtype in frame.schema.items():
        series = frame[name]
        numeric = dtype.is_numeric() or (
            dtype in (nw.Categorical, nw.Enum)
            and series.cat.get_categories().dtype.is_numeric()
        )
        values = series.to_numpy()
        if numeric:
            try:
                values = np.asarray(values, dtype=np.float64)
            except TypeError:  # pd.NA among the values
                values = np.array(
                    [np.nan if _is_missing(v) else float(v) for v in values]
                )
        else:
            values = np.array(
                [MISSING_TEXT if _is_missing(v) else str(v) for v in values],
                dtype=object,
            )
        columns.append((str(name), numeric, values))
    return columns


def _is_missing(value):
    """None, NaN or ``pd.NA`` (without importing pandas)."""
    return value is None or is_scalar_nan(value) or type(value).__name__ == "NAType"

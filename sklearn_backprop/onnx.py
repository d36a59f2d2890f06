"""ONNX export: converters for skl2onnx (the ``onnx`` extra).

This module registers both estimators with skl2onnx, after which
``skl2onnx.to_onnx`` converts them, alone or inside a pipeline. There is no
need to import it: ``sklearn_backprop`` imports it as soon as skl2onnx is
imported (or at once, when skl2onnx already is); importing it by hand does
no harm.

>>> import numpy as np
>>> import onnxruntime
>>> import skl2onnx
>>> from sklearn.datasets import load_iris
>>> from sklearn.pipeline import make_pipeline
>>> from sklearn.preprocessing import StandardScaler
>>> from sklearn_backprop import BackpropClassifier
>>> X, y = load_iris(return_X_y=True)
>>> X = X.astype(np.float32)
>>> clf = make_pipeline(StandardScaler(), BackpropClassifier(solver="lbfgs"))
>>> clf = clf.fit(X, y)
>>> onx = skl2onnx.to_onnx(clf, X[:1], options={"zipmap": False})
>>> session = onnxruntime.InferenceSession(onx.SerializeToString())
>>> labels, proba = session.run(None, {"X": X})
>>> bool((labels == clf.predict(X)).all())
True

The graph is the estimator's own prediction, operator for operator: each
layer is ``MatMul`` (and ``Add`` of the bias when ``fit_intercept=True``)
followed by its unit (``Sigmoid``, ``Tanh``, ``Relu``, ``Softmax``, ``Exp``
or nothing for the identity). The classifier then picks labels as
``predict`` does (the first largest probability for a softmax output,
probability above 0.5 for a logistic one); the regressor maps the output
back to the units of the targets (``output * scale + offset``).

The network runs in the precision it was fitted in (as ``predict`` does: a
model fitted on float64 data casts a float32 input to float64), and the
outputs have the input's type. Classifier outputs follow skl2onnx's
conventions: ``label`` and ``probabilities``, the probabilities wrapped by a
``ZipMap`` unless ``options={"zipmap": False}`` (ZipMap takes float32 only,
so its probabilities are float32 whatever the input); multilabel models give
a ``(n_samples, n_labels)`` int64 indicator matrix and never a ``ZipMap``.
Regressor outputs are ``variable`` of shape ``(n_samples, n_outputs)``.

A model fitted on a DataFrame (with its ``preprocessor_``) takes the raw
columns, as skl2onnx takes a frame for a pipeline: one input per column,
named after it, of shape ``(n_samples, 1)``. The graph standardises the
numeric columns (NaN for a gap), flags their gaps and one-hot encodes the
categorical ones exactly as ``preprocessor_`` does, infrequent and unseen
levels included, in float64, and its real outputs are float64. A text column
is a string tensor in which the empty string stands for a missing value;
:func:`initial_types` and :func:`column_inputs` give a frame's inputs and
values in these types (``skl2onnx.to_onnx(model, X=frame)`` guesses them
too, for a pandas frame; its text columns must then be fed with the empty
string for a gap):

>>> import pandas as pd
>>> from sklearn_backprop.onnx import column_inputs, initial_types
>>> frame = pd.DataFrame({
...     "income": [52e3, 61e3, np.nan, 38e3, 95e3, 47e3] * 10,
...     "city": ["Oslo", "Lima", "Oslo", None, "Pune", "Lima"] * 10,
...     "member": [True, False, True, True, False, False] * 10,
... })
>>> y = [1, 0, 1, 0, 1, 0] * 10
>>> clf = BackpropClassifier(random_state=0).fit(frame, y)
>>> onx = skl2onnx.to_onnx(
...     clf, initial_types=initial_types(frame), options={"zipmap": False}
... )
>>> session = onnxruntime.InferenceSession(onx.SerializeToString())
>>> labels, proba = session.run(None, column_inputs(frame))
>>> bool((labels == clf.predict(frame)).all())
True
>>> bool(np.allclose(proba, clf.predict_proba(frame), rtol=1e-10))
True
"""

import numpy as np
from onnx import numpy_helper
from skl2onnx import update_registered_converter
from skl2onnx._parse import _parse_sklearn_classifier, _parse_sklearn_simple_model
from skl2onnx.common._registration import (
    register_converter,
    register_shape_calculator,
)
from skl2onnx.common.data_types import (
    DoubleTensorType,
    FloatTensorType,
    Int64TensorType,
    StringTensorType,
)
from skl2onnx.common.utils_classifier import get_label_classes
from skl2onnx.proto import onnx_proto

from ._activations import get_unit
from ._classifier import BackpropClassifier
from ._onnx_frames import (
    PREPROCESSING_ALIAS,
    column_inputs,
    declare_preprocessing,
    initial_types,
    preprocessing_graph,
    preprocessing_shapes,
)
from ._regressor import BackpropRegressor

__all__ = ["column_inputs", "initial_types"]

# The names skl2onnx knows our estimators' operators by.
_CLASSIFIER_ALIAS = "SklearnBackpropClassifier"
_REGRESSOR_ALIAS = "SklearnBackpropRegressor"


def _target_scaling(model):
    """``(offset, scale)`` of a fitted regressor: ``y = output * scale + offset``.

    The one place that knows where the regressor keeps its target scaling.
    """
    return model._y_offset, model._y_scale


def _output_type(input_type):
    """The tensor type of real outputs for an input of ``input_type``."""
    return (
        DoubleTensorType
        if isinstance(input_type, DoubleTensorType)
        else FloatTensorType
    )


def _proto_dtype(dtype):
    return (
        onnx_proto.TensorProto.DOUBLE
        if dtype == np.float64
        else onnx_proto.TensorProto.FLOAT
    )


def _numpy_dtype(proto):
    return np.float64 if proto == onnx_proto.TensorProto.DOUBLE else np.float32


def _is_multilabel(model):
    # Logistic units, one per label; a binary model has a single unit.
    return model.out_activation_ == "logistic" and model.n_outputs_ > 1


# -- shape calculators -----------------------------------------------------


def _classifier_shapes(operator):
    model = operator.raw_operator
    n_rows = operator.inputs[0].get_first_dimension()
    if _is_multilabel(model):
        operator.outputs[0].type = Int64TensorType([n_rows, len(model.classes_)])
    elif _string_labels(get_label_classes(operator.scope_inst, model)):
        # (option nocl replaces the classes by their indices)
        operator.outputs[0].type = StringTensorType([n_rows])
    else:
        operator.outputs[0].type = Int64TensorType([n_rows])
    proba_type = _output_type(operator.inputs[0].type)
    zipmap = operator.scope_inst.get_options(model, dict(zipmap=True))["zipmap"]
    if zipmap is True and not _is_multilabel(model):
        # ZipMap takes float32 only: a float64 input (or a model's own
        # preprocessing, which runs in float64) would give an invalid graph.
        # (A multilabel model has no ZipMap.)
        proba_type = FloatTensorType
    operator.outputs[1].type = proba_type([n_rows, len(model.classes_)])


def _regressor_shapes(operator):
    model = operator.raw_operator
    n_rows = operator.inputs[0].get_first_dimension()
    output_type = _output_type(operator.inputs[0].type)
    operator.outputs[0].type = output_type([n_rows, model.n_outputs_])


# -- parser ----------------------------------------------------------------


def _network_inputs(scope, model, inputs):
    """The network's input: ``inputs`` themselves, or for a model that
    preprocesses its features, the output of the preprocessing's operator
    taking the raw columns ``inputs`` (see ``_onnx_frames``)."""
    if getattr(model, "preprocessor_", None) is None:
        return inputs
    return declare_preprocessing(scope, model, inputs)


def _classifier_parser(scope, model, inputs, custom_parsers=None):
    """skl2onnx's classifier outputs; a multilabel indicator has no ZipMap."""
    inputs = _network_inputs(scope, model, inputs)
    if not _is_multilabel(model):
        return _parse_sklearn_classifier(scope, model, inputs, custom_parsers)
    operator = scope.declare_local_operator(_CLASSIFIER_ALIAS, model)
    operator.inputs = inputs
    n_labels = len(model.classes_)
    label = scope.declare_local_variable("label", Int64TensorType([None, n_labels]))
    proba_type = _output_type(inputs[0].type)
    proba = scope.declare_local_variable("probabilities", proba_type([None, n_labels]))
    operator.outputs.extend([label, proba])
    return operator.outputs


def _regressor_parser(scope, model, inputs, custom_parsers=None):
    inputs = _network_inputs(scope, model, inputs)
    return _parse_sklearn_simple_model(scope, model, inputs, custom_parsers)


# -- converters ------------------------------------------------------------


class _Graph:
    """Adds nodes and constants to skl2onnx's container under unique names."""

    def __init__(self, scope, container):
        self.scope, self.container = scope, container

    def constant(self, name, array, proto_type):
        unique = self.scope.get_unique_variable_name(name)
        array = np.asarray(array)
        self.container.add_initializer(unique, proto_type, array.shape, array.ravel())
        return unique

    def node(self, op_type, inputs, output=None, **attributes):
        output = output or self.scope.get_unique_variable_name(op_type.lower())
        self.container.add_node(
            op_type,
            inputs,
            output,
            name=self.scope.get_unique_operator_name(op_type),
            **attributes,
        )
        return output

    def forward(self, model, input_name):
        """The network's output layer, in the precision of its weights."""
        dtype = model.coefs_[0].dtype
        proto = _proto_dtype(dtype)
        activations = self.splines(
            model, self.node("Cast", [input_name], to=proto), proto, dtype
        )
        n_layers = len(model.coefs_)
        for i, coef in enumerate(model.coefs_):
            z = self.node("MatMul", [activations, self.constant("coef", coef, proto)])
            if model.fit_intercept:
                bias = model.intercepts_[i].reshape(1, -1)
                z = self.node("Add", [z, self.constant("intercept", bias, proto)])
            name = model.out_activation_ if i == n_layers - 1 else model.activation
            onnx = get_unit(name).onnx  # see _activations.Unit
            if name == "logistic" and i == n_layers - 1:
                z = self.logistic(z, proto)
            elif callable(onnx):
                z = onnx(self, z, proto, dtype)
            elif onnx is not None:
                z = self.node(onnx[0], [z], **onnx[1])
            activations = z
        return activations, dtype

    def splines(self, model, inputs, proto, dtype):
        """``inputs`` with the model's spline features joined (see
        ``_splines``): per piece of each column's range, its cubic in the
        local coordinate where the value falls in the piece, else 0."""
        splines = model._fitted_splines()
        if splines is None:
            return inputs
        int64 = onnx_proto.TensorProto.INT64

        def constant(name, array, proto=proto, dtype=dtype):
            return self.constant(name, np.asarray(array, dtype), proto)

        values = self.node(
            "Gather",
            [inputs, constant("spline_columns", splines["columns"], int64, np.int64)],
            axis=1,
        )
        n_columns, n_pieces = splines["origins"].shape
        as_3d = constant("spline_shape", [0, n_columns, 1], int64, np.int64)
        inf = np.full((n_columns, 1), np.inf)
        lows = np.hstack([-inf, splines["edges"]])
        highs = np.hstack([splines["edges"], inf])
        zero = constant("zero", 0.0)
        terms = []
        for k in range(n_pieces):
            # The piece is [lows, highs): at or above its low edge, below its
            # high one.
            above = self.node(
                "Not", [self.node("Less", [values, constant("low", lows[None, :, k])])]
            )
            below = self.node("Less", [values, constant("high", highs[None, :, k])])
            inside = self.node("Reshape", [self.node("And", [above, below]), as_3d])
            shifted = self.node(
                "Sub", [values, constant("origin", splines["origins"][None, :, k])]
            )
            u = self.node(
                "Div", [shifted, constant("scale", splines["scales"][None, :, k])]
            )
            u = self.node("Reshape", [u, as_3d])
            c = splines["coefficients"][k][None]  # (1, columns, powers, basis)
            polynomial = constant("c3", c[:, :, 3, :])
            for power in (2, 1, 0):
                polynomial = self.node(
                    "Add",
                    [
                        self.node("Mul", [polynomial, u]),
                        constant(f"c{power}", c[:, :, power, :]),
                    ],
                )
            terms.append(self.node("Where", [inside, polynomial, zero]))
        basis = self.node("Sum", terms) if len(terms) > 1 else terms[0]
        flat = self.node(
            "Reshape", [basis, constant("flat_shape", [0, -1], int64, np.int64)]
        )
        outputs = constant("spline_outputs", splines["outputs"], int64, np.int64)
        features = self.node("Gather", [flat, outputs], axis=1)
        return self.node("Concat", [inputs, features], axis=1)

    def logistic(self, z, proto):
        """``1 / (1 + exp(-z))``, the estimator's own formula.

        onnxruntime's ``Sigmoid`` loses the relative precision of small
        probabilities (2.6e-2 relative error at 1e-15 in float64: it seems to
        subtract from one), which a probability output must keep; in hidden
        layers only absolute errors matter, and ``Sigmoid`` is used there.
        """
        one = self.constant("one", np.ones((), _numpy_dtype(proto)), proto)
        denominator = self.node("Add", [self.node("Exp", [self.node("Neg", [z])]), one])
        return self.node("Reciprocal", [denominator])

    def cast_to(self, name, output_type, output=None):
        """``name`` as float32 or float64, as the output variable needs."""
        proto = (
            onnx_proto.TensorProto.DOUBLE
            if isinstance(output_type, DoubleTensorType)
            else onnx_proto.TensorProto.FLOAT
        )
        return self.node("Cast", [name], output, to=proto)


def _tensor(array):
    """A TensorProto attribute holding ``array``."""
    return numpy_helper.from_array(array)


def _string_labels(classes):
    return not (np.issubdtype(classes.dtype, np.number) or classes.dtype == np.bool_)


def _label_constant(graph, classes):
    """The classes as a constant labels are gathered from."""
    if _string_labels(classes):
        values = np.array([str(c).encode("utf-8") for c in classes], dtype=object)
        return graph.constant("classes", values, onnx_proto.TensorProto.STRING)
    # Numeric classes are integral (scikit-learn refuses continuous labels):
    # int64 labels, as skl2onnx gives for its own classifiers, when every
    # class is one (a uint64 label of 2**63 or more would wrap to a negative).
    with np.errstate(invalid="ignore"):  # (floats beyond int64: below)
        values = classes.astype(np.int64)
    unfit = [
        c for c, v in zip(classes.tolist(), values.tolist(), strict=True) if c != v
    ]
    if unfit:
        raise ValueError(
            f"The classifier's label {unfit[0]!r} is not an int64, and an ONNX "
            "classifier's labels are int64 or strings: it would come out "
            f"as {values[classes.tolist().index(unfit[0])]}. Fit the model on "
            "labels that fit in int64 or on strings (e.g. y.astype(str))."
        )
    return graph.constant("classes", values, onnx_proto.TensorProto.INT64)


def _convert_classifier(scope, operator, container):
    model = operator.raw_operator
    graph = _Graph(scope, container)
    label_out, proba_out = operator.outputs[0], operator.outputs[1]
    output, dtype = graph.forward(model, operator.inputs[0].full_name)
    proto = _proto_dtype(dtype)
    half = np.array(0.5, dtype)
    if _is_multilabel(model):
        above = graph.node("Greater", [output, graph.constant("half", half, proto)])
        graph.node(
            "Cast", [above], label_out.full_name, to=onnx_proto.TensorProto.INT64
        )
        graph.cast_to(output, proba_out.type, proba_out.full_name)
        return
    if len(model.classes_) == 1:  # the one class seen in training, certain
        proba = graph.node(
            "ConstantOfShape",
            [graph.node("Shape", [output])],
            value=_tensor(np.ones(1, dtype)),
        )
        index = graph.node(
            "ConstantOfShape",
            [graph.node("Shape", [output], end=1)],
            value=_tensor(np.zeros(1, np.int64)),
        )
    elif model.n_outputs_ == 1:  # binary: one logistic unit for the second class
        one = graph.constant("one", np.array(1, dtype), proto)
        first = graph.node("Sub", [one, output])
        proba = graph.node("Concat", [first, output], axis=1)
        above = graph.node("Greater", [output, graph.constant("half", half, proto)])
        flat = graph.constant(
            "flat", np.array([-1], np.int64), onnx_proto.TensorProto.INT64
        )
        index = graph.node(
            "Cast",
            [graph.node("Reshape", [above, flat])],
            to=onnx_proto.TensorProto.INT64,
        )
    else:  # multiclass: softmax, the first largest probability
        proba = output
        index = graph.node("ArgMax", [output], axis=1, keepdims=0)
    graph.cast_to(proba, proba_out.type, proba_out.full_name)
    # get_label_classes honours option nocl (labels as class indices).
    classes = _label_constant(graph, get_label_classes(scope, model))
    graph.node("Gather", [classes, index], label_out.full_name, axis=0)


def _convert_preprocessing(scope, operator, container):
    graph = _Graph(scope, container)
    preprocessing_graph(
        graph, operator.raw_operator, operator.inputs, operator.outputs[0].full_name
    )


def _convert_regressor(scope, operator, container):
    model = operator.raw_operator
    graph = _Graph(scope, container)
    output, _ = graph.forward(model, operator.inputs[0].full_name)
    # The scaling is undone in float64 whatever the network's precision, as
    # predict does: targets near 1e3 keep their digits.
    double = onnx_proto.TensorProto.DOUBLE
    output = graph.node("Cast", [output], to=double)
    offset, scale = _target_scaling(model)
    scale = graph.constant("scale", np.asarray(scale, np.float64)[None, :], double)
    offset = graph.constant("offset", np.asarray(offset, np.float64)[None, :], double)
    output = graph.node("Add", [graph.node("Mul", [output, scale]), offset])
    variable = operator.outputs[0]
    graph.cast_to(output, variable.type, variable.full_name)


update_registered_converter(
    BackpropClassifier,
    _CLASSIFIER_ALIAS,
    _classifier_shapes,
    _convert_classifier,
    parser=_classifier_parser,
    options={
        "zipmap": [True, False, "columns"],
        "nocl": [False, True],
        "output_class_labels": [False, True],
    },
)
update_registered_converter(
    BackpropRegressor,
    _REGRESSOR_ALIAS,
    _regressor_shapes,
    _convert_regressor,
    parser=_regressor_parser,
)
# The preprocessing of a model fitted on a frame is an operator of its own,
# declared by the parsers above (not a registered model class).
register_shape_calculator(PREPROCESSING_ALIAS, preprocessing_shapes, overwrite=True)
register_converter(PREPROCESSING_ALIAS, _convert_preprocessing, overwrite=True)

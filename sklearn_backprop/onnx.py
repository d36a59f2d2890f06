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
``ZipMap`` unless ``options={"zipmap": False}``; multilabel models give a
``(n_samples, n_labels)`` int64 indicator matrix and never a ``ZipMap``.
Regressor outputs are ``variable`` of shape ``(n_samples, n_outputs)``.
"""

import numpy as np
from onnx import numpy_helper
from skl2onnx import update_registered_converter
from skl2onnx._parse import _parse_sklearn_classifier
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
from ._regressor import BackpropRegressor

__all__ = []

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


def _check_exportable(model):
    """A model that preprocesses its features inside is not exported.

    skl2onnx converts neither the "infrequent" levels of its OneHotEncoder
    nor a missing value as a level of its own (a string tensor holds no None),
    nor MissingIndicator: a graph of the network alone would take the
    preprocessed columns, not the frame's, and mislead.
    """
    if getattr(model, "preprocessor_", None) is not None:
        raise NotImplementedError(
            f"{type(model).__name__} preprocesses its features inside "
            "(preprocessor_, from a DataFrame with column names or "
            "preprocessing=True), which ONNX export does not support: skl2onnx "
            "cannot convert its infrequent and missing categories. To export, "
            "fit a Pipeline of your own ColumnTransformer (e.g. SimpleImputer and "
            "OneHotEncoder(handle_unknown='ignore')) and the estimator with "
            "preprocessing=False."
        )


# -- shape calculators -----------------------------------------------------


def _classifier_shapes(operator):
    model = operator.raw_operator
    _check_exportable(model)
    n_rows = operator.inputs[0].get_first_dimension()
    if _is_multilabel(model):
        operator.outputs[0].type = Int64TensorType([n_rows, len(model.classes_)])
    elif _string_labels(get_label_classes(operator.scope_inst, model)):
        # (option nocl replaces the classes by their indices)
        operator.outputs[0].type = StringTensorType([n_rows])
    else:
        operator.outputs[0].type = Int64TensorType([n_rows])
    proba_type = _output_type(operator.inputs[0].type)
    operator.outputs[1].type = proba_type([n_rows, len(model.classes_)])


def _regressor_shapes(operator):
    model = operator.raw_operator
    _check_exportable(model)
    n_rows = operator.inputs[0].get_first_dimension()
    output_type = _output_type(operator.inputs[0].type)
    operator.outputs[0].type = output_type([n_rows, model.n_outputs_])


# -- parser ----------------------------------------------------------------


def _classifier_parser(scope, model, inputs, custom_parsers=None):
    """skl2onnx's classifier outputs; a multilabel indicator has no ZipMap."""
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
        activations = self.node("Cast", [input_name], to=proto)
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
)

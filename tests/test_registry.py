"""The registry of units and losses: one place every engine reads, and an
unknown name an error everywhere, never a fallback to another unit or loss."""

import numpy as np
import pytest

from sklearn_backprop import BackpropClassifier, BackpropRegressor, _fast
from sklearn_backprop._activations import HIDDEN_UNITS, UNITS, get_unit
from sklearn_backprop._losses import LOSSES, Loss, loss_names, make_loss
from sklearn_backprop._network import Network

array_api_strict = pytest.importorskip("array_api_strict")


class _MadeUpLoss(Loss):
    """A loss the registry does not hold, with a registered output unit."""

    name = "made_up"
    outputs = canonical_outputs = ("identity",)


def test_unknown_unit_is_an_error_everywhere():
    with pytest.raises(ValueError, match="Unknown unit 'softsine'"):
        get_unit("softsine")
    loss = make_loss("squared_error", "identity")
    with pytest.raises(ValueError, match="Unknown unit"):
        Network([2, 3, 1], "softsine", loss, True, np.float64)
    from sklearn_backprop._xp_network import Network as XpNetwork

    with pytest.raises(ValueError, match="Unknown unit"):
        XpNetwork(
            [2, 3, 1], "softsine", loss, True, array_api_strict.float64,
            array_api_strict, None,
        )  # fmt: skip
    with pytest.raises(ValueError, match="output unit among"):
        make_loss("squared_error", "softsine")
    with pytest.raises(ValueError, match="unit"):
        _fast.unit_code("softsine")


def test_unknown_loss_is_an_error_everywhere():
    with pytest.raises(ValueError, match="Unknown loss 'hinge'"):
        make_loss("hinge", "identity")
    with pytest.raises(ValueError, match="loss"):
        _fast.loss_code("hinge")
    # A loss outside the registry reaches no engine's arithmetic by default:
    # it has none of its own.
    loss = _MadeUpLoss("identity")
    output = np.zeros((2, 1))
    with pytest.raises(NotImplementedError):
        loss.loss_and_delta(output, output, None, output.copy(), output.copy())
    with pytest.raises(NotImplementedError):
        loss.xp_loss_and_delta(np, output, output, None)


def test_a_loss_refuses_an_output_unit_it_does_not_pair_with():
    with pytest.raises(ValueError, match="'poisson' loss takes an output unit"):
        make_loss("poisson", "identity")
    with pytest.raises(ValueError, match="'log_loss' loss takes an output unit"):
        make_loss("log_loss", "identity")


def test_parameter_validation_reads_the_registry():
    activation = BackpropClassifier._parameter_constraints["activation"][0]
    assert set(HIDDEN_UNITS) == activation.options
    assert set(HIDDEN_UNITS) == {n for n, unit in UNITS.items() if unit.hidden}
    for estimator, target in (
        (BackpropClassifier, "classification"),
        (BackpropRegressor, "regression"),
    ):
        (losses,) = estimator._parameter_constraints["loss"]
        assert losses.options == loss_names(target)
    # Every loss is offered by some estimator.
    assert loss_names("classification") | loss_names("regression") == set(LOSSES)


def test_every_loss_declares_its_outputs():
    for name, loss in LOSSES.items():
        assert loss.name == name
        assert loss.outputs and set(loss.canonical_outputs) <= set(loss.outputs)
        assert set(loss.outputs) <= set(UNITS)
        assert loss.targets


@pytest.mark.parametrize("name", sorted(UNITS))
def test_the_docstring_lists_the_hidden_units(name):
    doc = BackpropClassifier.__doc__
    listed = doc[doc.index("activation : {") :].split("}", 1)[0]
    assert (f'"{name}"' in listed) == UNITS[name].hidden


needs_kernel = pytest.mark.skipif(_fast.kernel is None, reason="kernel not built")


@needs_kernel
def test_every_unit_and_loss_has_a_kernel_code():
    # The codes are declared once, in _fast/_loop.pxd; the registry's names
    # find theirs by name, so a registered name without one fails here.
    unit_codes = [_fast.unit_code(name) for name in UNITS]
    loss_codes = [_fast.loss_code(name) for name in LOSSES]
    assert len(set(unit_codes)) == len(UNITS)
    assert len(set(loss_codes)) == len(LOSSES)
    # ... and the kernel has no code the registry does not know.
    assert {member.name.lower() for member in _fast.kernel.Unit} == set(UNITS)
    assert {member.name.lower() for member in _fast.kernel.Loss} == set(LOSSES)


@needs_kernel
def test_solver_and_schedule_codes_match_the_python_names():
    from sklearn_backprop._solvers import STOCHASTIC_SOLVERS

    assert {m.name.lower() for m in _fast.kernel.Solver} == set(STOCHASTIC_SOLVERS)
    (schedules,) = BackpropClassifier._parameter_constraints["learning_rate"]
    # ("auto" has no code: it names one of the others, per solver)
    named = {m.name.lower() for m in _fast.kernel.Schedule}
    assert named == schedules.options - {"auto"}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(UNITS))
def test_every_unit_says_how_onnx_computes_it(name, dtype):
    # Each unit's ONNX nodes, run alone by onnxruntime in both precisions
    # (a model keeps the dtype it was fitted in), compute the unit; a unit
    # that exports as nothing (None) must change nothing.
    unit = UNITS[name]
    z = np.random.RandomState(4).normal(scale=2.0, size=(6, 3)).astype(dtype)
    expected = z.copy()
    unit.forward(expected)
    if unit.onnx is None:
        np.testing.assert_array_equal(expected, z)
        return
    pytest.importorskip("skl2onnx")
    onnxruntime = pytest.importorskip("onnxruntime")
    from onnx import checker, helper
    from skl2onnx.common._container import ModelComponentContainer
    from skl2onnx.common._topology import Scope

    from sklearn_backprop.onnx import _Graph, _proto_dtype

    proto = _proto_dtype(np.dtype(dtype))
    container = ModelComponentContainer(target_opset=None)
    graph = _Graph(Scope("unit"), container)
    if callable(unit.onnx):
        output = unit.onnx(graph, "z", proto, np.dtype(dtype))
    else:
        op, attributes = unit.onnx
        output = graph.node(op, ["z"], **attributes)
    graph.node("Identity", [output], "a")
    tensor = [None, z.shape[1]]
    model = helper.make_model(
        helper.make_graph(
            container.nodes,
            "unit",
            [helper.make_tensor_value_info("z", proto, tensor)],
            [helper.make_tensor_value_info("a", proto, tensor)],
            container.initializers,
        )
    )
    checker.check_model(model)
    session = onnxruntime.InferenceSession(model.SerializeToString())
    (got,) = session.run(None, {"z": z})
    # onnxruntime's operators against NumPy's: a few ulps apart (relative to
    # values of order one, hence the same absolute tolerance near zero).
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(got, expected, rtol=tol, atol=tol)

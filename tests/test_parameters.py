"""Parameters: MLP's names, documented, validated at fit time only."""

import inspect
import re

import numpy as np
import pytest
from sklearn.neural_network import MLPClassifier, MLPRegressor

from sklearn_backprop import BackpropClassifier, BackpropRegressor

PAIRS = [(BackpropClassifier, MLPClassifier), (BackpropRegressor, MLPRegressor)]
X, Y = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]), [0, 1, 1, 0]


@pytest.mark.parametrize("ours, theirs", PAIRS)
def test_every_mlp_parameter_exists_with_the_same_name(ours, theirs):
    assert set(theirs().get_params()) <= set(ours().get_params())


@pytest.mark.usefixtures("no_convergence_warning")
@pytest.mark.parametrize("ours, theirs", PAIRS)
def test_mlp_param_grid_can_be_swapped(ours, theirs):
    # A grid written for MLP keeps working: every shared value is accepted.
    grid = dict(
        hidden_layer_sizes=(5,),
        alpha=1e-3,
        batch_size=2,
        learning_rate="adaptive",
        learning_rate_init=0.01,
        max_iter=5,
        momentum=0.5,
        solver="sgd",
        early_stopping=False,
        n_iter_no_change=3,
        random_state=0,
    )
    for estimator in (ours(**grid), theirs(**grid)):
        y = Y if ours is BackpropClassifier else np.array(Y, float)
        estimator.fit(X, y)


@pytest.mark.parametrize("estimator", [BackpropClassifier, BackpropRegressor])
def test_docstring_documents_exactly_the_parameters(estimator):
    doc = inspect.getdoc(estimator)
    section = doc.split("Parameters\n----------\n")[1].split("Attributes\n")[0]
    documented = set(re.findall(r"^(\w+) : ", section, flags=re.MULTILINE))
    assert documented == set(estimator().get_params())


@pytest.mark.parametrize("estimator", [BackpropClassifier, BackpropRegressor])
def test_defaults_keep_the_sigmoid(estimator):
    assert estimator().activation == "logistic"


@pytest.mark.parametrize("estimator", [BackpropClassifier, BackpropRegressor])
@pytest.mark.parametrize(
    "params, message",
    [
        (dict(hidden_layer_sizes=(3, 0)), "hidden_layer_sizes"),
        (dict(hidden_layer_sizes=(3, -1)), "hidden_layer_sizes"),
        (dict(activation="softplus"), "activation"),
        (dict(solver="rmsprop"), "solver"),
        (dict(learning_rate_init=0.0), "learning_rate_init"),
        (dict(batch_size=0), "batch_size"),
        (dict(init="he"), "init"),
        (dict(momentum=1.5), "momentum"),
        (dict(validation_fraction=1.0), "validation_fraction"),
        (dict(max_iter=0), "max_iter"),
    ],
)
def test_invalid_parameters_are_rejected_at_fit(estimator, params, message):
    model = estimator(**params)  # __init__ never validates
    y = Y if estimator is BackpropClassifier else np.array(Y, float)
    with pytest.raises(ValueError, match=message):
        model.fit(X, y)


@pytest.mark.usefixtures("no_convergence_warning")
def test_hidden_layer_sizes_accepts_an_int_and_empty_tuple():
    assert len(BackpropClassifier(7, max_iter=2).fit(X, Y).coefs_) == 2
    assert BackpropClassifier(7, max_iter=2).fit(X, Y).coefs_[0].shape == (2, 7)
    assert len(BackpropClassifier((), max_iter=2).fit(X, Y).coefs_) == 1


def test_wrong_loss_for_the_task_is_rejected():
    with pytest.raises(ValueError, match="loss"):
        BackpropClassifier(loss="poisson").fit(X, Y)
    with pytest.raises(ValueError, match="loss"):
        BackpropRegressor(loss="log_loss").fit(X, np.array(Y, float))

"""Backpropagated gradients against finite differences."""

import numpy as np
import pytest
import scipy.sparse as sp

from sklearn_backprop._activations import HIDDEN_UNITS
from sklearn_backprop._losses import LOSSES, make_loss
from sklearn_backprop._network import Network, Workspace

# Every (hidden unit, loss, output unit) the registry allows.
CASES = [
    (hidden, loss, output)
    for hidden in HIDDEN_UNITS
    for loss, loss_class in LOSSES.items()
    for output in loss_class.outputs
]


def make_problem(loss, output, n_outputs, rng):
    X = rng.normal(size=(7, 3))
    if output == "softmax":
        y = np.eye(n_outputs)[rng.randint(n_outputs, size=7)]
    elif output == "logistic":
        y = rng.randint(2, size=(7, n_outputs)).astype(float)
    elif loss == "poisson":
        y = rng.poisson(2.0, size=(7, n_outputs)).astype(float)
    else:
        y = rng.normal(size=(7, n_outputs))
    return X, y


@pytest.mark.parametrize("activation, loss_name, output", CASES)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [True, False])
@pytest.mark.parametrize("sparse_X", [False, True])
def test_gradient_matches_finite_differences(
    activation, loss_name, output, fit_intercept, weighted, sparse_X
):
    rng = np.random.RandomState(0)
    X, y = make_problem(loss_name, output, 3, rng)
    X_in = sp.csr_matrix(X) if sparse_X else X
    sw = rng.uniform(0.5, 2.0, size=7) if weighted else None
    network = Network(
        [3, 5, 4, 3],
        activation,
        make_loss(loss_name, output),
        fit_intercept,
        np.float64,
    )
    network.initialize("glorot_uniform", rng)
    if fit_intercept:
        network.params[network.n_coefs :] = rng.normal(
            scale=0.1, size=len(network.params) - network.n_coefs
        )
    workspace = Workspace(network.layer_units, 7, np.float64)
    grad = np.empty_like(network.params)
    alpha = 0.3

    def loss_at(params):
        saved = network.params.copy()
        network.params[...] = params
        value, _ = network.loss_and_gradient(
            X_in, y, sw, alpha, workspace, np.empty_like(grad)
        )
        network.params[...] = saved
        return value

    network.loss_and_gradient(X_in, y, sw, alpha, workspace, grad)
    theta = network.params.copy()
    step = 1e-6
    numeric = np.array(
        [
            (loss_at(theta + step * e) - loss_at(theta - step * e)) / (2 * step)
            for e in np.eye(len(theta))
        ]
    )
    if not fit_intercept:
        numeric[network.n_coefs :] = 0  # biases are not parameters then
    # Central differences with h=1e-6 are accurate to ~1e-9 here; the relu
    # kink is not hit by these seeds.
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8)

import os
import warnings

# scikit-learn's array API dispatch needs SciPy's, switched on before SciPy is
# imported (tests/test_array_api.py); it changes nothing for NumPy inputs.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import pytest  # noqa: E402
from sklearn.datasets import make_regression  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402

from sklearn_backprop import BackpropRegressor  # noqa: E402


@pytest.fixture
def no_convergence_warning():
    """Silence ConvergenceWarning in tests whose short fits are on purpose."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


@pytest.fixture
def interrupt_gradient(monkeypatch):
    """``interrupt_gradient(n_call)`` makes the NumPy engine's ``n_call``-th
    gradient computation raise KeyboardInterrupt, as Ctrl-C would in the
    middle of training (fit in the NumPy engine: the compiled loop does not
    call it; tests/test_compiled.py interrupts that one)."""
    from sklearn_backprop._network import Network

    original = Network.loss_and_gradient

    def arm(n_call):
        calls = 0

        def interrupted(self, *args, **kwargs):
            nonlocal calls
            calls += 1
            if calls == n_call:
                raise KeyboardInterrupt
            return original(self, *args, **kwargs)

        monkeypatch.setattr(Network, "loss_and_gradient", interrupted)

    return arm


@pytest.fixture
def diverging_after_early_stopping():
    """A linear regressor trained by sgd just above its stable rate, and its
    data: the validation score climbs, then the unstable direction grows until
    the loss overflows (epoch 321), after early stopping found a best epoch."""
    X, y = make_regression(n_samples=200, n_features=5, noise=1, random_state=0)
    X[:, 0] *= 3
    reg = BackpropRegressor(
        hidden_layer_sizes=(),
        activation="identity",
        solver="sgd",
        momentum=0,
        batch_size=None,
        learning_rate_init=0.5,
        alpha=0,
        early_stopping=True,
        n_iter_no_change=1000,
        tol=0,
        max_iter=3000,
        random_state=0,
    )
    return reg, X, y

import warnings

import pytest
from sklearn.exceptions import ConvergenceWarning


@pytest.fixture
def no_convergence_warning():
    """Silence ConvergenceWarning in tests whose short fits are on purpose."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield

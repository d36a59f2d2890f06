import os
import warnings

# scikit-learn's array API dispatch needs SciPy's, switched on before SciPy is
# imported (tests/test_array_api.py); it changes nothing for NumPy inputs.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import pytest  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402


@pytest.fixture
def no_convergence_warning():
    """Silence ConvergenceWarning in tests whose short fits are on purpose."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield

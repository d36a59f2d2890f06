"""pytest settings for the docstring examples (run by ``--doctest-modules``)."""

import importlib.util
import warnings

import pytest
from _pytest.doctest import DoctestItem
from sklearn.exceptions import ConvergenceWarning

# Modules of optional extras: collected only where the extra is installed
# (their tests in tests/ skip likewise).
collect_ignore = []
if importlib.util.find_spec("skl2onnx") is None:
    collect_ignore += ["onnx.py", "_onnx_frames.py"]


@pytest.fixture(autouse=True)
def _examples_converge(request):
    """A docstring example is the first code a newcomer runs: it must not end
    in a ConvergenceWarning."""
    if not isinstance(request.node, DoctestItem):
        yield
        return
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        yield

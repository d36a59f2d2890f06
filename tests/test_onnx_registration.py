"""skl2onnx converts our estimators without ``import sklearn_backprop.onnx``,
whichever package is imported first; ``import sklearn_backprop`` itself
imports neither skl2onnx nor onnx.

Each case runs in a fresh interpreter: the order of the imports is the point.
"""

import importlib.util
import subprocess
import sys
import textwrap

import pytest

from sklearn_backprop import _onnx_registration

needs_onnx_extra = pytest.mark.skipif(
    importlib.util.find_spec("skl2onnx") is None
    or importlib.util.find_spec("onnxruntime") is None,
    reason="needs the onnx extra",
)

# A fitted classifier converted by skl2onnx and run by onnxruntime: prints
# whether the graph's labels are predict's, and what is left on sys.meta_path
# of ours.
CONVERT = """
import sys
import warnings

import numpy as np
import onnxruntime
from sklearn.datasets import load_iris

from sklearn_backprop import BackpropClassifier, BackpropRegressor

X, y = load_iris(return_X_y=True)
X = ((X - X.mean(0)) / X.std(0)).astype(np.float32)
with warnings.catch_warnings():
    # Short fits: only the conversion matters.
    warnings.simplefilter("ignore")
    models = [
        BackpropClassifier(solver="lbfgs", max_iter=50, random_state=0).fit(X, y),
        BackpropRegressor(solver="lbfgs", max_iter=50, random_state=0).fit(X, y),
    ]
# The conversion warns of nothing.
warnings.simplefilter("error")
for model in models:
    options = {"zipmap": False} if hasattr(model, "classes_") else None
    onx = skl2onnx.to_onnx(model, X[:1], options=options)
    session = onnxruntime.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    got = session.run(None, {"X": X})[0]
    print(np.allclose(got.ravel(), model.predict(X), rtol=1e-4, atol=1e-5))
print(any(type(f).__name__ == "_AwaitSkl2onnx" for f in sys.meta_path))
"""


def run(code):
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


@needs_onnx_extra
@pytest.mark.parametrize(
    "imports",
    [
        "import sklearn_backprop\nimport skl2onnx\n",
        "import skl2onnx\nimport sklearn_backprop\n",
    ],
    ids=["sklearn_backprop-first", "skl2onnx-first"],
)
def test_export_needs_no_extra_import(imports):
    # Both estimators convert; the finder waiting for skl2onnx is gone.
    assert run(imports + CONVERT) == ["True", "True", "False"]


@needs_onnx_extra
def test_explicit_import_still_works():
    code = "import sklearn_backprop.onnx\nimport skl2onnx\n" + CONVERT
    assert run(code) == ["True", "True", "False"]


def test_importing_the_package_imports_no_onnx():
    out = run(
        """
        import sys
        import sklearn_backprop
        print("skl2onnx" in sys.modules, "onnx" in sys.modules)
        finders = [f for f in sys.meta_path if type(f).__name__ == "_AwaitSkl2onnx"]
        print(len(finders))
        import sklearn_backprop._onnx_registration as registration
        registration.register_when_skl2onnx_is_imported()
        print(sum(type(f).__name__ == "_AwaitSkl2onnx" for f in sys.meta_path))
        """
    )
    # Neither is imported; one finder waits, and calling again adds none.
    assert out == ["False", "False", "1", "1"]


def test_finder_answers_only_for_skl2onnx():
    finder = _onnx_registration._AwaitSkl2onnx()
    assert finder.find_spec("numpy") is None
    assert finder.find_spec("skl2onnx_extra") is None


def test_missing_skl2onnx_leaves_imports_as_they_were():
    # Without skl2onnx on the path, `import skl2onnx` fails as usual and the
    # finder keeps waiting.
    out = run(
        """
        import sys
        import sklearn_backprop
        # As if skl2onnx were not installed.
        sys.path[:] = [p for p in sys.path if "site-packages" not in p]
        try:
            import skl2onnx
        except ModuleNotFoundError as error:
            print(error.name)
        print(any(type(f).__name__ == "_AwaitSkl2onnx" for f in sys.meta_path))
        """
    )
    assert out == ["skl2onnx", "True"]


def test_failed_registration_warns_and_says_what_to_do(monkeypatch):
    # An skl2onnx our converters do not fit must not break `import skl2onnx`:
    # a warning says the export will fail, and how to see why.
    monkeypatch.setitem(sys.modules, "sklearn_backprop.onnx", None)
    with pytest.warns(UserWarning, match=r"could not register its ONNX converters"):
        _onnx_registration.register_converters()

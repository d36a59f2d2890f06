"""ONNX export with no extra import: our converters reach skl2onnx by themselves.

skl2onnx looks converters up in its own registry only (it reads no entry
points), so :mod:`sklearn_backprop.onnx` must have run before
``skl2onnx.to_onnx`` meets one of our estimators. Importing skl2onnx from
``import sklearn_backprop`` would cost every user the import of skl2onnx and
onnx (about a second) and would fail without the ``onnx`` extra. Instead,
:func:`register_when_skl2onnx_is_imported` registers the converters

- at once, when skl2onnx is already imported;
- otherwise right after skl2onnx is imported, in whichever module and however
  much later: a finder at the front of ``sys.meta_path`` waits for the name
  ``skl2onnx``, lets the regular finders locate it, runs skl2onnx's own
  ``__init__`` unchanged, then registers and takes itself off
  ``sys.meta_path``. Until then it costs each later import one string
  comparison.
"""

import importlib
import importlib.util
import sys
import warnings

_SKL2ONNX = "skl2onnx"


def register_converters():
    """Import :mod:`sklearn_backprop.onnx`, which registers the converters.

    A failure (an skl2onnx too old or too new for our converters) is a
    warning, not an error: it must not break ``import skl2onnx`` for other
    estimators. Converting one of ours then fails in skl2onnx; the warning
    says why.
    """
    try:
        importlib.import_module("sklearn_backprop.onnx")
    except Exception as error:  # any failure: see the docstring
        warnings.warn(
            f"sklearn_backprop could not register its ONNX converters with "
            f"skl2onnx ({type(error).__name__}: {error}), so skl2onnx cannot "
            f"convert BackpropClassifier or BackpropRegressor. Install the "
            f'versions of the onnx extra (pip install ".[onnx]" from a clone '
            f"of sklearn-backprop); `import sklearn_backprop.onnx` shows the "
            f"full error.",
            UserWarning,
            stacklevel=2,
        )


class _RegisteringLoader:
    """Runs skl2onnx's own loader, then registers our converters."""

    def __init__(self, loader):
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        # skl2onnx sees its own loader, as if nothing stood in between.
        module.__loader__ = module.__spec__.loader = self.loader
        self.loader.exec_module(module)
        register_converters()


class _AwaitSkl2onnx:
    """A ``sys.meta_path`` finder that only ever answers for ``skl2onnx``."""

    def __init__(self):
        self._searching = False

    def find_spec(self, fullname, path=None, target=None):
        if fullname != _SKL2ONNX or self._searching:
            return None
        # The regular finders locate skl2onnx (this one, asked again from
        # inside find_spec, stays out of it).
        self._searching = True
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            self._searching = False
        if spec is None or not hasattr(spec.loader, "exec_module"):
            return None
        _uninstall(self)
        spec.loader = _RegisteringLoader(spec.loader)
        return spec


def _uninstall(finder):
    if finder in sys.meta_path:
        sys.meta_path.remove(finder)


def register_when_skl2onnx_is_imported():
    """Register the converters now if skl2onnx is imported, else after it is.

    Called once, by ``import sklearn_backprop``; it imports nothing.
    """
    if _SKL2ONNX in sys.modules:
        register_converters()
    elif not any(isinstance(f, _AwaitSkl2onnx) for f in sys.meta_path):
        sys.meta_path.insert(0, _AwaitSkl2onnx())

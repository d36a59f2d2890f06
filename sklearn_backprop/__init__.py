"""Neural-network estimators for scikit-learn, trained by sigmoid backpropagation."""

from ._classifier import BackpropClassifier
from ._diagnostics import SaturationWarning
from ._display import LossCurveDisplay
from ._onnx_registration import register_when_skl2onnx_is_imported
from ._regressor import BackpropRegressor

__version__ = "0.1.0.dev0"

__all__ = [
    "BackpropClassifier",
    "BackpropRegressor",
    "LossCurveDisplay",
    "SaturationWarning",
    "__version__",
]

# skl2onnx converts our estimators without `import sklearn_backprop.onnx`,
# whichever of the two packages is imported first (imports nothing here).
register_when_skl2onnx_is_imported()

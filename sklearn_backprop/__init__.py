"""Neural-network estimators for scikit-learn, trained by sigmoid backpropagation."""

from ._classifier import BackpropClassifier
from ._diagnostics import SaturationWarning
from ._display import LossCurveDisplay
from ._regressor import BackpropRegressor

__version__ = "0.1.0.dev0"

__all__ = [
    "BackpropClassifier",
    "BackpropRegressor",
    "LossCurveDisplay",
    "SaturationWarning",
    "__version__",
]

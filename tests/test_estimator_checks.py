"""scikit-learn's own estimator checks, all of them, with no expected
failures: with default parameters, with the features preprocessed inside
(``preprocessing=True``), and averaging two networks (``n_networks=2``)."""

import warnings

from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_backprop import BackpropClassifier, BackpropRegressor, SaturationWarning


@parametrize_with_checks(
    [
        BackpropClassifier(),
        BackpropRegressor(),
        BackpropClassifier(preprocessing=True),
        BackpropRegressor(preprocessing=True),
        BackpropClassifier(n_networks=2),
        BackpropRegressor(n_networks=2),
    ]
)
def test_sklearn_compatible_estimator(estimator, check):
    with warnings.catch_warnings():
        # The checks fit tiny data sets for the default max_iter; whether
        # training converged there is not what they test.
        warnings.simplefilter("ignore", ConvergenceWarning)
        # Nor whether their unscaled random data saturate the sigmoid units
        # (several checks scale X up or fit it repeatedly on purpose).
        warnings.simplefilter("ignore", SaturationWarning)
        check(estimator)

"""scikit-learn's own estimator checks, all of them: with default parameters
and no expected failures; with the features preprocessed inside
(``preprocessing=True``), one."""

import warnings

from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_backprop import BackpropClassifier, BackpropRegressor, SaturationWarning


def _expected_failures(estimator):
    if estimator.preprocessing is not True:
        return {}
    return {
        "check_sample_weight_equivalence_on_dense_data": (
            "the preprocessing (RobustScaler's median and quartiles) is fitted "
            "without sample_weight: a weight of 2 is not a repeated row there"
        )
    }


@parametrize_with_checks(
    [
        BackpropClassifier(),
        BackpropRegressor(),
        BackpropClassifier(preprocessing=True),
        BackpropRegressor(preprocessing=True),
    ],
    expected_failed_checks=_expected_failures,
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

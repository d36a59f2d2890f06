"""The estimators inside scikit-learn's machinery."""

import pickle

import joblib
import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import config_context
from sklearn.base import clone
from sklearn.datasets import load_iris, make_classification, make_regression
from sklearn.ensemble import VotingClassifier, VotingRegressor
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import (
    FixedThresholdClassifier,
    GridSearchCV,
    RandomizedSearchCV,
    cross_val_score,
    train_test_split,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_backprop import BackpropClassifier, BackpropRegressor

pytestmark = pytest.mark.usefixtures("no_convergence_warning")


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True)


def test_grid_search_over_pipeline_in_parallel(iris):
    X, y = iris
    search = GridSearchCV(
        make_pipeline(StandardScaler(), BackpropClassifier(random_state=0)),
        {
            "backpropclassifier__hidden_layer_sizes": [(5,), (20,)],
            "backpropclassifier__alpha": [1e-4, 1e-2],
        },
        cv=3,
        n_jobs=2,
    ).fit(X, y)
    assert search.best_score_ > 0.9
    assert len(search.cv_results_["params"]) == 4


def test_randomized_search_and_cross_val_score():
    X, y = make_regression(n_samples=80, n_features=4, random_state=0)
    search = RandomizedSearchCV(
        BackpropRegressor(random_state=0, max_iter=50),
        {"learning_rate_init": [0.001, 0.01], "solver": ["adam", "lbfgs"]},
        n_iter=3,
        cv=2,
        n_jobs=2,
        random_state=0,
    ).fit(X, y)
    assert np.isfinite(search.best_score_)
    assert cross_val_score(BackpropRegressor(random_state=0), X, y, cv=3).shape == (3,)


@pytest.mark.parametrize(
    "dump, load",
    [
        (pickle.dumps, pickle.loads),
        (lambda est: joblib_dump(est), lambda blob: joblib_load(blob)),
    ],
)
def test_pickle_and_joblib_roundtrip_then_keep_training(iris, dump, load):
    X, y = iris
    clf = BackpropClassifier(random_state=0, max_iter=20, warm_start=True).fit(X, y)
    restored = load(dump(clf))
    assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    # A restored model keeps training where it stopped, as the original does.
    restored.fit(X, y)
    clf.fit(X, y)
    assert_allclose(restored.coefs_[0], clf.coefs_[0], rtol=1e-12)


def joblib_dump(estimator):
    import io

    buffer = io.BytesIO()
    joblib.dump(estimator, buffer)
    return buffer.getvalue()


def joblib_load(blob):
    import io

    return joblib.load(io.BytesIO(blob))


# Three epochs on unscaled iris saturate the units; only clone is tested.
@pytest.mark.filterwarnings("ignore::sklearn_backprop.SaturationWarning")
def test_clone_is_unfitted_with_same_params(iris):
    X, y = iris
    clf = BackpropClassifier(hidden_layer_sizes=(3,), max_iter=3).fit(X, y)
    copy = clone(clf)
    assert copy.get_params() == clf.get_params()
    assert not hasattr(copy, "coefs_")


def test_pandas_dataframe_sets_feature_names(iris):
    pd = pytest.importorskip("pandas")
    X, y = iris
    frame = pd.DataFrame(X, columns=["sl", "sw", "pl", "pw"])
    clf = BackpropClassifier(max_iter=5, random_state=0).fit(frame, pd.Series(y))
    assert_array_equal(clf.feature_names_in_, ["sl", "sw", "pl", "pw"])
    # scikit-learn warns that an array has no names to check: expected here.
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        assert_array_equal(clf.predict(frame), clf.predict(X))
    with pytest.raises(ValueError, match="feature names should match"):
        clf.predict(frame.rename(columns={"sl": "x"}))


@pytest.mark.parametrize("container", [sp.csr_matrix, sp.csc_matrix, sp.csr_array])
@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_sparse_X_trains_as_dense(iris, container, solver):
    X, y = iris
    X = StandardScaler().fit_transform(X)
    params = dict(random_state=0, max_iter=10, solver=solver, batch_size=32)
    dense = BackpropClassifier(**params).fit(X, y)
    sparse = BackpropClassifier(**params).fit(container(X), y)
    # Sparse and dense products sum in different orders: 1e-10 relative.
    assert_allclose(sparse.coefs_[0], dense.coefs_[0], rtol=1e-10, atol=1e-12)
    assert_allclose(
        sparse.predict_proba(container(X)), dense.predict_proba(X), rtol=1e-10
    )


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
@pytest.mark.parametrize("estimator", [BackpropClassifier, BackpropRegressor])
def test_float32_stays_float32(iris, solver, estimator):
    X, y = iris
    X32 = StandardScaler().fit_transform(X).astype(np.float32)
    model = estimator(solver=solver, max_iter=10, random_state=0).fit(X32, y)
    assert all(c.dtype == np.float32 for c in model.coefs_ + model.intercepts_)
    output = (
        model.predict_proba(X32)
        if estimator is BackpropClassifier
        else model.predict(X32)
    )
    # Probabilities stay float32; a regressor's predictions are decoded from
    # its target scaling in float64, the precision of the targets.
    assert output.dtype == (
        np.float32 if estimator is BackpropClassifier else np.float64
    )
    model64 = estimator(solver=solver, max_iter=10, random_state=0).fit(
        X32.astype(np.float64), y
    )
    assert model64.coefs_[0].dtype == np.float64


def test_sample_weight_routed_through_pipeline_and_search(iris):
    X, y = iris
    sw = np.where(y == 0, 5.0, 1.0)
    with config_context(enable_metadata_routing=True):
        clf = (
            BackpropClassifier(random_state=0, max_iter=20)
            .set_fit_request(sample_weight=True)
            .set_score_request(sample_weight=True)
        )
        pipe = make_pipeline(StandardScaler().set_fit_request(sample_weight=False), clf)
        pipe.fit(X, y, sample_weight=sw)
        direct = BackpropClassifier(random_state=0, max_iter=20).fit(
            StandardScaler().fit_transform(X), y, sample_weight=sw
        )
        assert_allclose(pipe[-1].coefs_[0], direct.coefs_[0])
        # The search routes sample_weight to fit and to the score.
        search = GridSearchCV(clf, {"alpha": [1e-3]}, cv=2)
        search.fit(X, y, sample_weight=sw)
        assert np.isfinite(search.best_score_)


def test_sample_weight_zero_equals_removing_samples(iris):
    X, y = iris
    X = StandardScaler().fit_transform(X)
    sw = np.ones(len(y))
    sw[::3] = 0
    params = dict(random_state=0, max_iter=30, batch_size=None)
    weighted = BackpropClassifier(**params).fit(X, y, sample_weight=sw)
    removed = BackpropClassifier(**params).fit(X[sw > 0], y[sw > 0])
    # Full batch: the same sum in a different order, 1e-10 relative.
    assert_allclose(weighted.predict_proba(X), removed.predict_proba(X), rtol=1e-10)


def test_soft_voting_averages_networks_of_different_seeds():
    # The user guide's recipe (docs/user_guide.rst, "Averaging a few
    # networks"): networks that differ only in random_state, averaged by
    # scikit-learn's VotingClassifier, fed a raw frame with a categorical
    # column and gaps that each network preprocesses itself.
    pd = pytest.importorskip("pandas")
    X, y = load_iris(return_X_y=True, as_frame=True)
    X = X.copy()
    X.iloc[::7, 0] = np.nan
    X["kind"] = pd.Categorical(np.where(np.arange(len(y)) % 3, "a", "b"))
    networks = [(f"seed{s}", BackpropClassifier(random_state=s)) for s in range(3)]
    average = VotingClassifier(networks, voting="soft").fit(X, y)

    members = average.estimators_
    assert not np.allclose(members[0].coefs_[0], members[1].coefs_[0])
    mean = np.mean([m.predict_proba(X) for m in members], axis=0)
    # The mean of three float64 probabilities: rounding only.
    assert_allclose(average.predict_proba(X), mean, rtol=1e-12)
    assert_array_equal(average.predict(X), np.argmax(mean, axis=1))


def test_voting_regressor_averages_networks_of_different_seeds():
    X, y = make_regression(n_samples=200, n_features=5, noise=10, random_state=0)
    networks = [(f"seed{s}", BackpropRegressor(random_state=s)) for s in range(3)]
    average = VotingRegressor(networks).fit(X, y)
    mean = np.mean([m.predict(X) for m in average.estimators_], axis=0)
    assert_allclose(average.predict(X), mean, rtol=1e-12)
    assert average.score(X, y) > 0.9


def test_prior_threshold_recipe_raises_balanced_accuracy():
    # The user guide's recipe (docs/user_guide.rst, "Scored by balanced
    # accuracy"): scikit-learn's FixedThresholdClassifier at the positive
    # class's share is argmax(p / prior), and it predicts the rare class
    # where the calibrated network's argmax does not.
    X, y = make_classification(
        n_samples=3000, weights=[0.95, 0.05], flip_y=0.02, random_state=2
    )
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, stratify=y, random_state=0
    )
    prior = np.mean(y_train == 1)
    rule = FixedThresholdClassifier(
        BackpropClassifier(random_state=0),
        threshold=prior,
        response_method="predict_proba",
    ).fit(X_train, y_train)
    network = rule.estimator_
    by_prior = np.argmax(network.predict_proba(X_test) / [1 - prior, prior], axis=1)
    assert_array_equal(rule.predict(X_test), network.classes_[by_prior])
    # Measured 0.767 by argmax and 0.837 by the prior rule. One of the 38
    # test positives moves balanced accuracy by 0.013: the margin of 0.03
    # leaves three of them to rounding on another platform.
    argmax_score = balanced_accuracy_score(y_test, network.predict(X_test))
    rule_score = balanced_accuracy_score(y_test, rule.predict(X_test))
    assert rule_score > argmax_score + 0.03

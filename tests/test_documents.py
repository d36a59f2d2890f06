"""The documents' programs, reproduced by the estimators (acceptance tests)."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning

from sklearn_backprop import BackpropClassifier, _fast

X_DOC1 = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]])
X_DOC2 = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])


def document_settings(**overrides):
    """The documents' training: full-batch plain gradient descent on squared
    error, no penalty, rate eta on the *summed* gradient of 4 samples."""
    eta = overrides.pop("eta", 1.0)
    params = dict(
        solver="sgd",
        batch_size=None,
        momentum=0.0,
        alpha=0.0,
        loss="squared_error",
        init="uniform",
        fit_intercept=False,
        shuffle=False,
        tol=0.0,
        learning_rate_init=eta * 4,
        random_state=1,
    )
    params.update(overrides)
    return params


def fit_quietly(estimator, X, y):
    with warnings.catch_warnings():
        # tol=0 never converges: the documents run a fixed number of epochs.
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


def nonlin(x, deriv=False):
    """The documents' sigmoid, as written there."""
    if deriv:
        return x * (1 - x)
    return 1 / (1 + np.exp(-x))


def test_trilayered_program_printed_output():
    # The document prints the forward pass of its last iteration, before that
    # iteration's update: 59999 updates give its numbers.
    clf = BackpropClassifier((4,), **document_settings(max_iter=59999))
    fit_quietly(clf, X_DOC1, [0, 1, 1, 0])
    printed = [0.00260572, 0.99672209, 0.99701711, 0.00386759]
    # The document prints 8 decimals: it is exact to 5e-9; 1e-8 is the spec.
    assert_allclose(clf.predict_proba(X_DOC1)[:, 1], printed, rtol=0, atol=1e-8)
    assert_array_equal(clf.predict(X_DOC1), [0, 1, 1, 0])
    assert clf.n_iter_ == 59999


def test_trilayered_program_bit_for_bit():
    # Run the document's own loop (fewer epochs, same code) beside the
    # estimator: every operation is the same, so the numbers are identical.
    np.random.seed(1)
    syn0 = 2 * np.random.random((3, 4)) - 1
    syn1 = 2 * np.random.random((4, 1)) - 1
    y = np.array([[0], [1], [1], [0]])
    for _ in range(2000):
        l1 = nonlin(np.dot(X_DOC1, syn0))
        l2 = nonlin(np.dot(l1, syn1))
        l2_delta = (y - l2) * nonlin(l2, deriv=True)
        l1_delta = l2_delta.dot(syn1.T) * nonlin(l1, deriv=True)
        syn1 += l1.T.dot(l2_delta)
        syn0 += X_DOC1.T.dot(l1_delta)
    with _fast.engine("numpy"):
        clf = fit_quietly(
            BackpropClassifier((4,), **document_settings(max_iter=2000)),
            X_DOC1,
            y.ravel(),
        )
    assert_array_equal(clf.coefs_[0], syn0)
    assert_array_equal(clf.coefs_[1], syn1)
    # The compiled loop (which trains this network by default) does the same
    # operations, but C's exp and NumPy's vectorised exp may differ in the
    # last bit, and BLAS orders its sums its own way: a few ulps after 2000
    # epochs (1.6e-15 measured), so 1e-13.
    with _fast.engine("compiled"):
        clf = fit_quietly(
            BackpropClassifier((4,), **document_settings(max_iter=2000)),
            X_DOC1,
            y.ravel(),
        )
    assert_allclose(clf.coefs_[0], syn0, rtol=1e-13)
    assert_allclose(clf.coefs_[1], syn1, rtol=1e-13)


def test_bilayered_program_printed_output():
    clf = BackpropClassifier((), **document_settings(max_iter=9999))
    fit_quietly(clf, X_DOC1, [0, 0, 1, 1])
    printed = [0.00966449, 0.00786506, 0.99358898, 0.99211957]
    # Printed to 8 decimals.
    assert_allclose(clf.predict_proba(X_DOC1)[:, 1], printed, rtol=0, atol=1e-8)
    assert clf.n_layers_ == 2


def second_document_program(seed, epochs=10000, learning_rate=0.1):
    """The second document's NeuralNetwork class, as a loop, after
    ``np.random.seed(seed)``; returns its predictions and weights."""
    np.random.seed(seed)
    w_ih = np.random.randn(2, 4)
    w_ho = np.random.randn(4, 1)
    b_h, b_o = np.zeros((1, 4)), np.zeros((1, 1))
    y = np.array([[0], [1], [1], [0]])

    def sigmoid(x):
        return 1 / (1 + np.exp(-x))

    for _ in range(epochs):
        hidden = sigmoid(np.dot(X_DOC2, w_ih) + b_h)
        out = sigmoid(np.dot(hidden, w_ho) + b_o)
        out_delta = (y - out) * (out * (1 - out))
        hidden_delta = np.dot(out_delta, w_ho.T) * (hidden * (1 - hidden))
        w_ho += np.dot(hidden.T, out_delta) * learning_rate
        b_o += np.sum(out_delta, axis=0, keepdims=True) * learning_rate
        w_ih += np.dot(X_DOC2.T, hidden_delta) * learning_rate
        b_h += np.sum(hidden_delta, axis=0, keepdims=True) * learning_rate
    final = sigmoid(np.dot(sigmoid(np.dot(X_DOC2, w_ih) + b_h), w_ho) + b_o)
    return final.ravel(), (w_ih, w_ho, b_h, b_o)


@pytest.mark.parametrize("seed", [0, 1, 7, 42])
def test_second_document_program(seed):
    expected, (w_ih, w_ho, b_h, b_o) = second_document_program(seed)
    clf = BackpropClassifier(
        (4,),
        **document_settings(
            eta=0.1,
            init="normal",
            fit_intercept=True,
            random_state=seed,
            max_iter=10000,
        ),
    )
    fit_quietly(clf, X_DOC2, [0, 1, 1, 0])
    # Same operations in the same order except the bias sum's layout: 1e-12
    # absolute leaves room for last-bit differences over 10000 epochs.
    assert_allclose(clf.predict_proba(X_DOC2)[:, 1], expected, rtol=0, atol=1e-12)
    assert_allclose(clf.coefs_[0], w_ih, rtol=0, atol=1e-10)
    assert_allclose(clf.intercepts_[1], b_o.ravel(), rtol=0, atol=1e-10)


def test_second_document_loss_is_half_its_printed_mse():
    # The document prints mean((y - output)**2) before each update; our
    # squared error is half of it (0.5 * ||output - y||^2, mean over samples).
    np.random.seed(3)
    w_ih, w_ho = np.random.randn(2, 4), np.random.randn(4, 1)
    out = nonlin(np.dot(nonlin(np.dot(X_DOC2, w_ih)), w_ho))
    document_loss = np.mean(np.square(np.array([[0], [1], [1], [0]]) - out))
    clf = BackpropClassifier(
        (4,),
        **document_settings(
            eta=0.1, init="normal", fit_intercept=True, random_state=3, max_iter=1
        ),
    )
    fit_quietly(clf, X_DOC2, [0, 1, 1, 0])
    assert clf.loss_curve_[0] == pytest.approx(document_loss / 2, rel=1e-14)

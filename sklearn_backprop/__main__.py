"""``python -m sklearn_backprop``: a short demonstration.

Trains the 3-4-1 sigmoid network of "Backpropagation in 11 Lines" (the first
of the two documents this package follows; the second is "Python program for
backpropagation") on its XOR data exactly as the document does, then a
classifier with default parameters, after a StandardScaler in a pipeline, on
scikit-learn's bundled breast-cancer data, and prints what each did and where
to read on.
"""

import time
import warnings

import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_backprop import BackpropClassifier

DOCUMENT_OUTPUT = [0.00260572, 0.99672209, 0.99701711, 0.00386759]


def xor_demo():
    """The trilayered program of "Backpropagation in 11 Lines", run by the
    estimator."""
    X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]])
    y = np.array([0, 1, 1, 0])
    clf = BackpropClassifier(
        hidden_layer_sizes=(4,),
        solver="sgd",
        batch_size=None,
        momentum=0.0,
        alpha=0.0,
        loss="squared_error",
        init="uniform",
        fit_intercept=False,
        shuffle=False,
        learning_rate_init=1.0 * len(X),
        tol=0.0,
        max_iter=59999,
        random_state=1,
    )
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    elapsed = time.perf_counter() - started
    print('1. The XOR network of "Backpropagation in 11 Lines"')
    print("   (3-4-1 sigmoid, no biases, 59999 full-batch updates, as the document)")
    print(f"   trained in {elapsed:.2f} s ({1e6 * elapsed / clf.n_iter_:.1f} us/epoch)")
    print("   document's output:", np.array2string(np.array(DOCUMENT_OUTPUT)))
    print(
        "   our output:       ",
        np.array2string(clf.predict_proba(X)[:, 1], precision=8),
    )
    print("   predicted labels: ", clf.predict(X), "(true:", y, ")")


def breast_cancer_demo():
    """A classifier with default parameters, after a StandardScaler, on
    bundled data."""
    X, y = load_breast_cancer(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    model = make_pipeline(StandardScaler(), BackpropClassifier(random_state=0))
    started = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        model.fit(X_train, y_train)
    elapsed = time.perf_counter() - started
    clf = model[-1]
    stopped = "max_iter reached before tol" if caught else "converged (tol met)"
    print("2. A classifier with default parameters, inside a StandardScaler pipeline,")
    print("   on breast cancer data:")
    print("   make_pipeline(StandardScaler(), BackpropClassifier(random_state=0))")
    print(
        f"   {X_train.shape[0]} training samples, {X.shape[1]} features, "
        f"hidden layers {clf.hidden_layer_sizes}, solver {clf.solver!r}"
    )
    print(
        f"   {clf.n_iter_} epochs in {elapsed:.2f} s, final loss {clf.loss_:.4f}, "
        f"{stopped}"
    )
    print(f"   test accuracy: {model.score(X_test, y_test):.3f}")


def where_next():
    """Where a newcomer reads on."""
    print("Next:")
    print('   docs:     pip install ".[docs]" && make -C docs html, then open')
    print("             docs/_build/html/index.html (getting started, user guide)")
    print("   examples: python examples/plot_document_trilayered.py and the other")
    print("             scripts in examples/ (the documents' three programs first)")


def main():
    xor_demo()
    print()
    breast_cancer_demo()
    print()
    where_next()


if __name__ == "__main__":
    main()

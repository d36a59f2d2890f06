"""The documents' XOR job: our estimator, their bare loop, scikit-learn's MLP.

The first document's trilayered program (3-4-1 sigmoid network, full-batch
updates on four samples) run three ways for the same number of epochs:

- ours: ``BackpropClassifier`` with the documents' settings, the whole
  ``fit`` (input validation, label encoding, ``loss_curve_``) timed; the
  compiled training loop trains this network; "ours, NumPy engine" is the
  same fit with the NumPy engine forced;
- bare: the document's own loop, as printed there, with ``nonlin``;
- MLP: ``MLPClassifier`` doing the same number of updates (one batch of 4
  per epoch, no momentum, no penalty, never stopping early).

It also checks that our weights are the document's: bit for bit with the
NumPy engine, to a few ulps with the compiled loop (C's exp and NumPy's may
differ in the last bit)::

    python benchmarks/xor.py           # 20000 epochs, 7 rounds
    python benchmarks/xor.py --quick   # 5000 epochs, 3 rounds
"""

import contextlib
import io
import warnings

import numpy as np
from _common import (
    median,
    median_ratio,
    parse_args,
    print_machine,
    time_in_rotation,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from sklearn_backprop import BackpropClassifier, _fast

X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]])
Y = np.array([0, 1, 1, 0])


def ours(epochs):
    clf = BackpropClassifier(
        hidden_layer_sizes=(4,),
        solver="sgd",
        batch_size=None,
        momentum=0,
        alpha=0,
        loss="squared_error",
        init="uniform",
        fit_intercept=False,
        shuffle=False,
        tol=0,
        learning_rate_init=4.0,
        random_state=1,
        max_iter=epochs,
    )
    return clf.fit(X, Y)


def document_loop(epochs):
    """The first document's trilayered program, verbatim but for the number
    of epochs (its two progress lines are printed into a buffer)."""

    def nonlin(x, deriv=False):
        if deriv == True:  # noqa: E712 (the document's code)
            return x * (1 - x)
        return 1 / (1 + np.exp(-x))

    X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]])
    y = np.array([[0], [1], [1], [0]])
    np.random.seed(1)  # noqa: NPY002 (the document's code)
    syn0 = 2 * np.random.random((3, 4)) - 1  # noqa: NPY002
    syn1 = 2 * np.random.random((4, 1)) - 1  # noqa: NPY002
    with contextlib.redirect_stdout(io.StringIO()):
        for j in range(epochs):
            l0 = X
            l1 = nonlin(np.dot(l0, syn0))
            l2 = nonlin(np.dot(l1, syn1))
            l2_error = y - l2
            if (j % 10000) == 0:
                print("Error:", str(np.mean(np.abs(l2_error))))
            l2_delta = l2_error * nonlin(l2, deriv=True)
            l1_error = l2_delta.dot(syn1.T)
            l1_delta = l1_error * nonlin(l1, deriv=True)
            syn1 += l1.T.dot(l2_delta)
            syn0 += l0.T.dot(l1_delta)
    return syn0, syn1


def mlp(epochs):
    clf = MLPClassifier(
        hidden_layer_sizes=(4,),
        activation="logistic",
        solver="sgd",
        batch_size=4,
        momentum=0,
        alpha=0,
        learning_rate_init=4.0,
        max_iter=epochs,
        tol=0,
        n_iter_no_change=epochs + 1,
        shuffle=False,
        random_state=1,
    )
    return clf.fit(X, Y)


def main():
    args = parse_args(__doc__.splitlines()[0], repeats=7, quick_repeats=3)
    epochs = 5000 if args.quick else 20000
    print_machine()
    warnings.simplefilter("ignore", ConvergenceWarning)  # tol=0 never converges

    clf, (syn0, syn1) = ours(epochs), document_loop(epochs)
    with _fast.engine("numpy"):
        reference = ours(epochs)
    identical = np.array_equal(reference.coefs_[0], syn0) and np.array_equal(
        reference.coefs_[1], syn1
    )
    difference = max(
        np.max(np.abs(ours_ - theirs) / np.abs(theirs))
        for ours_, theirs in zip(clf.coefs_, (syn0, syn1), strict=True)
    )
    assert len(clf.loss_curve_) == epochs
    print(
        f"after {epochs} epochs, the NumPy engine's weights equal the document's "
        f"bit for bit: {identical}; the compiled loop's differ by at most "
        f"{difference:.1e} (relative)"
    )

    def numpy_engine():
        with _fast.engine("numpy"):
            ours(epochs)

    times = time_in_rotation(
        {
            "ours": lambda: ours(epochs),
            "ours, NumPy engine": numpy_engine,
            "bare": lambda: document_loop(epochs),
            "MLP": lambda: mlp(epochs),
        },
        args.repeats,
    )
    per_epoch = {name: 1e6 * median(t) / epochs for name, t in times.items()}
    print(
        f"XOR 3-4-1, {epochs} full-batch epochs, median of {args.repeats} rounds "
        "(us per epoch)"
    )
    print(
        f"  ours {per_epoch['ours']:.2f}  ours, NumPy engine "
        f"{per_epoch['ours, NumPy engine']:.2f}  document's bare loop "
        f"{per_epoch['bare']:.2f}  MLPClassifier {per_epoch['MLP']:.2f}"
    )
    print(f"  bare loop / ours: {median_ratio(times['bare'], times['ours']):.1f}")
    print(f"  MLP / ours:       {median_ratio(times['MLP'], times['ours']):.1f}")
    print(
        "  MLP / ours, NumPy engine: "
        f"{median_ratio(times['MLP'], times['ours, NumPy engine']):.1f}"
    )


if __name__ == "__main__":
    main()

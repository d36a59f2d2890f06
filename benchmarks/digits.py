"""Digits, 64-64-10: time per epoch of ours and scikit-learn's MLP, same settings.

scikit-learn's bundled digits (1797 samples, 64 features scaled to [0, 1]),
two hidden layers of 64 units, 10 classes; both estimators get the same
parameters (MLP's defaults with ``solver="sgd"``, ``batch_size=200``:
Nesterov momentum 0.9, ``alpha=1e-4``, learning rate 0.001, shuffled
batches) and run a fixed number of epochs (``tol=0``, no early stop). Rows
for the ReLU unit (MLP's default) and the logistic unit (ours).

A third contender is the floor NumPy sets: the same epochs written as one
lean loop (preallocated buffers, outputs passed positionally, about thirty
NumPy calls a batch and nothing else: no validation, no loss curve, no
schedule). What separates ours from it is the cost of being an estimator;
what separates it from MLP is all that any NumPy implementation can win::

    python benchmarks/digits.py           # 40 epochs, 7 rounds
    python benchmarks/digits.py --quick   # 10 epochs, 3 rounds
"""

import warnings

import numpy as np
from _common import (
    median,
    median_ratio,
    parse_args,
    print_machine,
    sgd_settings,
    time_in_rotation,
)
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from sklearn_backprop import BackpropClassifier


def lean_numpy_loop(X, y, activation, epochs):
    """The same training as the estimators', hand-written: 64-64-10, softmax
    and log-loss, L2 penalty 1e-4, Nesterov momentum 0.9, learning rate
    0.001, shuffled batches of 200; returns the weights."""
    rng = np.random.RandomState(0)
    Y = np.eye(10)[y]
    n, batch, lr, alpha, momentum = X.shape[0], 200, 0.001, 1e-4, 0.9
    W1 = rng.uniform(-0.2, 0.2, (64, 64))
    W2 = rng.uniform(-0.2, 0.2, (64, 10))
    params = np.concatenate([W1.ravel(), W2.ravel(), np.zeros(64 + 10)])
    W1, W2 = params[:4096].reshape(64, 64), params[4096:4736].reshape(64, 10)
    b1, b2 = params[4736:4800], params[4800:]
    grad = np.zeros_like(params)
    gW1, gW2 = grad[:4096].reshape(64, 64), grad[4096:4736].reshape(64, 10)
    gb1, gb2 = grad[4736:4800], grad[4800:]
    velocity, scratch = np.zeros_like(params), np.empty_like(params)
    Xb, Yb = np.empty((batch, 64)), np.empty((batch, 10))
    hidden, out = np.empty((batch, 64)), np.empty((batch, 10))
    d_hidden, d_out, mask = (
        np.empty((batch, 64)),
        np.empty((batch, 10)),
        np.empty((batch, 64)),
    )
    ones, proba = np.ones(batch), np.empty(batch)
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch):
            index = order[start : start + batch]
            m = index.shape[0]
            xb, yb, h, o = Xb[:m], Yb[:m], hidden[:m], out[:m]
            dh, do, mk, on, pr = d_hidden[:m], d_out[:m], mask[:m], ones[:m], proba[:m]
            X.take(index, 0, xb, "clip")
            Y.take(index, 0, yb, "clip")
            xb.dot(W1, h)
            np.add(h, b1, h)
            if activation == "relu":
                np.maximum(h, 0.0, out=h)
            else:
                np.negative(h, h)
                np.exp(h, h)
                np.add(h, 1.0, h)
                np.reciprocal(h, h)
            h.dot(W2, o)
            np.add(o, b2, o)
            np.subtract(o, np.maximum.reduce(o.T.copy(), 0)[:, None], o)
            np.exp(o, o)
            np.divide(o, o.dot(np.ones(10))[:, None], o)
            np.einsum("ij,ij->i", yb, o, out=pr)
            np.maximum(pr, 1e-16, pr)
            np.log(pr, pr)
            loss = -pr.sum() + 0.5 * alpha * params[:4736].dot(params[:4736])  # noqa: F841
            np.subtract(o, yb, do)
            np.multiply(do, lr / m, do)
            h.T.dot(do, gW2)
            on.dot(do, gb2)
            do.dot(W2.T, dh)
            if activation == "relu":
                np.sign(h, mk)
            else:
                np.subtract(1.0, h, mk)
                np.multiply(mk, h, mk)
            np.multiply(dh, mk, dh)
            xb.T.dot(dh, gW1)
            on.dot(dh, gb1)
            np.multiply(params[:4736], lr * alpha / m, scratch[:4736])
            np.add(grad[:4736], scratch[:4736], grad[:4736])
            velocity -= grad
            velocity *= momentum
            params -= grad
            params += velocity
    return params


def main():
    args = parse_args(__doc__.splitlines()[0], repeats=7, quick_repeats=3)
    epochs = 10 if args.quick else 40
    print_machine()
    warnings.simplefilter("ignore", ConvergenceWarning)
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    print(
        f"digits {X.shape[0]}x{X.shape[1]} -> 64-64-10, sgd, batch 200, {epochs} "
        f"epochs, median of {args.repeats} rounds (ms per epoch)"
    )
    for activation in ("relu", "logistic"):
        params = sgd_settings((64,), activation, epochs)
        times = time_in_rotation(
            {
                "ours": lambda p=params: BackpropClassifier(**p).fit(X, y),
                "MLP": lambda p=params: MLPClassifier(**p).fit(X, y),
                "lean": lambda a=activation: lean_numpy_loop(X, y, a, epochs),
            },
            args.repeats,
        )
        ours, mlp, lean = (
            1e3 * median(times[k]) / epochs for k in ("ours", "MLP", "lean")
        )
        print(
            f"  {activation:<8}  ours {ours:5.2f}  MLPClassifier {mlp:5.2f}  "
            f"lean NumPy loop {lean:5.2f}\n"
            f"            MLP / ours {median_ratio(times['MLP'], times['ours']):.2f} "
            "  MLP / lean loop "
            f"{median_ratio(times['MLP'], times['lean']):.2f}  ours / lean loop "
            f"{median_ratio(times['ours'], times['lean']):.2f}"
        )


if __name__ == "__main__":
    main()

"""Digits, 64-64-10: time per epoch of ours and scikit-learn's MLP, same settings.

scikit-learn's bundled digits (1797 samples, 64 features scaled to [0, 1]),
two hidden layers of 64 units, 10 classes; both estimators get the same
parameters (MLP's defaults with ``solver="sgd"``, ``batch_size=200``:
Nesterov momentum 0.9, ``alpha=1e-4``, learning rate 0.001, shuffled
batches) and run a fixed number of epochs (``tol=0``, no early stop). Rows
for the ReLU unit (MLP's default) and the logistic unit (ours)::

    python benchmarks/digits.py           # 40 epochs, 7 rounds
    python benchmarks/digits.py --quick   # 10 epochs, 3 rounds
"""

import warnings

from _common import median, median_ratio, parse_args, print_machine, time_in_rotation
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from sklearn_backprop import BackpropClassifier


def settings(activation, epochs):
    return dict(
        hidden_layer_sizes=(64,),
        activation=activation,
        solver="sgd",
        batch_size=200,
        alpha=1e-4,
        learning_rate_init=0.001,
        momentum=0.9,
        nesterovs_momentum=True,
        shuffle=True,
        tol=0.0,
        n_iter_no_change=epochs + 1,
        max_iter=epochs,
        random_state=0,
    )


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
        params = settings(activation, epochs)
        times = time_in_rotation(
            {
                "ours": lambda p=params: BackpropClassifier(**p).fit(X, y),
                "MLP": lambda p=params: MLPClassifier(**p).fit(X, y),
            },
            args.repeats,
        )
        ours, mlp = (1e3 * median(times[k]) / epochs for k in ("ours", "MLP"))
        speedup = median_ratio(times["MLP"], times["ours"])
        print(
            f"  {activation:<8}  ours {ours:6.2f}  MLPClassifier {mlp:6.2f}  "
            f"MLP / ours {speedup:.2f}  (target >= 3)"
        )


if __name__ == "__main__":
    main()

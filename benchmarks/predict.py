"""Prediction on 1e6 x 100 rows through 256-256: time and memory, ours and MLP.

Both classifiers are fitted briefly on 5000 rows of a 5-class problem (the
weights hardly matter to the time) and then predict labels for a million new
rows. Ours runs the forward pass in chunks of rows
(``_network.PREDICT_CHUNK_BYTES`` per layer), MLP on all rows at once.

Memory is the peak that ``tracemalloc`` (which sees NumPy's buffers) records
during ``predict``, above what was allocated before it, for two numbers of
rows: ours should not grow with them beyond the outputs (the probabilities,
the labels), MLP's grows with every hidden layer::

    python benchmarks/predict.py           # 1e6 rows, 3 rounds
    python benchmarks/predict.py --quick   # 2e5 rows, 2 rounds
"""

import tracemalloc
import warnings

import numpy as np
from _common import median, median_ratio, parse_args, print_machine, time_in_rotation
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from sklearn_backprop import BackpropClassifier


def peak_memory(function):
    """Peak bytes allocated while ``function()`` runs, above the start."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        function()
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


def main():
    args = parse_args(__doc__.splitlines()[0], repeats=3, quick_repeats=2)
    n_rows = 200_000 if args.quick else 1_000_000
    print_machine()
    warnings.simplefilter("ignore", ConvergenceWarning)
    X, y = make_classification(
        n_samples=5000, n_features=100, n_informative=50, n_classes=5, random_state=0
    )
    params = dict(
        hidden_layer_sizes=(256, 256),
        activation="logistic",
        solver="sgd",
        batch_size=200,
        max_iter=2,
        random_state=0,
    )
    ours = BackpropClassifier(**params).fit(X, y)
    mlp = MLPClassifier(**params).fit(X, y)
    X_new = np.random.RandomState(1).standard_normal((n_rows, 100))
    assert (ours.predict(X_new[:1000]) == ours.predict(X_new)[:1000]).all()

    times = time_in_rotation(
        {"ours": lambda: ours.predict(X_new), "MLP": lambda: mlp.predict(X_new)},
        args.repeats,
    )
    print(
        f"predict {n_rows} x 100 -> 256-256-5 (float64, logistic), median of "
        f"{args.repeats} rounds: ours {median(times['ours']):.2f} s, "
        f"MLPClassifier {median(times['MLP']):.2f} s, "
        f"MLP / ours {median_ratio(times['MLP'], times['ours']):.2f}"
    )
    sizes = [n_rows // 10, n_rows]
    output_mb = {n: n * (5 * 8 + 8) / 2**20 for n in sizes}
    print("peak memory of predict above its start (tracemalloc), MiB:")
    for n in sizes:
        ours_mb = peak_memory(lambda n=n: ours.predict(X_new[:n])) / 2**20
        mlp_mb = peak_memory(lambda n=n: mlp.predict(X_new[:n])) / 2**20
        print(
            f"  {n:>9} rows: ours {ours_mb:8.1f}  MLPClassifier {mlp_mb:8.1f}  "
            f"(outputs: probabilities and labels {output_mb[n]:.1f})"
        )


if __name__ == "__main__":
    main()

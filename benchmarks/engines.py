"""Where the compiled training loop stops paying: both engines, one network.

``_fast.chosen`` hands a fit to the compiled kernel while a batch's work
(weights x rows) stays below ``_fast.MAX_WORK_PER_BATCH``. This script times
an epoch of each engine (forced) for networks and batch sizes on both sides
of that line, logistic units, Adam, shuffled batches, and prints the ratio::

    python benchmarks/engines.py            # 5 rounds
    python benchmarks/engines.py --quick    # 2 rounds
"""

import warnings

import numpy as np
from _common import median, median_ratio, parse_args, print_machine, time_in_rotation
from sklearn.exceptions import ConvergenceWarning

from sklearn_backprop import BackpropClassifier, _fast

# (features, hidden layers, batch size)
SHAPES = [
    ((3,), (4,), 4),
    ((4,), (100,), 150),
    ((13,), (100,), 178),
    ((30,), (100,), 200),
    ((64,), (64,), 200),
    ((64,), (100,), 200),
    ((64,), (256,), 200),
    ((100,), (256, 256), 200),
    ((100,), (512,), 500),
]


def main():
    args = parse_args(__doc__.splitlines()[0], repeats=5, quick_repeats=2)
    print_machine()
    warnings.simplefilter("ignore", ConvergenceWarning)
    rng = np.random.RandomState(0)
    print(f"threshold: MAX_WORK_PER_BATCH = {_fast.MAX_WORK_PER_BATCH}")
    print(f"{'network':>22} {'batch':>5} {'work':>9} {'numpy ms':>9} "
          f"{'compiled ms':>11} {'numpy/compiled':>14}  chosen")  # fmt: skip
    for (n_features,), hidden, batch in SHAPES:
        n_samples = 4 * batch
        X = rng.randn(n_samples, n_features)
        y = rng.randint(0, 3, n_samples)
        epochs = max(2, min(200, 2_000_000 // (n_samples * sum(hidden) * 4)))

        def fit(engine, X=X, y=y, hidden=hidden, batch=batch, epochs=epochs):
            model = BackpropClassifier(
                hidden, batch_size=batch, max_iter=epochs, tol=0, random_state=0
            )
            with _fast.engine(engine):
                model.fit(X, y)
            return model

        times = time_in_rotation(
            {
                "numpy": lambda f=fit: f("numpy"),
                "compiled": lambda f=fit: f("compiled"),
            },
            args.repeats,
        )
        units = [n_features, *hidden, 3]
        work = batch * sum(a * b for a, b in zip(units, units[1:], strict=False))
        chosen = work <= _fast.MAX_WORK_PER_BATCH
        name = "-".join(map(str, units))
        print(
            f"{name:>22} {batch:>5} {work:>9} "
            f"{1e3 * median(times['numpy']) / epochs:>9.3f} "
            f"{1e3 * median(times['compiled']) / epochs:>11.3f} "
            f"{median_ratio(times['numpy'], times['compiled']):>14.2f}  "
            f"{'compiled' if chosen else 'numpy'}"
        )


if __name__ == "__main__":
    main()

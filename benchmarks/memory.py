"""Peak memory of ``fit`` on the 20000x100 -> 256-256-5 problem, ours and MLP.

The peak that ``tracemalloc`` (which sees NumPy's buffers) records during
``fit``, above what was allocated before it, for the problem and settings of
``large.py``, in float64 and float32. Also the same for ``predict_proba`` on
the training rows. Memory is deterministic: one run each is enough::

    python benchmarks/memory.py
    python benchmarks/memory.py --quick   # 1 epoch instead of 2
"""

import tracemalloc
import warnings

import numpy as np
from _common import parse_args, print_machine
from large import N_CLASSES, N_FEATURES, N_SAMPLES, make_problem, settings
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from sklearn_backprop import BackpropClassifier


def peak_mib(function):
    """Peak MiB allocated while ``function()`` runs, above the start, and its
    result."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        result = function()
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    return peak / 2**20, result


def main():
    args = parse_args(__doc__.splitlines()[0], repeats=1, quick_repeats=1)
    epochs = 1 if args.quick else 2
    print_machine()
    warnings.simplefilter("ignore", ConvergenceWarning)
    X, y = make_problem()
    print(
        f"peak memory above the start (tracemalloc, MiB), {N_SAMPLES}x{N_FEATURES} "
        f"-> 256-256-{N_CLASSES}, sgd, batch 200, {epochs} epochs"
    )
    for dtype in (np.float64, np.float32):
        Xd = X.astype(dtype)
        row = f"  {np.dtype(dtype).name} (X is {Xd.nbytes / 2**20:.1f} MiB):"
        for name, estimator in (("ours", BackpropClassifier), ("MLP", MLPClassifier)):
            fit_mib, model = peak_mib(
                lambda e=estimator, Xd=Xd: e(**settings(epochs)).fit(Xd, y)
            )
            proba_mib, _ = peak_mib(lambda m=model, Xd=Xd: m.predict_proba(Xd))
            row += f"  {name}: fit {fit_mib:.1f}, predict_proba {proba_mib:.1f};"
        print(row.rstrip(";"))


if __name__ == "__main__":
    main()

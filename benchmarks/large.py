"""20000x100 -> 256-256-5, sgd, batch 200: ours, MLP and NumPy's GEMM rate.

A synthetic 5-class problem (``make_classification``) trained by both
estimators with the same parameters (logistic units, MLP's sgd defaults:
Nesterov momentum 0.9, ``alpha=1e-4``, learning rate 0.001, shuffled batches
of 200) for a fixed number of epochs, in float64 and in float32.

The reference rate is NumPy's own: one epoch's worth of the matrix products
an epoch of backpropagation needs with ``6 x samples x weights`` flops (for
each layer and batch: the forward product, the weights' gradient and the
delta sent back), with the same shapes and preallocated outputs, and nothing
else. Our rate counts the same flops over our whole epoch, so the percentage
is the share of an epoch spent at GEMM speed. Those products alone also bound
any speed-up over MLP: no implementation that computes them can beat MLP by
more than ``MLP / GEMM alone``, printed as the ceiling. For scale, the rate
NumPy reaches on one large square product (2000 x 2000) is printed too: the
batch-200 shapes of an epoch run below it::

    python benchmarks/large.py           # 3 epochs a fit, 5 rounds
    python benchmarks/large.py --quick   # 1 epoch, 3 rounds
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
    timed,
)
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from sklearn_backprop import BackpropClassifier

N_SAMPLES, N_FEATURES, HIDDEN, N_CLASSES, BATCH = 20000, 100, (256, 256), 5, 200


def settings(epochs):
    """The parameters both estimators get (see ``_common.sgd_settings``)."""
    return sgd_settings(HIDDEN, "logistic", epochs)


def make_problem():
    """The synthetic 5-class problem, X and y."""
    return make_classification(
        n_samples=N_SAMPLES,
        n_features=N_FEATURES,
        n_informative=50,
        n_classes=N_CLASSES,
        random_state=0,
    )


def gemm_epoch(dtype, epochs):
    """The matrix products of ``epochs`` epochs, alone: a function to time."""
    rng = np.random.RandomState(0)
    units = [N_FEATURES, *HIDDEN, N_CLASSES]
    layers = []
    for fan_in, fan_out in zip(units[:-1], units[1:], strict=True):
        inputs = rng.standard_normal((BATCH, fan_in)).astype(dtype)
        weights = rng.standard_normal((fan_in, fan_out)).astype(dtype)
        delta = rng.standard_normal((BATCH, fan_out)).astype(dtype)
        layers.append(
            (
                inputs,
                weights,
                delta,
                np.empty((BATCH, fan_out), dtype),
                np.empty((fan_in, fan_out), dtype),
                np.empty((BATCH, fan_in), dtype),
            )
        )
    n_batches = -(-N_SAMPLES // BATCH)

    def run():
        for _ in range(epochs * n_batches):
            for inputs, weights, delta, out, weight_grad, back in layers:
                inputs.dot(weights, out)
                inputs.T.dot(delta, weight_grad)
                delta.dot(weights.T, back)

    return run


def peak_gemm_rate(dtype, size=2000, repeats=3):
    """GFLOP/s of NumPy on one ``size`` x ``size`` product, best of ``repeats``."""
    rng = np.random.RandomState(0)
    a, b = (rng.standard_normal((size, size)).astype(dtype) for _ in range(2))
    out = np.empty((size, size), dtype)
    best = min(timed(lambda: a.dot(b, out))[0] for _ in range(repeats))
    return 2 * size**3 / best / 1e9


def main():
    args = parse_args(__doc__.splitlines()[0], repeats=5, quick_repeats=3)
    epochs = 1 if args.quick else 3
    print_machine()
    warnings.simplefilter("ignore", ConvergenceWarning)
    X, y = make_problem()
    units = [N_FEATURES, *HIDDEN, N_CLASSES]
    n_weights = sum(a * b for a, b in zip(units[:-1], units[1:], strict=True))
    gflop = 6 * N_SAMPLES * n_weights * epochs / 1e9
    print(
        f"{N_SAMPLES}x{N_FEATURES} -> {'-'.join(map(str, HIDDEN))}-{N_CLASSES}, "
        f"logistic, sgd, batch {BATCH}, {epochs} epochs a fit "
        f"({gflop / epochs:.2f} GFLOP an epoch), median of {args.repeats} rounds"
    )
    for dtype in (np.float64, np.float32):
        Xd = X.astype(dtype)
        params = settings(epochs)
        times = time_in_rotation(
            {
                "ours": lambda p=params, Xd=Xd: BackpropClassifier(**p).fit(Xd, y),
                "MLP": lambda p=params, Xd=Xd: MLPClassifier(**p).fit(Xd, y),
                "GEMM": gemm_epoch(dtype, epochs),
            },
            args.repeats,
        )
        ours, mlp, gemm = (
            1e3 * median(times[k]) / epochs for k in ("ours", "MLP", "GEMM")
        )
        print(
            f"  {np.dtype(dtype).name}: ours {ours:.0f} ms/epoch "
            f"({gflop / median(times['ours']):.1f} GFLOP/s), "
            f"MLPClassifier {mlp:.0f} ms/epoch, GEMM alone {gemm:.0f} ms/epoch "
            f"({gflop / median(times['GEMM']):.1f} GFLOP/s)"
        )
        print(
            f"    MLP / ours {median_ratio(times['MLP'], times['ours']):.2f} "
            "; our rate / GEMM rate "
            f"{100 * median_ratio(times['GEMM'], times['ours']):.0f}%"
        )
        print(
            "    ceiling of any speed-up, MLP / GEMM alone "
            f"{median_ratio(times['MLP'], times['GEMM']):.2f}; NumPy's rate on a "
            f"2000x2000 product {peak_gemm_rate(dtype):.1f} GFLOP/s"
        )


if __name__ == "__main__":
    main()

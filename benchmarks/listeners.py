"""The cost of an epoch that needs Python after it, against a plain one.

Early stopping, a validation set of your own (``X_val``), ``verbose`` and a
scikit-learn callback each need something done after every epoch; with the
compiled loop, the kernel hands each epoch back to ``_training`` for it
instead of running the fit whole. This script prints what an epoch costs
then, as a ratio to a plain epoch, on breast_cancer and digits
(standardised, default ``BackpropClassifier``, 60 epochs, ``tol=0``).

An epoch's cost is CPU time (``time.process_time``, so that other processes
on a shared machine count little): the least of 3 fits of 60 epochs minus
the least of 3 fits of 1 epoch, over 59. Each round times every contender,
in an order that rotates from round to round; the script prints the medians
over the rounds and the median of the per-round ratios to the plain epoch::

    python benchmarks/listeners.py             # 5 rounds
    python benchmarks/listeners.py --quick     # 2 rounds

Every fit trains on the same 90% of the rows: early stopping splits off 10%
itself (``validation_fraction=0.1``), ``X_val`` is the other 10%.

Then the wait of a Ctrl-C: a fit with ``batch_size=1`` on 200,000 rows (an
epoch of 200,000 steps) gets a SIGINT 0.3 s in, and the wall time from the
signal to ``fit`` returning is printed (median and largest of 5; wall time,
so a loaded machine's scheduling counts in it).
"""

import contextlib
import io
import os
import signal
import threading
import time
import warnings

import numpy as np
from _common import median, median_ratio, parse_args, print_machine
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.preprocessing import StandardScaler

from sklearn_backprop import BackpropClassifier

EPOCHS = 60
FITS = 3


class NothingCallback:
    """A scikit-learn callback that does nothing: what the protocol costs."""

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context, *, X=None, y=None, metadata=None):
        pass

    def on_fit_task_end(self, estimator, context, **kwargs):
        return False


def data(loader):
    X, y = loader(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    order = np.random.RandomState(0).permutation(len(X))
    X, y = X[order], y[order]
    n_train = int(round(0.9 * len(X)))
    return X, y, X[:n_train], y[:n_train], X[n_train:], y[n_train:]


def contenders(loader):
    """name -> a function fitting ``max_iter`` epochs."""
    X, y, X_train, y_train, X_val, y_val = data(loader)
    base = dict(tol=0, n_iter_no_change=10**6, random_state=0)

    def plain(max_iter):
        BackpropClassifier(max_iter=max_iter, **base).fit(X_train, y_train)

    def early_stopping(max_iter):
        model = BackpropClassifier(
            max_iter=max_iter, early_stopping=True, validation_fraction=0.1, **base
        )
        model.fit(X, y)

    def x_val(max_iter):
        model = BackpropClassifier(max_iter=max_iter, **base)
        model.fit(X_train, y_train, X_val=X_val, y_val=y_val)

    def verbose(max_iter):
        with contextlib.redirect_stdout(io.StringIO()):
            model = BackpropClassifier(max_iter=max_iter, verbose=True, **base)
            model.fit(X_train, y_train)

    def callback(max_iter):
        model = BackpropClassifier(max_iter=max_iter, **base)
        model.set_callbacks(NothingCallback())
        model.fit(X_train, y_train)

    return {
        "plain": plain,
        "early_stopping": early_stopping,
        "X_val": x_val,
        "verbose": verbose,
        "callback": callback,
    }


def epoch_cost(fit):
    """CPU seconds of an epoch: the least of FITS fits of EPOCHS epochs
    minus the least of FITS fits of one, over EPOCHS - 1."""
    least = {}
    for max_iter in (1, EPOCHS):
        times = []
        for _ in range(FITS):
            started = time.process_time()
            fit(max_iter)
            times.append(time.process_time() - started)
        least[max_iter] = min(times)
    return (least[EPOCHS] - least[1]) / (EPOCHS - 1)


def ctrl_c_waits(trials=5):
    """Seconds from a SIGINT to ``fit`` returning, ``trials`` times."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200_000, 4))
    y = (X[:, 0] > 0).astype(int)
    waits = []
    for _ in range(trials):
        sent = []

        def send(sent=sent):
            sent.append(time.perf_counter())
            os.kill(os.getpid(), signal.SIGINT)

        timer = threading.Timer(0.3, send)
        model = BackpropClassifier((5,), batch_size=1, max_iter=50, tol=0)
        timer.start()
        model.fit(X, y)  # warns that it was interrupted
        waits.append(time.perf_counter() - sent[0])
    return waits


def main():
    args = parse_args(__doc__.splitlines()[0], repeats=5, quick_repeats=2)
    print_machine()
    warnings.simplefilter("ignore")
    for name, loader in (
        ("breast_cancer", load_breast_cancer),
        ("digits", load_digits),
    ):
        fits = contenders(loader)
        names = list(fits)
        costs = {n: [] for n in names}
        for round_ in range(args.repeats):
            shift = round_ % len(names)
            for n in names[shift:] + names[:shift]:
                costs[n].append(epoch_cost(fits[n]))
        print(f"\n{name}: CPU time of an epoch (median of {args.repeats} rounds)")
        print(f"{'':16}{'us':>10}{'x plain':>10}")
        for n in names:
            ratio = median_ratio(costs[n], costs["plain"])
            print(f"{n:16}{median(costs[n]) * 1e6:>10.1f}{ratio:>10.2f}")
    waits = ctrl_c_waits()
    print(
        "\nCtrl-C, batch_size=1 on 200,000 rows: fit returned "
        f"{median(waits) * 1e3:.1f} ms after the signal (median of "
        f"{len(waits)}; largest {max(waits) * 1e3:.1f} ms)"
    )


if __name__ == "__main__":
    main()

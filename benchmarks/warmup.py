"""The first fit in a fresh process against the next one.

Each round starts a fresh Python, imports sklearn_backprop (not timed), and
times two identical fits one after the other: the documents' XOR job and a
default fit on iris. The difference is what a user waits for on first use
(loading the compiled loop, BLAS and thread-control set-up)::

    python benchmarks/warmup.py            # 7 fresh processes
    python benchmarks/warmup.py --quick    # 3
"""

import json
import subprocess
import sys

from _common import median, parse_args, print_machine

CHILD = r"""
import json, time, warnings
import numpy as np
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn_backprop import BackpropClassifier

warnings.simplefilter("ignore", ConvergenceWarning)
X_xor = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]])
y_xor = [0, 1, 1, 0]
X_iris, y_iris = load_iris(return_X_y=True)
jobs = {
    "XOR, 1000 epochs": lambda: BackpropClassifier(
        (4,), solver="sgd", batch_size=None, momentum=0, alpha=0,
        loss="squared_error", init="uniform", fit_intercept=False,
        shuffle=False, tol=0, learning_rate_init=4.0, random_state=1,
        max_iter=1000,
    ).fit(X_xor, y_xor),
    "iris, defaults": lambda: BackpropClassifier(random_state=0).fit(X_iris, y_iris),
}
result = {}
for name, job in jobs.items():
    times = []
    for _ in range(2):
        started = time.perf_counter()
        job()
        times.append(time.perf_counter() - started)
    result[name] = times
print(json.dumps(result))
"""


def main():
    args = parse_args(__doc__.splitlines()[0], repeats=7, quick_repeats=3)
    print_machine()
    rounds = [
        json.loads(subprocess.run([sys.executable, "-c", CHILD], capture_output=True,
                                  text=True, check=True).stdout)
        for _ in range(args.repeats)
    ]  # fmt: skip
    print(f"fresh processes: {args.repeats}; ms, medians")
    print(f"{'job':>18} {'first fit':>10} {'second':>8} {'first - second':>15}")
    for name in rounds[0]:
        first = median(r[name][0] for r in rounds) * 1e3
        second = median(r[name][1] for r in rounds) * 1e3
        extra = median((r[name][0] - r[name][1]) for r in rounds) * 1e3
        print(f"{name:>18} {first:>10.2f} {second:>8.2f} {extra:>15.2f}")


if __name__ == "__main__":
    main()

"""Two builds of the compiled loop, epoch against epoch (for kernel work).

Give the paths of two built ``_loop`` extension modules (copy
``build/cp311/sklearn_backprop/_fast/_loop.*.so`` aside before and after a
change; both must have this tree's ``KERNEL_VERSION``). Each round runs both
in fresh child processes, in an order that rotates, and each child prints the
CPU time of an epoch on iris, wine and breast_cancer: 4/5 of each data set
(a CV fold), default ``BackpropClassifier`` at ``learning_rate_init=1e-3``
and ``tol=0``, the least time of 15 fits of 201 epochs minus that of 1 epoch,
over 200. Prints each round, then the medians and B / A::

    python benchmarks/kernel_ab.py A.so B.so            # 6 rounds
    python benchmarks/kernel_ab.py A.so B.so --rounds 4
"""

import argparse
import os
import statistics
import subprocess
import sys

CHILD = r"""
import importlib.util, sys, time, warnings
name = "sklearn_backprop._fast._loop"
spec = importlib.util.spec_from_file_location(name, sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
sys.modules[name] = module
from sklearn.datasets import load_breast_cancer, load_iris, load_wine
from sklearn.preprocessing import StandardScaler
from sklearn_backprop import BackpropClassifier, _fast
assert _fast.kernel is module, "this module was not taken (a stale KERNEL_VERSION?)"
warnings.simplefilter("ignore")
out = []
for loader in (load_iris, load_wine, load_breast_cancer):
    X, y = loader(return_X_y=True)
    n = int(len(X) * 0.8)
    X, y = StandardScaler().fit_transform(X)[:n], y[:n]
    least = {}
    for max_iter in (1, 201):
        model = BackpropClassifier(
            random_state=0, max_iter=max_iter, tol=0, learning_rate_init=1e-3
        )
        times = []
        for _ in range(15):
            started = time.process_time()
            model.fit(X, y)
            times.append(time.process_time() - started)
        least[max_iter] = min(times)
    out.append((least[201] - least[1]) / 200 * 1e6)
print(" ".join(f"{t:.1f}" for t in out))
"""

NAMES = ("iris", "wine", "breast_cancer")


def epoch_times(module):
    here = os.path.dirname(os.path.abspath(__file__))
    result = subprocess.run(
        [sys.executable, "-c", CHILD, os.path.abspath(module)],
        capture_output=True, text=True, check=True, cwd=os.path.dirname(here),
    )  # fmt: skip
    return [float(t) for t in result.stdout.split()]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a", help="the first built _loop module")
    parser.add_argument("b", help="the second built _loop module")
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()
    times = {"A": [], "B": []}
    print(f"{'':8}" + "".join(f"{name:>15}" for name in NAMES), "(us of CPU an epoch)")
    for round_ in range(args.rounds):
        for label in ("A", "B") if round_ % 2 == 0 else ("B", "A"):
            row = epoch_times(args.a if label == "A" else args.b)
            times[label].append(row)
            print(f"{label:8}" + "".join(f"{t:>15.1f}" for t in row))
    medians = {
        label: [statistics.median(column) for column in zip(*rows, strict=True)]
        for label, rows in times.items()
    }
    for label in ("A", "B"):
        print(f"median {label}" + "".join(f"{t:>15.1f}" for t in medians[label]))
    ratios = [b / a for a, b in zip(medians["A"], medians["B"], strict=True)]
    print(f"{'B / A':8}" + "".join(f"{r:>15.3f}" for r in ratios))


if __name__ == "__main__":
    main()

"""A default digits fit on a quiet machine and beside busy processes.

``BackpropClassifier()`` and ``MLPClassifier()`` at their defaults on digits
(1797 x 64, 100 hidden units, batches of 200, 40 epochs), timed first with
nothing else started by this script, then beside ``--busy`` processes (one
by default) that spin a core each. Prints each one's median times and
loaded / quiet. A small product gains nothing from a second BLAS thread, and
a thread waiting for a busy core stalls the product: see
``sklearn_backprop/_threads.py``::

    python benchmarks/underload.py              # 7 rounds, one busy process
    python benchmarks/underload.py --busy 4     # a busier machine
    python benchmarks/underload.py --quick      # 3 rounds
"""

import subprocess
import sys
import warnings

from _common import median, print_machine, time_in_rotation
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from sklearn_backprop import BackpropClassifier

EPOCHS = 40


def main():
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int)
    parser.add_argument("--busy", type=int, default=1, help="busy processes")
    args = parser.parse_args()
    repeats = args.repeats or (3 if args.quick else 7)
    print_machine()
    warnings.simplefilter("ignore", ConvergenceWarning)
    X, y = load_digits(return_X_y=True)
    X = X / 16
    contenders = {
        "ours": lambda: BackpropClassifier(max_iter=EPOCHS, random_state=0).fit(X, y),
        "MLP": lambda: MLPClassifier(max_iter=EPOCHS, random_state=0).fit(X, y),
    }
    quiet = time_in_rotation(contenders, repeats)
    busy = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"])
        for _ in range(args.busy)
    ]
    try:
        loaded = time_in_rotation(contenders, repeats)
    finally:
        for process in busy:
            process.kill()
            process.wait()
    print(f"digits, defaults, {EPOCHS} epochs: seconds, median of {repeats} rounds")
    print(f"{'':>6} {'quiet':>8} {f'{args.busy} busy':>8} {'loaded/quiet':>13}")
    for name in contenders:
        q, b = median(quiet[name]), median(loaded[name])
        print(f"{name:>6} {q:>8.3f} {b:>8.3f} {b / q:>13.2f}")


if __name__ == "__main__":
    main()

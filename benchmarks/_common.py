"""What the speed benchmarks share: timing in rotation, medians, the machine.

The machine these run on is shared and its speed drifts by tens of percent
within a minute, so absolute times mean little. Every benchmark times its
contenders in the same process, one after another in an order that rotates
from repeat to repeat (whichever runs first in a round is not always the same
one), and reports the median time of each and the median of the per-round
ratios, which the drift largely cancels out of.
"""

import argparse
import datetime
import os
import platform
import statistics
import sys
import time

import numpy as np
import scipy
import sklearn


def parse_args(description, repeats, quick_repeats, flags=()):
    """``--quick`` (smaller problem, fewer repeats), ``--repeats N``, and a
    script's own on/off ``flags``, pairs of (name, help)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="a short run")
    parser.add_argument("--repeats", type=int, help="rounds of timings")
    for name, help_ in flags:
        parser.add_argument(f"--{name}", action="store_true", help=help_)
    args = parser.parse_args()
    if args.repeats is None:
        args.repeats = quick_repeats if args.quick else repeats
    return args


def timed(function):
    """Seconds one call of ``function()`` takes, and what it returned."""
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def time_in_rotation(contenders, repeats):
    """Time each of ``contenders`` (name -> function) ``repeats`` times, the
    order rotating each round; return name -> list of seconds, one a round."""
    names = list(contenders)
    times = {name: [] for name in names}
    for round_ in range(repeats):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            times[name].append(timed(contenders[name])[0])
            print(".", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return times


def median(values):
    return statistics.median(values)


def median_ratio(numerators, denominators):
    """The median of the per-round ratios."""
    return statistics.median(
        a / b for a, b in zip(numerators, denominators, strict=True)
    )


def cpu_model():
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def blas():
    """NumPy's BLAS, from ``np.show_config``, and its threads."""
    config = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    text = f"{config['name']} {config.get('version', '')}".strip()
    try:
        from threadpoolctl import threadpool_info

        threads = [
            i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"
        ]
        if threads:
            text += f", {threads[0]} threads"
    except ImportError:
        pass
    return text


def print_machine():
    """The date and the machine, as the README's table records them."""
    print(f"date: {datetime.date.today().isoformat()}")
    print(f"machine: {os.cpu_count()} cores (nproc), {cpu_model()}")
    print(
        f"Python {platform.python_version()}, NumPy {np.__version__} "
        f"({blas()}), SciPy {scipy.__version__}, scikit-learn {sklearn.__version__}"
    )


def sgd_settings(hidden_layer_sizes, activation, epochs):
    """MLP's defaults with ``solver="sgd"`` and batches of 200 (Nesterov
    momentum 0.9, ``alpha=1e-4``, learning rate 0.001, shuffled batches), for
    exactly ``epochs`` epochs (``tol=0``, no early stop): parameters both
    estimators take."""
    return dict(
        hidden_layer_sizes=hidden_layer_sizes,
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

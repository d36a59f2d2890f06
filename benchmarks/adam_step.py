"""The compiled loop's Adam step: AVX-512 estimates against exact division.

``_fast._loop.adam_step`` is the fused step (L2 penalty and Adam's update in
one pass) that the compiled loop takes after each batch. On CPUs with AVX-512
it computes the square root and the quotient from the hardware's estimates
refined by Newton's steps; ``exact=True`` forces the exact loop that other
CPUs run. This prints, for the parameter counts of a default network on wine
(1,703), breast_cancer (3,201) and a larger one (20,000), the time a weight of
each (rotated rounds, medians; the Python call is included, about 1 us), then
how many weights of 2,000 random states (moments spread over 1e-20 to 1e20)
the two steps leave different::

    python benchmarks/adam_step.py
    python benchmarks/adam_step.py --quick
"""

import numpy as np
from _common import median, parse_args, print_machine, time_in_rotation

from sklearn_backprop._fast import _loop

BETA_1, BETA_2, EPSILON, STEP, DECAY = 0.9, 0.999, 1e-8, 1e-3, 3e-4


def stepper(n, exact, calls):
    """A function making ``calls`` steps over fresh moments of ``n``
    weights (gradients rotating among eight), as a batch after another."""
    rng = np.random.RandomState(0)
    params, m = rng.randn(n), rng.randn(n) * 1e-3
    v = rng.rand(n) * 1e-4 + 1e-6
    grads = [rng.randn(n) * 1e-2 for _ in range(8)]
    n_coefs = n - n // 20

    def run():
        for i in range(calls):
            _loop.adam_step(
                params, grads[i & 7], m, v, n_coefs, DECAY, BETA_1, BETA_2,
                EPSILON, STEP, exact,
            )  # fmt: skip

    return run


def differing_weights(n, states):
    """Weights that the AVX-512 step and the exact one leave different."""
    differ = 0
    for seed in range(states):
        rng = np.random.RandomState(seed)
        scale = 10.0 ** rng.uniform(-20, 20, size=(3, n))
        start = (rng.rand(n), rng.randn(n) * scale[0], rng.randn(n) * scale[1])
        start += (rng.rand(n) * scale[2] ** 2,)
        out = []
        for exact in (True, False):
            params, grad, m, v = (a.copy() for a in start)
            _loop.adam_step(
                params, grad, m, v, n - n // 20, DECAY, BETA_1, BETA_2, EPSILON,
                STEP, exact,
            )  # fmt: skip
            out.append(params)
        differ += int(np.sum(out[0] != out[1]))
    return differ


def main():
    args = parse_args(__doc__.splitlines()[0], repeats=7, quick_repeats=3)
    print_machine()
    calls = 100 if args.quick else 500
    print(f"{'weights':>8} {'exact ns':>9} {'AVX-512 ns':>11} {'exact/AVX-512':>14}")
    for n in (1703, 3201, 20000):
        times = time_in_rotation(
            {
                "exact": stepper(n, True, calls),
                "default": stepper(n, False, calls),
            },
            args.repeats,
        )
        exact = median(times["exact"]) / calls / n * 1e9
        default = median(times["default"]) / calls / n * 1e9
        print(f"{n:>8} {exact:>9.2f} {default:>11.2f} {exact / default:>14.2f}")
    states = 200 if args.quick else 2000
    print(
        f"weights left different over {states} random states of 1703: "
        f"{differing_weights(1703, states)} of {states * 1703}"
    )


if __name__ == "__main__":
    main()

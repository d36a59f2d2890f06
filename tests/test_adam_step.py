"""The compiled loop's fused Adam step against NumPy's arithmetic.

``_loop.adam_step`` is the step ``Trainer.train_epochs`` takes after each batch: the
L2 penalty's decay on the weights, their sum of squares, and Adam's update in
one pass. Its exact loop must equal ``Adam.step`` bit for bit; on CPUs with
AVX-512 the default version computes ``sqrt`` and the quotient from the
hardware's estimates refined by Newton's iterations, which must stay within
one ulp of the exact loop, and take the exact instructions wherever the
estimates would not hold (zeros, subnormals, overflows, NaN).
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sklearn_backprop._fast import _loop

BETA_1, BETA_2, EPSILON = 0.9, 0.999, 1e-8


def numpy_step(params, grad, m, v, n_coefs, decay, step):
    """The NumPy engine's order: ``Network._add_penalty`` then ``Adam.step``."""
    params, grad, m, v = (a.copy() for a in (params, grad, m, v))
    weights = params[:n_coefs]
    total = float(weights.dot(weights)) if decay else 0.0
    if decay:
        grad[:n_coefs] += weights * decay
    m *= BETA_1
    m += grad * (1 - BETA_1)
    v *= BETA_2
    v += np.square(grad) * (1 - BETA_2)
    params -= (m / (np.sqrt(v) + EPSILON)) * step
    return params, m, v, total


def compiled_step(params, grad, m, v, n_coefs, decay, step, exact):
    params, m, v = params.copy(), m.copy(), v.copy()
    total = _loop.adam_step(
        params, grad, m, v, n_coefs, decay, BETA_1, BETA_2, EPSILON, step, exact
    )
    return params, m, v, total


def state(n, seed, spread=0):
    """Parameters, gradient and moments of ``n`` numbers; ``spread`` orders
    of magnitude either side of 1 in the gradient and the moments."""
    rng = np.random.RandomState(seed)
    scale = 10.0 ** rng.uniform(-spread, spread, size=(3, n))
    params = rng.randn(n)
    grad = rng.randn(n) * scale[0]
    m = rng.randn(n) * scale[1]
    v = rng.rand(n) * scale[2] ** 2
    return params, grad, m, v


@pytest.mark.parametrize("n", [1, 7, 8, 9, 803, 1703])
@pytest.mark.parametrize("decay", [0.0, 3e-4])
def test_exact_loop_is_numpys_arithmetic(n, decay):
    params, grad, m, v = state(n, seed=n, spread=20)
    n_coefs = n - n // 10
    expected = numpy_step(params, grad, m, v, n_coefs, decay, step=1e-3)
    got = compiled_step(params, grad, m, v, n_coefs, decay, 1e-3, exact=True)
    for a, b in zip(expected[:3], got[:3], strict=True):
        np.testing.assert_array_equal(a, b)
    # The sum of squares in another order than BLAS's dot: a few ulps.
    np.testing.assert_allclose(got[3], expected[3], rtol=1e-14)


@pytest.mark.parametrize("spread", [0, 20, 150])
def test_default_step_within_one_ulp_of_the_exact_one(spread):
    params, grad, m, v = state(1703, seed=spread, spread=spread)
    exact = compiled_step(params, grad, m, v, 1500, 3e-4, 1e-3, exact=True)
    default = compiled_step(params, grad, m, v, 1500, 3e-4, 1e-3, exact=False)
    np.testing.assert_array_equal(default[1], exact[1])  # m, v: same operations
    np.testing.assert_array_equal(default[2], exact[2])
    np.testing.assert_array_max_ulp(default[0], exact[0], maxulp=1)
    # The weights' sum of squares in eight partial sums: a few ulps.
    np.testing.assert_allclose(default[3], exact[3], rtol=1e-14)


@pytest.mark.parametrize(
    "value",
    [0.0, 5e-324, 1e-310, 2.0**-1000, 1e300, np.inf, -np.inf, np.nan],
    ids=["0", "min-subnormal", "subnormal", "2^-1000", "1e300", "inf", "-inf", "nan"],
)
def test_edge_values_take_the_exact_instructions(value):
    # Each edge value in the gradient, the moments and the parameters of
    # one lane of a vector of eight, the other lanes ordinary.
    base = state(16, seed=1)
    for which in range(4):
        arrays_ = [a.copy() for a in base]
        arrays_[which][3] = value
        if which == 3:
            arrays_[3][3] = abs(value)  # the second moment is never negative
        with np.errstate(all="ignore"):
            exact = compiled_step(*arrays_, 12, 3e-4, 1e-3, exact=True)
            default = compiled_step(*arrays_, 12, 3e-4, 1e-3, exact=False)
        for a, b in zip(default[:3], exact[:3], strict=True):
            np.testing.assert_array_equal(np.isfinite(a), np.isfinite(b))
            finite = np.isfinite(a)
            np.testing.assert_array_max_ulp(a[finite], b[finite], maxulp=1)
            np.testing.assert_array_equal(np.isnan(a), np.isnan(b))


finite = st.floats(allow_nan=False, allow_infinity=False, width=64)


@settings(max_examples=60, derandomize=True, deadline=None)
@given(
    grad=arrays(np.float64, 24, elements=finite),
    m=arrays(np.float64, 24, elements=finite),
    v=arrays(np.float64, 24, elements=st.floats(0, 1e308, width=64)),
    step=st.floats(1e-6, 1.0),
)
def test_default_step_within_one_ulp_for_any_finite_state(grad, m, v, step):
    params = np.linspace(-1, 1, 24)
    with np.errstate(all="ignore"):
        exact = compiled_step(params, grad, m, v, 20, 0.0, step, exact=True)
        default = compiled_step(params, grad, m, v, 20, 0.0, step, exact=False)
    a, b = default[0], exact[0]
    np.testing.assert_array_equal(np.isfinite(a), np.isfinite(b))
    np.testing.assert_array_max_ulp(a[np.isfinite(a)], b[np.isfinite(b)], maxulp=1)

"""BLAS threads chosen by the size of the products a fit or a predict makes.

A small matrix product gains nothing from a second thread, and on a machine
whose cores are busy it loses everything: OpenBLAS's threads wait for a core
between products, which once made a default digits fit take 22 times its
single-threaded time. So a fit or predict whose largest product is small runs
its BLAS calls on one thread, and so does any fit or predict while the load
average says the other cores are taken; otherwise a larger product keeps
whatever the process allows.
Only ever lowering the count respects a user's own limits (``threadpoolctl``
contexts, ``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS``): they stay in force,
and the previous count comes back when the fit or predict returns.

Entering a limit costs about 7 us with a cached ``ThreadpoolController`` and
0.3 ms without (``threadpool_limits`` inspects the loaded libraries on every
call), so the controller is made once, at the first limited call.
"""

import functools
import os
import threading
from itertools import pairwise

from threadpoolctl import ThreadpoolController

# OpenBLAS computes a product of fewer multiply-adds than this on one thread
# anyway (its SMP_THRESHOLD_MIN * GEMM_MULTITHREAD_THRESHOLD): no limit needed.
BLAS_SINGLE_THREADED_BELOW = 2**18

# Products below this many multiply-adds run on one thread. Measured here
# (2 cores): a 200x64 @ 64x64 product (0.8e6) takes the same time on one
# thread as on two; 200x100 @ 100x100 (2e6) is 1.3x faster on two threads on
# an idle machine, and under load two threads lose on every size.
ONE_THREAD_BELOW = 2**21


def machine_is_busy():
    """Whether other processes keep every core but one busy (the one-minute
    load average, which counts this process too, against the cores): then a
    second BLAS thread only waits for a core, whatever the product. Measured
    at load 7 on 2 cores: two threads 1.2x to 4x slower than one on products
    of 1e7 to 2e8 multiply-adds."""
    try:
        return os.getloadavg()[0] > (os.cpu_count() or 1) - 0.5
    except (AttributeError, OSError):  # no load average (Windows)
        return False


_controller = None
_lock = threading.Lock()
_depth = 0
_limiter = None


def _blas():
    global _controller
    if _controller is None:
        _controller = ThreadpoolController().select(user_api="blas")
    return _controller


def largest_product(layer_units, n_rows):
    """Multiply-adds of the largest product of ``n_rows`` rows through a
    network of ``layer_units``."""
    return n_rows * max(a * b for a, b in pairwise(layer_units))


def _acquire():
    """Lower every BLAS library to one thread, counted: concurrent calls
    share one limit, and the last to leave restores the previous counts."""
    global _depth, _limiter
    with _lock:
        if _depth == 0:
            blas = _blas()
            if any(lib.num_threads > 1 for lib in blas.lib_controllers):
                _limiter = blas.limit(limits=1)
        _depth += 1


def _release():
    global _depth, _limiter
    with _lock:
        _depth -= 1
        if _depth == 0 and _limiter is not None:
            _limiter.restore_original_limits()
            _limiter = None


def sized_by(shape):
    """Decorate a fit or predict function: ``shape(*args, **kwargs)`` gives
    ``(layer_units, rows per product)``, and the call runs on one BLAS thread
    when its largest product is small (see ``ONE_THREAD_BELOW``) or the
    machine is busy."""

    def decorate(function):
        @functools.wraps(function)
        def limited(*args, **kwargs):
            work = largest_product(*shape(*args, **kwargs))
            if work < BLAS_SINGLE_THREADED_BELOW or (
                work >= ONE_THREAD_BELOW and not machine_is_busy()
            ):
                return function(*args, **kwargs)
            _acquire()
            try:
                return function(*args, **kwargs)
            finally:
                _release()

        return limited

    return decorate

"""BLAS threads: one for small products, the user's own limits respected."""

import threading

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from sklearn_backprop import BackpropClassifier, _threads


def blas_threads():
    return max(
        lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"
    )


@pytest.fixture
def two_threads(monkeypatch):
    """Two BLAS threads at least, as the user's starting point, on a machine
    that looks idle."""
    monkeypatch.setattr(_threads, "machine_is_busy", lambda: False)
    with threadpool_limits(2, user_api="blas"):
        if blas_threads() < 2:
            pytest.skip("this BLAS runs one thread")
        yield


def recorded(layer_units, n_rows):
    """The BLAS threads seen inside a call limited for this shape."""
    seen = []
    limited = _threads.sized_by(lambda: (layer_units, n_rows))(
        lambda: seen.append(blas_threads())
    )
    limited()
    return seen[0]


def test_small_products_run_on_one_thread(two_threads):
    # digits' 64-64-10 network in batches of 200: 819200 multiply-adds
    assert recorded((64, 64, 10), 200) == 1
    assert blas_threads() == 2  # restored on return


def test_large_products_keep_the_users_threads(two_threads):
    assert recorded((100, 256, 256, 5), 200) == 2
    # products OpenBLAS runs on one thread anyway are not limited either
    assert recorded((3, 4, 1), 4) == 2


def test_a_busy_machine_runs_large_products_on_one_thread(two_threads, monkeypatch):
    monkeypatch.setattr(_threads, "machine_is_busy", lambda: True)
    assert recorded((100, 256, 256, 5), 200) == 1
    assert blas_threads() == 2


def test_busy_means_the_other_cores_are_taken(monkeypatch):
    monkeypatch.setattr(_threads.os, "cpu_count", lambda: 2)
    for load, busy in ((0.2, False), (1.0, False), (1.6, True), (9.0, True)):
        monkeypatch.setattr(_threads.os, "getloadavg", lambda load=load: (load,) * 3)
        assert _threads.machine_is_busy() is busy


def test_a_users_limit_is_kept():
    with threadpool_limits(1, user_api="blas"):
        assert recorded((100, 256, 256, 5), 200) == 1
        assert recorded((64, 64, 10), 200) == 1
        assert blas_threads() == 1


def test_limit_restored_after_an_error(two_threads):
    def fail():
        raise KeyError

    with pytest.raises(KeyError):
        _threads.sized_by(lambda: ((64, 64, 10), 200))(fail)()
    assert blas_threads() == 2


def test_concurrent_calls_restore_the_users_threads(two_threads):
    # Overlapping limited calls from several threads share one limit; the
    # last to leave restores the count, whatever order they leave in.
    barrier = threading.Barrier(4)
    limited = _threads.sized_by(lambda: ((64, 64, 10), 200))(barrier.wait)
    workers = [threading.Thread(target=limited) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert blas_threads() == 2


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_fit_and_predict_run_limited(two_threads, monkeypatch):
    seen = []
    original = _threads._acquire

    def spy():
        original()
        seen.append(blas_threads())

    monkeypatch.setattr(_threads, "_acquire", spy)
    X = np.random.RandomState(0).rand(300, 64)
    y = np.arange(300) % 3
    # Batches of 200 rows: products large enough for the NumPy engine (the
    # default batches of 32 rows would train in the compiled loop), and small
    # enough for one thread (spline features would widen them past that).
    model = BackpropClassifier(
        (64,), max_iter=2, batch_size=200, spline_knots=None
    ).fit(X, y)
    # the saturation diagnostic before the training loop, the loop, and the
    # diagnostic after it (300 x 64 x 64)
    assert seen == [1, 1, 1]
    model.predict(X)
    assert seen == [1, 1, 1, 1]
    assert blas_threads() == 2

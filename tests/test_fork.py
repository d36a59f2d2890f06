"""Forking while fits run in threads: the child inherits no generator lock
held by a thread it does not have (it hung, 1 fork in 40)."""

import os
import threading

import numpy as np
import pytest

from sklearn_backprop import BackpropClassifier, _fast

pytestmark = pytest.mark.skipif(
    not hasattr(os, "register_at_fork"), reason="no fork on this platform"
)


def fork_while_held(lock):
    """Fork while another thread holds ``lock``; return whether the child
    could take it (within 10 s, where it would otherwise wait forever)."""
    taken, release = threading.Event(), threading.Event()

    def holder():
        with lock:
            taken.set()
            release.wait(10)

    thread = threading.Thread(target=holder)
    thread.start()
    taken.wait(10)
    # The fork handler waits for the lock: let the holder go a moment later.
    threading.Timer(0.2, release.set).start()
    pid = os.fork()
    if pid == 0:
        os._exit(0 if lock.acquire(timeout=10) else 1)
    _, status = os.waitpid(pid, 0)
    thread.join()
    return os.waitstatus_to_exitcode(status) == 0


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # (fork with threads)
def test_the_global_generators_lock_is_free_in_the_child():
    # random_state=None: every fit in every thread draws from this generator.
    assert fork_while_held(np.random.mtrand._rand._bit_generator.lock)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_generator_the_kernel_drew_from_is_free_in_the_child():
    random_state = np.random.RandomState(0)
    X = np.random.RandomState(1).randn(40, 3)
    with _fast.engine("compiled"):
        clf = BackpropClassifier(
            (3,), max_iter=2, batch_size=10, random_state=random_state
        )
        clf.fit(X, X[:, 0] > 0)
    assert fork_while_held(random_state._bit_generator.lock)

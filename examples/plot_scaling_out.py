"""
Scaling out with Dask
=====================

`Dask <https://www.dask.org>`_ runs Python work on a cluster, from the cores
of one machine to many machines. Three ways to use it with our estimators:

* a **grid search** whose fits run on the cluster, through joblib's ``dask``
  backend: the search code does not change;
* **incremental learning** on a data set larger than memory, one block at a
  time through ``partial_fit``, with dask-ml's ``Incremental``;
* **prediction** block by block on a dask array, with dask-ml's
  ``ParallelPostFit``.

Here the "cluster" is a :class:`distributed.LocalCluster` in this process; a
real one is a ``Client("scheduler-address:8786")`` away, and the rest of the
code stays the same. Install the extra from the root of a clone of the
repository with ``pip install ".[dask]"``.
"""

# %%
# A local cluster
# ---------------
# One worker with two threads (the machine that builds these pages has two
# cores). ``processes=False`` keeps the worker in this process, which starts
# fast; with processes, the models travel between them pickled.
import warnings

import numpy as np
from distributed import Client, LocalCluster
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning

from sklearn_backprop import BackpropClassifier

cluster = LocalCluster(
    n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
)
client = Client(cluster)

X, y = make_classification(
    n_samples=4000, n_features=20, n_informative=8, n_classes=3, random_state=0
)

# %%
# A grid search on the cluster
# ----------------------------
# Under ``joblib.parallel_config(backend="dask")``, every ``n_jobs=-1`` fit of
# scikit-learn goes to the cluster's workers. The results are those of a
# local search: each fit is seeded.
import joblib
from sklearn.model_selection import GridSearchCV

search = GridSearchCV(
    BackpropClassifier(max_iter=30, random_state=0),
    {"hidden_layer_sizes": [(10,), (30,)], "alpha": [1e-4, 1e-1]},
    cv=3,
    n_jobs=-1,
)
with joblib.parallel_config(backend="dask"), warnings.catch_warnings():
    # 30 epochs each, on purpose: a quick search.
    warnings.simplefilter("ignore", ConvergenceWarning)
    search.fit(X, y)
print("best:", search.best_params_, f"accuracy {search.best_score_:.3f}")

# %%
# Streaming blocks through ``partial_fit``
# ----------------------------------------
# A dask array of 8 blocks of 500 rows stands for data that does not fit in
# memory. ``Incremental`` calls ``partial_fit`` once per block, in a random
# order (``shuffle_blocks``), passing ``classes=`` every time; one pass over
# the blocks is one ``fit``. Calling ``partial_fit`` on the wrapper runs
# another pass, continuing from the fitted network.
import dask.array as da
import matplotlib.pyplot as plt
from dask_ml.wrappers import Incremental

X_blocks = da.from_array(X, chunks=500)
y_blocks = da.from_array(y, chunks=500)
incremental = Incremental(
    BackpropClassifier(hidden_layer_sizes=(30,), random_state=0), random_state=0
)
incremental.fit(X_blocks, y_blocks, classes=np.unique(y))
accuracy = [incremental.score(X_blocks, y_blocks)]
for _ in range(9):
    incremental.partial_fit(X_blocks, y_blocks, classes=np.unique(y))
    accuracy.append(incremental.score(X_blocks, y_blocks))

streamed = incremental.estimator_
print(f"{streamed.n_iter_} partial_fit calls, accuracy {accuracy[-1]:.3f}")

fig, (ax_loss, ax_score) = plt.subplots(1, 2, figsize=(9, 3.5))
ax_loss.plot(np.arange(1, streamed.n_iter_ + 1), streamed.loss_curve_)
ax_loss.set(xlabel="partial_fit call (one block each)", ylabel="training loss")
ax_score.plot(np.arange(1, len(accuracy) + 1), accuracy, marker="o")
ax_score.set(xlabel="pass over the blocks", ylabel="accuracy on all blocks")
fig.suptitle("Incremental learning, block by block")
fig.tight_layout()

# %%
# Predicting block by block
# -------------------------
# ``ParallelPostFit`` fits like the estimator it wraps (on data in memory)
# and predicts a dask array lazily, one task per block, on the workers.
from dask_ml.wrappers import ParallelPostFit

model = ParallelPostFit(BackpropClassifier(hidden_layer_sizes=(30,), random_state=0))
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    model.fit(X[:1000], y[:1000])
predicted = model.predict(X_blocks)
print(predicted)  # lazy: nothing computed yet
same = np.array_equal(predicted.compute(), model.estimator.predict(X))
print("same labels as predict in memory:", same)

# %%
# Close the cluster when done.
client.close()
cluster.close()

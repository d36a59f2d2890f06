"""
Deploying a model: ONNX and skops
=================================

Two ways to take a fitted model out of the Python session that trained it.

* **ONNX** turns the model into a graph of standard operators that
  `onnxruntime <https://onnxruntime.ai>`_ runs from C, C++, C#, Java,
  JavaScript or Python, without scikit-learn.
  `skl2onnx <https://onnx.ai/sklearn-onnx/>`_ converts our two estimators,
  alone or inside a pipeline, once the ``onnx`` extra is installed.
* **skops** saves the model itself in a format that, unlike pickle, does not
  run arbitrary code when loaded: you say which types you trust.

Both need optional packages, installed from the root of a clone of the
repository: ``pip install ".[onnx]" skops``.
"""

# %%
# A model to deploy
# -----------------
# A regressor in a pipeline, on targets in the hundreds: the estimator scales
# the targets for training and maps its predictions back, and the exported
# graph must do the same.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_backprop import BackpropRegressor

X, y = load_diabetes(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
model = make_pipeline(
    StandardScaler(),
    BackpropRegressor(hidden_layer_sizes=(10,), early_stopping=True, random_state=0),
)
model.fit(X_train, y_train)
print(f"R^2 on the test set: {model.score(X_test, y_test):.3f}")

# %%
# Export to ONNX
# --------------
# ``to_onnx`` reads the input's type and width from one row. ONNX runtimes
# are mostly used with float32 inputs; the network still computes in the
# precision it was fitted in (float64 here), as ``predict`` does. No import
# of ours is needed: sklearn_backprop registers its converters with skl2onnx
# as soon as skl2onnx is imported.
import onnxruntime
import skl2onnx

X_test32 = X_test.astype(np.float32)
onx = skl2onnx.to_onnx(model, X_test32[:1])
print("operators:", [node.op_type for node in onx.graph.node])
print("inputs:", [i.name for i in onx.graph.input])
print("outputs:", [o.name for o in onx.graph.output])

# %%
# Run it with onnxruntime
# -----------------------
# The session needs only the serialized graph: ``onx.SerializeToString()`` is
# what you would write to a ``.onnx`` file and ship.
session = onnxruntime.InferenceSession(
    onx.SerializeToString(), providers=["CPUExecutionProvider"]
)
(onnx_prediction,) = session.run(None, {"X": X_test32})
prediction = model.predict(X_test32)
relative_error = np.abs(onnx_prediction.ravel() - prediction) / np.abs(prediction)
print(f"largest relative difference from predict: {relative_error.max():.1e}")

fig, ax = plt.subplots(figsize=(4.5, 4.5))
ax.scatter(prediction, onnx_prediction.ravel(), s=12)
ax.axline((100, 100), slope=1, color="grey", linewidth=0.8)
ax.set(
    xlabel="model.predict (scikit-learn)",
    ylabel="onnxruntime",
    title="The exported graph predicts the same",
)
fig.tight_layout()

# %%
# A classifier gives labels and probabilities. skl2onnx wraps the
# probabilities in a list of ``{label: probability}`` dictionaries (a
# ``ZipMap``) unless told not to; ``options={"zipmap": False}`` keeps the
# ``(n_samples, n_classes)`` array of ``predict_proba``.
from sklearn.datasets import load_iris

from sklearn_backprop import BackpropClassifier

X_iris, y_iris = load_iris(return_X_y=True, as_frame=False)
names = np.array(["setosa", "versicolor", "virginica"])[y_iris]
classifier = make_pipeline(StandardScaler(), BackpropClassifier(solver="lbfgs"))
classifier.fit(X_iris, names)
X_iris32 = X_iris.astype(np.float32)
onx = skl2onnx.to_onnx(classifier, X_iris32[:1], options={"zipmap": False})
session = onnxruntime.InferenceSession(
    onx.SerializeToString(), providers=["CPUExecutionProvider"]
)
labels, probabilities = session.run(None, {"X": X_iris32})
print(
    "labels:",
    labels[:3],
    "same as predict:",
    (labels == classifier.predict(X_iris32)).all(),
)
print("probabilities of the first row:", probabilities[0].round(4))

# %%
# Save and load with skops
# ------------------------
# ``skops.io.load`` refuses any type it does not know to be safe. List them
# with ``get_untrusted_types``, check that they are the ones you expect (here
# our package's), and pass them as ``trusted``.
import os
import tempfile

import skops.io as sio

path = os.path.join(tempfile.mkdtemp(), "model.skops")
sio.dump(model, path)
untrusted = sio.get_untrusted_types(file=path)
print("types to trust:", *untrusted, sep="\n  ")
assert all(name.startswith("sklearn_backprop.") for name in untrusted)
loaded = sio.load(path, trusted=untrusted)
print(
    "same predictions after loading:",
    np.array_equal(loaded.predict(X_test), model.predict(X_test)),
)

"""200000x100 -> 256-256-5, sgd, float32: an epoch on the GPU through the array
API, against MLP on the CPU and an eager PyTorch loop of the same network.

Our classifier is fed PyTorch tensors with ``array_api_dispatch=True``, so the
array API engine trains on the tensors' device. The same network (logistic
units, softmax output, Nesterov momentum 0.9, learning rate 0.001, shuffled
batches) is timed for one epoch at batch 200 (where launching kernels costs
more than the arithmetic) and 4096, against:

- MLP: scikit-learn's ``MLPClassifier`` on the machine's CPU, NumPy arrays;
- ours on NumPy: the NumPy engine on the CPU, the same data;
- eager PyTorch: a hand-written ``torch.nn`` loop of the same network on the
  same device (``torch.optim.SGD``, ``CrossEntropyLoss``), what a PyTorch user
  would write.

Without a CUDA GPU the script says so and times PyTorch on the CPU instead,
which measures the engine's overhead, not a GPU. Needs ``torch``::

    python benchmarks/gpu.py           # 200000 rows, 3 rounds
    python benchmarks/gpu.py --quick   # 20000 rows, 1 round
"""

import os

# scikit-learn's array API dispatch needs SciPy's, set before SciPy's import.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import warnings  # noqa: E402

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from _common import (  # noqa: E402
    median,
    median_ratio,
    parse_args,
    print_machine,
    sgd_settings,
    time_in_rotation,
)
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402

from sklearn_backprop import BackpropClassifier  # noqa: E402

N_FEATURES, HIDDEN, N_CLASSES, BATCHES = 100, (256, 256), 5, (200, 4096)


def settings(batch_size):
    """One epoch of MLP's sgd defaults (see ``_common.sgd_settings``)."""
    return {**sgd_settings(HIDDEN, "logistic", 1), "batch_size": batch_size}


def eager_torch_epoch(torch, X, y, batch_size):
    """One epoch of the same network in plain eager PyTorch."""
    torch.manual_seed(0)
    layers, fan_in = [], N_FEATURES
    for units in HIDDEN:
        layers += [torch.nn.Linear(fan_in, units), torch.nn.Sigmoid()]
        fan_in = units
    layers.append(torch.nn.Linear(fan_in, N_CLASSES))
    model = torch.nn.Sequential(*layers).to(device=X.device, dtype=X.dtype)
    optimizer = torch.optim.SGD(
        model.parameters(), lr=0.001, momentum=0.9, nesterov=True, weight_decay=1e-4
    )
    loss_function = torch.nn.CrossEntropyLoss()
    order = torch.randperm(X.shape[0], device=X.device)
    total = torch.zeros((), device=X.device)
    for start in range(0, X.shape[0], batch_size):
        rows = order[start : start + batch_size]
        optimizer.zero_grad()
        loss = loss_function(model(X[rows]), y[rows])
        loss.backward()
        optimizer.step()
        total += loss.detach() * rows.shape[0]
    return float(total) / X.shape[0]  # the loss, read once an epoch as ours


def main():
    args = parse_args(__doc__.splitlines()[0], repeats=3, quick_repeats=1)
    try:
        import torch
    except ImportError as error:
        message = "benchmarks/gpu.py needs PyTorch: pip install torch"
        raise SystemExit(message) from error
    n_samples = 20000 if args.quick else 200000
    if torch.cuda.is_available():
        device = "cuda"
        where = f"GPU: {torch.cuda.get_device_name(0)}"
    else:
        device = "cpu"
        where = (
            "no CUDA GPU here: PyTorch is timed on the CPU "
            f"({torch.get_num_threads()} threads), not a GPU"
        )
    print_machine()
    print(f"PyTorch {torch.__version__}; {where}")
    print(f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', 'unset')}")
    print(f"problem: {n_samples}x{N_FEATURES} -> 256-256-{N_CLASSES}, float32")
    X, y = make_classification(
        n_samples=n_samples,
        n_features=N_FEATURES,
        n_informative=50,
        n_classes=N_CLASSES,
        random_state=0,
    )
    X = X.astype(np.float32)
    X_device = torch.asarray(X, device=device)
    y_device = torch.asarray(y, device=device)

    def synchronized(function):
        def run():
            result = function()
            if device == "cuda":
                torch.cuda.synchronize()
            return result

        return run

    for batch_size in BATCHES:
        params = settings(batch_size)

        def ours_device(params=params):
            with sklearn.config_context(array_api_dispatch=True):
                BackpropClassifier(**params).fit(X_device, y_device)

        contenders = {
            "MLP (CPU)": lambda params=params: MLPClassifier(**params).fit(X, y),
            "ours, NumPy (CPU)": lambda params=params: BackpropClassifier(**params).fit(
                X, y
            ),
            f"ours, torch ({device})": synchronized(ours_device),
            f"eager torch ({device})": synchronized(
                lambda b=batch_size: eager_torch_epoch(torch, X_device, y_device, b)
            ),
        }
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            times = time_in_rotation(contenders, args.repeats)
        print(f"\nbatch {batch_size}: seconds per epoch (median of {args.repeats})")
        mlp = times["MLP (CPU)"]
        eager = times[f"eager torch ({device})"]
        for name, seconds in times.items():
            print(
                f"  {name:<22} {median(seconds):8.3f} s"
                f"   MLP / this {median_ratio(mlp, seconds):6.2f}"
                f"   this / eager torch {median_ratio(seconds, eager):6.2f}"
            )


if __name__ == "__main__":
    main()

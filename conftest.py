"""Doctest collection: skip the modules of extras that are not installed."""

import importlib.util

collect_ignore = []
if importlib.util.find_spec("skl2onnx") is None:
    # sklearn_backprop.onnx needs the `onnx` extra; tests/test_onnx.py skips.
    collect_ignore.append("sklearn_backprop/onnx.py")

"""Every Python block of the README runs as pasted, without a warning, and
prints what the README says it prints."""

import contextlib
import io
import re
import warnings
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
# A fenced block: its language and its text.
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.M | re.S)
# Modules a README block may import after `pip install .`; a block needing any
# other (an optional extra) is skipped where that module is missing.
INSTALLED_WITH_THE_PACKAGE = {"numpy", "scipy", "sklearn", "sklearn_backprop"}


def python_blocks():
    """Each ```python block, with the ```text block after it if the next
    block is one (what the block prints). Shell blocks are left out."""
    text = README.read_text(encoding="utf-8")
    fences = list(FENCE.finditer(text))
    blocks = []
    for match, following in zip(fences, fences[1:] + [None], strict=True):
        if match.group(1) != "python":
            continue
        printed = None
        if following is not None and following.group(1) == "text":
            printed = following.group(2)
        line = text.count("\n", 0, match.start()) + 1
        blocks.append(pytest.param(match.group(2), printed, id=f"README.md:{line}"))
    return blocks


def test_readme_has_python_blocks():
    assert len(python_blocks()) >= 2


@pytest.mark.parametrize("code, printed", python_blocks())
def test_readme_block_runs_as_pasted(code, printed):
    stdout = io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stdout(stdout):
        # A reader sees every warning: none may come out of a README block.
        warnings.simplefilter("error")
        try:
            # A fresh namespace: the block defines everything it uses.
            exec(compile(code, str(README), "exec"), {"__name__": "__main__"})
        except ModuleNotFoundError as error:
            if error.name.split(".")[0] in INSTALLED_WITH_THE_PACKAGE:
                raise
            pytest.skip(f"needs the optional {error.name}")
    if printed is not None:
        assert stdout.getvalue() == printed

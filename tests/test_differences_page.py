"""docs/differences.rst keeps up with the code: every default that differs
from MLP's, and every parameter MLP does not have, is on the page, with
MLP's value where there is one."""

import ast
import contextlib
import re
import textwrap
from pathlib import Path

import pytest
from sklearn.neural_network import MLPClassifier, MLPRegressor

from sklearn_backprop import BackpropClassifier, BackpropRegressor

PAGE = Path(__file__).resolve().parents[1] / "docs" / "differences.rst"
PAIRS = [(BackpropClassifier, MLPClassifier), (BackpropRegressor, MLPRegressor)]


def section(title):
    """The text of the page's section ``title``, up to the next title."""
    text = PAGE.read_text(encoding="utf-8")
    match = re.search(
        rf"^{re.escape(title)}\n-+\n(.*?)(?=^\S[^\n]*\n-+\n|\Z)", text, re.M | re.S
    )
    assert match, f"no section {title!r} in {PAGE.name}"
    return match.group(1)


def conversion_keywords():
    """The literal keyword arguments of the call in the section's code block
    (what to pass to get MLP's settings)."""
    code = section("Converting at a glance").split(".. code-block:: python")[1]
    code = textwrap.dedent(code.split("\n\n")[1])
    (call,) = [
        node for node in ast.walk(ast.parse(code)) if isinstance(node, ast.Call)
    ][:1]
    keywords = {}
    for keyword in call.keywords:
        with contextlib.suppress(ValueError):  # (min(200, n_samples) is no literal)
            keywords[keyword.arg] = ast.literal_eval(keyword.value)
    return keywords


@pytest.mark.parametrize("ours, mlp", PAIRS, ids=lambda cls: cls.__name__)
def test_every_changed_default_is_converted(ours, mlp):
    glance = section("Converting at a glance")
    keywords = conversion_keywords()
    ours_params, mlp_params = ours().get_params(), mlp().get_params()
    for name in sorted(set(ours_params) & set(mlp_params)):
        if ours_params[name] != mlp_params[name]:
            # In the table, and MLP's value in the call that converts.
            assert f"``{name}``" in glance, name
            assert keywords.get(name) == mlp_params[name], name


@pytest.mark.parametrize("ours, mlp", PAIRS, ids=lambda cls: cls.__name__)
def test_every_parameter_mlp_lacks_is_listed(ours, mlp):
    text = PAGE.read_text(encoding="utf-8")
    for name in sorted(set(ours().get_params()) - set(mlp().get_params())):
        # (as ``name`` or ``name=value``)
        assert f"``{name}``" in text or f"``{name}=" in text, name


def test_alpha_has_its_own_section():
    assert "0.5 * alpha * ||coefs||^2" in section("The meaning of ``alpha``")

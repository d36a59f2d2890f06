"""The notebook HTML repr documents our parameters as scikit-learn's own do,
with links into a copy of the documentation only where one is hosted."""

import html
import inspect
import re

import numpy as np
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_backprop import BackpropClassifier, BackpropRegressor

# Where a user hosts the built pages (scikit-learn's repr shows a parameter's
# description in the tooltip of its link, so only with a link).
DOCS_URL = "https://docs.example.org/sklearn-backprop"


@pytest.fixture(autouse=True)
def hosted_docs(monkeypatch):
    monkeypatch.setenv("SKLEARN_BACKPROP_DOCS_URL", DOCS_URL + "/")


DESCRIPTION = re.compile(
    r'<span class="param-doc-description"[^>]*>\s*(.*?)</span>', re.DOTALL
)


def _described_parameters(page):
    """``{name: description}`` of each parameter (or fitted attribute) the
    repr documents."""
    described = {}
    for text in DESCRIPTION.findall(page):
        name, _, rest = html.unescape(text).partition(": ")
        described[name.strip()] = rest
    return described


def _first_description_line(cls, name):
    """The first line of the docstring's description of parameter ``name``."""
    lines = inspect.getdoc(cls).splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{name} : "))
    return lines[start + 1].strip()


@pytest.mark.parametrize("cls", [BackpropClassifier, BackpropRegressor])
def test_every_parameter_is_described_and_linked(cls):
    estimator = cls(alpha=0.1)
    page = estimator._repr_html_()
    described = _described_parameters(page)
    assert set(described) == set(estimator.get_params())
    for name, description in described.items():
        assert _first_description_line(cls, name) in description, name
    link = f"{DOCS_URL}/generated/sklearn_backprop.{cls.__name__}.html"
    assert estimator._get_doc_link() == link
    assert f'href="{estimator._get_doc_link()}#:~:text=alpha' in page


def test_regressor_only_parameter_is_described():
    described = _described_parameters(BackpropRegressor()._repr_html_())
    assert "Train on standardised targets" in described["scale_target"]


def test_parameters_described_inside_a_pipeline():
    page = make_pipeline(StandardScaler(), BackpropClassifier())._repr_html_()
    described = _described_parameters(page)
    assert "class_weight" in described
    assert "Weights of the classes" in described["class_weight"]


@pytest.mark.parametrize("cls", [BackpropClassifier, BackpropRegressor])
def test_every_fitted_attribute_is_described(cls):
    X = np.random.default_rng(0).normal(size=(30, 3))
    y = (X[:, 0] > 0).astype(int)
    estimator = cls(hidden_layer_sizes=(3,), solver="lbfgs", max_iter=200)
    page = estimator.fit(X, y)._repr_html_()
    fitted_table = page[page.index("Fitted attributes") :]
    described = _described_parameters(fitted_table)
    public = {
        name
        for name, _ in inspect.getmembers(estimator)
        if name.endswith("_") and not name.startswith("_")
    }
    assert "coefs_" in public
    assert set(described) == public


@pytest.mark.parametrize("cls", [BackpropClassifier, BackpropRegressor])
def test_no_link_without_a_hosted_copy(cls, monkeypatch):
    # There is no official host: a link would lead to a page that does not
    # exist.
    monkeypatch.delenv("SKLEARN_BACKPROP_DOCS_URL")
    estimator = cls()
    assert estimator._get_doc_link() == ""
    page = make_pipeline(StandardScaler(), estimator)._repr_html_()
    # (scikit-learn's own steps keep their links to scikit-learn's pages)
    links = re.findall(r'href="([^"]*)"', page)
    assert any("sklearn.preprocessing.StandardScaler" in link for link in links)
    assert not [link for link in links if "backprop" in link.lower()]
    # The repr itself is still there, parameters and all.
    assert "hidden_layer_sizes" in page

"""Sphinx configuration of the sklearn-backprop documentation.

Build with ``make -C docs html`` after ``pip install ".[docs]"``; the pages
land in ``docs/_build/html``. Warnings are errors (see the Makefile).
"""

import os
import re
import sys
from datetime import date

import sklearn_backprop

# The gallery's sort key lives beside this file.
sys.path.insert(0, os.path.abspath("sphinxext"))

project = "sklearn-backprop"
author = "The sklearn-backprop developers"
copyright = f"{date.today().year}, {author}"
release = sklearn_backprop.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    # Only to include the repository's CHANGELOG.md in the changelog page.
    "myst_parser",
]

# Pages are reStructuredText; Markdown comes in through `.. include::` only.
source_suffix = {".rst": "restructuredtext"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]

# -- API reference ---------------------------------------------------------
autosummary_generate = True
autodoc_default_options = {"members": True}
# numpydoc renders the Parameters/Attributes sections; the class template
# lists the methods, so numpydoc adds no second table of members.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
# Link `ndarray`, `array-like` and the like in parameter types as plain text.
numpydoc_xref_param_type = False

# -- Example gallery -------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "within_subsection_order": "gallery_order.ExampleOrder",
    # "Examples using ..." on each API page, and links from the examples'
    # code to the API reference.
    "doc_module": ("sklearn_backprop",),
    "backreferences_dir": "generated/backreferences",
    "reference_url": {"sklearn_backprop": None},
    "remove_config_comments": True,
    "show_memory": False,
}

# -- HTML ------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"sklearn-backprop {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
}
# Every page is written here; nothing to copy as static files.
html_static_path = []


# -- Docstrings ------------------------------------------------------------
# In reStructuredText a word ending in "_" is a link: a shape written
# "(n_features_in_,)" in a docstring's type would be a broken one. Quote such
# names as literals before numpydoc reads the docstring.
_SHAPE_NAME = re.compile(r"\((\w+_),\)")


def _quote_shape_names(app, what, name, obj, options, lines):
    lines[:] = [_SHAPE_NAME.sub(r"(``\1``,)", line) for line in lines]


def _skip_request_methods(app, what, name, obj, skip, options):
    # scikit-learn generates set_fit_request & co. on each estimator class;
    # their docstrings link into scikit-learn's own documentation. The class
    # template lists them by name instead.
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def setup(app):
    # Priority below numpydoc's (500): run before it parses the sections.
    app.connect("autodoc-process-docstring", _quote_shape_names, priority=400)
    app.connect("autodoc-skip-member", _skip_request_methods)

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
    # MathJax shipped with the pages (into _static/mathjax), not from a CDN:
    # the formulas render without network access.
    "sphinx-mathjax-offline",
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
    "remove_config_comments": True,
    "show_memory": False,
    # The timing pages load jQuery and DataTables from CDNs, and tell a reader
    # nothing: the pages stay offline without them.
    "write_computation_times": False,
}

# -- HTML ------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"sklearn-backprop {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
}
# custom.css: sidebars and code font sized so that 88-column code fits at
# 1280 px.
html_static_path = ["_static"]
html_css_files = ["custom.css"]


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


def _hide_empty_section_nav(app, pagename, templatename, context, doctree):
    # The primary sidebar lists the pages under the current top-level page.
    # A top-level page without pages under it (the user guide, ...) would show
    # an empty "Section Navigation" box: give it no primary sidebar.
    includes = app.env.toctree_includes
    parent = {child: doc for doc, children in includes.items() for child in children}
    top = pagename
    while parent.get(top, app.config.root_doc) != app.config.root_doc:
        top = parent[top]
    if not includes.get(top):
        context["sidebars"] = []


def setup(app):
    app.connect("html-page-context", _hide_empty_section_nav)
    # Priority below numpydoc's (500): run before it parses the sections.
    app.connect("autodoc-process-docstring", _quote_shape_names, priority=400)
    app.connect("autodoc-skip-member", _skip_request_methods)

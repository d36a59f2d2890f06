"""The built documentation shows what it means to.

- Formulas use only macros that MathJax renders as it is configured (no
  ``textmacros`` extension): ``\\texttt{...}`` and the like would show as raw
  text, backslashes and all. Use ``\\mathtt`` or ``\\text``.
- The gallery's outputs show no warning that the example does not discuss.

The sources are checked always; the built pages (docs/_build/html) when they
exist, as after ``make -C docs html`` (.ci/run checks them there).
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUILT = ROOT / "docs" / "_build" / "html"
# Text-mode macros MathJax's base TeX package does not define.
TEXT_MODE = re.compile(r"\\(texttt|textbf|textit|textrm|textsf|textsc|emph)\b")
# Formulas in the built pages: Sphinx wraps each in an element of class "math".
MATH_ELEMENT = re.compile(
    r'<(span|div) class="math[^"]*"[^>]*>(?P<tex>.*?)</\1>', re.DOTALL
)


def test_sources_use_no_text_mode_macros():
    sources = [
        *(ROOT / "docs").glob("*.rst"),
        *(ROOT / "sklearn_backprop").glob("*.py"),
        *(ROOT / "examples").glob("*.py"),
        ROOT / "README.md",
    ]
    found = [
        f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, match.start()) + 1}"
        for path in sources
        for text in [path.read_text(encoding="utf-8")]
        for match in TEXT_MODE.finditer(text)
    ]
    assert not found, f"text-mode macros MathJax shows raw: {found}"


def built_pages():
    if not BUILT.is_dir():
        return []
    return sorted(
        path
        for path in BUILT.rglob("*.html")
        if "_static" not in path.relative_to(BUILT).parts
    )


@pytest.mark.skipif(not built_pages(), reason="docs not built (make -C docs html)")
def test_built_formulas_use_no_text_mode_macros():
    formulas = {
        path.relative_to(BUILT): [m["tex"] for m in MATH_ELEMENT.finditer(text)]
        for path in built_pages()
        for text in [path.read_text(encoding="utf-8")]
    }
    # The user guide's equations are there: the check reads real formulas.
    assert len(formulas[Path("user_guide.html")]) >= 10
    raw = {
        str(page): [tex for tex in found if TEXT_MODE.search(tex)]
        for page, found in formulas.items()
        if any(TEXT_MODE.search(tex) for tex in found)
    }
    assert not raw, raw
    # Nor anywhere else in a page's text.
    pages = [p for p in built_pages() if TEXT_MODE.search(p.read_text("utf-8"))]
    assert not pages, pages


# A warning printed in an example's output: its category.
WARNING_OUTPUT = re.compile(r"\b(\w*Warning): ")


@pytest.mark.skipif(not built_pages(), reason="docs not built (make -C docs html)")
def test_gallery_outputs_show_only_warnings_the_example_discusses():
    pages = sorted((BUILT / "auto_examples").glob("plot_*.html"))
    assert pages
    unexplained = {}
    for page in pages:
        source = (ROOT / "examples" / page.with_suffix(".py").name).read_text("utf-8")
        shown = set(WARNING_OUTPUT.findall(page.read_text("utf-8")))
        missing = {name for name in shown if name not in source}
        if missing:
            unexplained[page.name] = sorted(missing)
    assert not unexplained, unexplained

"""Every ``pip install`` line of the README, the docs and the examples works
as written from the root of a clone: sklearn-backprop is not on PyPI, so the
package and its extras are installed by path, naming extras that exist."""

import re
import shlex
from pathlib import Path

import pytest
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the same parser, as a package
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
DISTRIBUTION = canonicalize_name(PYPROJECT["project"]["name"])
EXTRAS = set(PYPROJECT["project"]["optional-dependencies"])

# Where a reader finds install commands.
SOURCES = [
    "README.md",
    "benchmarks/README.md",
    "sklearn_backprop/__main__.py",
    *sorted(str(path.relative_to(ROOT)) for path in (ROOT / "docs").glob("*.rst")),
    "docs/conf.py",
    *sorted(str(path.relative_to(ROOT)) for path in (ROOT / "examples").glob("*.py")),
]
# A command ends at the end of its line, at the end of an inline literal
# (Markdown's ` or reStructuredText's ``) or at the next shell command.
COMMAND = re.compile(r"pip install([^`\n]*?)\s*(?:`|&&|;|\||$)", re.M)
# Options that take no value, and those whose value is a file of the clone.
FLAGS = {"-q", "--quiet", "-U", "--upgrade", "--no-build-isolation"}
FILE_OPTIONS = {"-c", "--constraint", "-r", "--requirement"}
EDITABLE = {"-e", "--editable"}
PATH_WITH_EXTRAS = re.compile(r"^(?P<path>[^\[\]]+)(?:\[(?P<extras>[^\]]*)\])?$")


def install_commands():
    """``(source:line, arguments)`` of every ``pip install`` in SOURCES."""
    commands = []
    for source in SOURCES:
        text = (ROOT / source).read_text(encoding="utf-8")
        for match in COMMAND.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            where = f"{source}:{line}"
            commands.append(pytest.param(match.group(1).strip(), id=where))
    return commands


def check_requirement(requirement):
    """Raise AssertionError unless ``requirement`` installs from a clone."""
    if requirement.startswith((".", "/")) or "/" in requirement:
        parts = PATH_WITH_EXTRAS.match(requirement)
        assert parts, f"cannot read {requirement!r} as a path with extras"
        path = (ROOT / parts["path"]).resolve()
        assert path == ROOT, (
            f"{requirement!r} names {path}, not the root of the clone: commands "
            f"are run from the clone's root"
        )
        extras = {e.strip() for e in (parts["extras"] or "").split(",") if e.strip()}
        assert extras <= EXTRAS, (
            f"{requirement!r} names extras {sorted(extras - EXTRAS)} that "
            f"pyproject.toml does not define (it has {sorted(EXTRAS)})"
        )
        return
    try:
        parsed = Requirement(requirement)
    except InvalidRequirement as error:
        raise AssertionError(f"{requirement!r} is no requirement: {error}") from None
    assert canonicalize_name(parsed.name) != DISTRIBUTION, (
        f"{requirement!r} installs {parsed.name} by name, but it is not on an "
        f"index: install it by path from the clone's root, e.g. "
        f'pip install ".[{",".join(sorted(parsed.extras)) or "..."}]"'
    )
    assert parsed.url is None, f"{requirement!r} downloads from a URL"


@pytest.mark.parametrize("arguments", install_commands())
def test_install_line_works_from_a_clone(arguments):
    assert arguments, "`pip install` with nothing after it (a command cut by a line?)"
    words = iter(shlex.split(arguments))
    for word in words:
        if word in FLAGS:
            continue
        if word in FILE_OPTIONS:
            name = next(words)
            assert (ROOT / name).is_file(), f"{word} {name}: no such file in the clone"
            continue
        if word in EDITABLE:
            word = next(words)
        assert not word.startswith("-"), f"unexpected option {word} in {arguments!r}"
        check_requirement(word)


def test_install_lines_are_found():
    # The README's, the getting-started page's and the Deploying page's at least.
    sources = {param.id.split(":")[0] for param in install_commands()}
    assert {"README.md", "docs/getting_started.rst", "docs/deploying.rst"} <= sources


@pytest.mark.parametrize(
    "requirement",
    ["sklearn-backprop[onnx]", "sklearn_backprop", ".[onnx,gpu]", "./docs[test]"],
)
def test_check_refuses_what_does_not_install(requirement):
    with pytest.raises(AssertionError):
        check_requirement(requirement)


@pytest.mark.parametrize("requirement", [".", ".[onnx,dask]", "./[test]", "skops"])
def test_check_accepts_what_installs(requirement):
    check_requirement(requirement)


def test_extras_that_name_other_extras_name_existing_ones():
    # The docs extra pulls in others by the distribution's own name.
    for extra, requirements in PYPROJECT["project"]["optional-dependencies"].items():
        for requirement in map(Requirement, requirements):
            if canonicalize_name(requirement.name) == DISTRIBUTION:
                assert requirement.extras <= EXTRAS, extra


@pytest.mark.parametrize(
    "source, heading",
    [("README.md", re.compile(r"^#+ .*$", re.M)), ("docs/getting_started.rst", None)],
)
def test_first_install_instructions_say_clone_and_compiler(source, heading):
    # Where installing is first described, not only under Development: the
    # section of the first `pip install` says it installs from a clone and
    # needs a C compiler.
    text = (ROOT / source).read_text(encoding="utf-8")
    first = text.index("pip install")
    if heading is None:  # reStructuredText: a title is underlined
        heading = re.compile(r"^\S.*\n[-=~]{3,}$", re.M)
    start = max(match.start() for match in heading.finditer(text, 0, first))
    section = " ".join(text[start:first].split())
    assert "clone" in section
    assert "C compiler" in section

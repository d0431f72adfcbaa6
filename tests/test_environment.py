"""Where the course says it runs: supported Pythons, Binder, licences and metadata, the Pages workflow.

The supported Pythons are stated in one place, ``requires-python`` in ``pyproject.toml``. The
tests here resolve the pinned environment for each of them, check that the versions just outside
the range do not resolve (so the range is exactly the supported one), and check every other
statement of it against that range: the classifiers, the README, ``how-to-use.md``, Binder's
``runtime.txt`` and the Python that CI runs.
"""

from __future__ import annotations

import functools
import importlib.metadata
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from tools import course

ROOT = course.ROOT
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]
REQUIRES_PYTHON = SpecifierSet(PROJECT["requires-python"])
WORKFLOW_PATH = ROOT / ".github" / "workflows" / "book.yml"
CC_BY = "https://creativecommons.org/licenses/by/4.0/"


def supported_pythons(specifier: SpecifierSet) -> list[str]:
    """The minor versions ``"3.N"`` that ``specifier`` admits, in order."""
    return [f"3.{minor}" for minor in range(40) if specifier.contains(f"3.{minor}.0")]


SUPPORTED = supported_pythons(REQUIRES_PYTHON)


def repository() -> tuple[str, str]:
    """The repository's URL (no trailing slash) and branch, from ``_config.yml``."""
    config = course.load_config()["repository"]
    return config["url"].rstrip("/"), config["branch"]


def pages_url() -> str:
    """The book's GitHub Pages address, derived from ``repository.url``."""
    url, _ = repository()
    match = re.fullmatch(r"https://github\.com/([^/]+)/([^/]+)", url)
    assert match, f"repository.url in _config.yml is not a GitHub repository: {url}"
    owner, name = match.groups()
    if name.lower() == f"{owner.lower()}.github.io":
        return f"https://{owner.lower()}.github.io/"
    return f"https://{owner.lower()}.github.io/{name}/"


def requirement_lines(path: Path, seen: tuple[Path, ...] = ()) -> list[str]:
    """The requirement lines of a pip requirements file, with nested ``-r`` files expanded.

    Like pip (``pip/_internal/req/req_file.py``), a nested path is read relative to the
    directory of the file that names it, not to the working directory.
    """
    path = path.resolve()
    assert path not in seen, f"{path} includes itself"
    assert path.is_file(), f"{path} does not exist"
    lines: list[str] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#")[0].strip()
        if not line:
            continue
        nested = re.fullmatch(r"(?:-r|--requirement)\s*=?\s*(\S+)", line)
        if nested:
            lines.extend(requirement_lines(path.parent / nested.group(1), (*seen, path)))
        else:
            lines.append(line)
    return lines


def pins() -> dict[str, str]:
    """``requirements.txt`` as {normalized name: pinned version}."""
    result = {}
    for line in requirement_lines(ROOT / "requirements.txt"):
        requirement = Requirement(line)
        (specifier,) = requirement.specifier
        result[canonicalize_name(requirement.name)] = specifier.version
    return result


def section(markdown: str, heading: str) -> str:
    """The text of a Markdown section, from its heading to the next heading of any level."""
    match = re.search(rf"^#+ {re.escape(heading)}\n(.*?)(?=^#+ |\Z)", markdown, re.MULTILINE | re.DOTALL)
    assert match, f"no section {heading!r}"
    return match.group(1)


# --------------------------------------------------------------------------------------------
# Supported Pythons: stated once (requires-python), true and tested
# --------------------------------------------------------------------------------------------

# uv resolves as pip does, from the package index (PyPI), for the target Python and this
# machine's platform. It is written in Rust: a resolve costs it about 1 CPU s, where pip spent
# about 10 evaluating every file of every project's index page.
# A resolve takes 1-25 s here; a stalled index must fail the test with a message, not hang it.
RESOLVE_TIMEOUT = 300
NETWORK_ERRORS = (
    "Failed to fetch",
    "error sending request",
    "dns error",
    "Request failed after",
    "operation timed out",
    "Connection refused",
    "Network is unreachable",
    "tcp connect error",
)
UNSATISFIABLE = ("No solution found when resolving dependencies",)


def target_platform() -> str:
    """Return uv's name of this machine's platform (``--python-platform``), the one pip targets here."""
    machine = platform.machine().lower()
    if sys.platform == "linux":
        libc, version = platform.libc_ver()
        if libc == "glibc" and version:
            major, minor = version.split(".")[:2]
            return f"{machine}-manylinux_{major}_{minor}"
        return f"{machine}-unknown-linux-musl"
    if sys.platform == "darwin":
        return f"{'aarch64' if machine == 'arm64' else machine}-apple-darwin"
    return f"{'aarch64' if machine == 'arm64' else 'x86_64'}-pc-windows-msvc"


def run_resolver(python_version: str, output: Path) -> subprocess.CompletedProcess | str:
    """``uv pip compile`` of requirements.txt for ``python_version`` on this platform, into ``output``.

    ``--only-binary :all:``: a wheel must exist for that Python and platform, as it must for a
    user's install to succeed without compilers. Returns the resolver's result, or why the
    resolve could not be made (no answer from the package index).
    """
    from uv import find_uv_bin

    command = [
        find_uv_bin(),
        "pip",
        "compile",
        str(ROOT / "requirements.txt"),
        "--python-version",
        python_version,
        "--python-platform",
        target_platform(),
        "--only-binary",
        ":all:",
        "--no-header",
        "--no-annotate",
        "--quiet",
        "--output-file",
        str(output),
    ]
    environment = {**os.environ, "UV_HTTP_TIMEOUT": "30", "UV_NO_CONFIG": "1"}
    try:
        result = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, timeout=RESOLVE_TIMEOUT, check=False, env=environment
        )
    except subprocess.TimeoutExpired:
        return (
            f"uv did not finish resolving requirements.txt for Python {python_version} in "
            f"{RESOLVE_TIMEOUT} s. This test needs the package index (PyPI); is it reachable?\n"
            f"{' '.join(command)}"
        )
    if result.returncode != 0 and any(error in result.stderr for error in NETWORK_ERRORS):
        return (
            f"uv could not reach the package index while resolving requirements.txt for "
            f"Python {python_version}; this test needs PyPI.\n{resolver_errors(result.stderr)}"
        )
    return result


def resolver_errors(stderr: str) -> str:
    """Return the resolver's last lines: its error and hints."""
    return "\n".join([line for line in stderr.splitlines() if line.strip()][-8:])


def test_requires_python_is_a_range_of_whole_minor_versions():
    operators = {spec.operator: spec.version for spec in REQUIRES_PYTHON}
    assert set(operators) == {">=", "<"}, (
        f"requires-python must be '>=3.A,<3.B' (a lower and an upper bound); got {REQUIRES_PYTHON}"
    )
    assert all(re.fullmatch(r"3\.\d+", version) for version in operators.values()), REQUIRES_PYTHON
    assert SUPPORTED, f"requires-python {REQUIRES_PYTHON} admits no Python 3 version"


def test_classifiers_name_exactly_the_supported_pythons():
    named = sorted(
        (
            c.rsplit(" :: ", 1)[1]
            for c in PROJECT["classifiers"]
            if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
        ),
        key=lambda v: int(v.split(".")[1]),
    )
    assert named == SUPPORTED, f"classifiers name Python {named}; requires-python admits {SUPPORTED}"


def test_readme_and_how_to_use_state_the_supported_range():
    expected = f"Python {SUPPORTED[0]} to {SUPPORTED[-1]}"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    prerequisites = re.sub(r"\s+", " ", section(readme, "Two commands"))
    assert expected in prerequisites, f"README's 'Two commands' must say {expected!r} (pyproject.toml)"
    for needed in ("requires-python", "pip", "`make`", "Node.js", "npm"):
        assert needed in prerequisites, f"README's prerequisites do not name {needed}"
    how_to = re.sub(r"\s+", " ", (ROOT / "how-to-use.md").read_text(encoding="utf-8"))
    assert expected in how_to, f"how-to-use.md must say {expected!r} (pyproject.toml)"
    for needed in ("requires-python", "pip", "`make`", "Node.js", "npm"):
        assert needed in how_to, f"how-to-use.md's prerequisites do not name {needed}"
    stale = re.compile(r"Python 3\.\d+\+|3\.\d+ or (?:newer|later)|Python 3\.\d+ or above")
    for name in ("README.md", "how-to-use.md", "CONTRIBUTING.md", "Makefile"):
        text = re.sub(r"\s+", " ", (ROOT / name).read_text(encoding="utf-8"))
        assert not stale.search(text), f"{name} states another Python range: {stale.search(text).group(0)!r}"


@functools.cache
def running_pinned_environment() -> bool:
    """Whether this interpreter runs in the pinned environment, installed whole and consistent.

    ``make`` installs it into ``.venv`` and reinstalls it whenever requirements.txt changes.
    Computed once per session (``pip check`` takes a second or two): the fixture and the test
    for this Python both ask, and the environment does not change while the tests run.
    """
    installed = {canonicalize_name(d.metadata["Name"]): d.version for d in importlib.metadata.distributions()}
    if any(installed.get(name) != version for name, version in pins().items()):
        return False
    check = subprocess.run(
        [sys.executable, "-m", "pip", "check"], capture_output=True, text=True, timeout=120, check=False
    )
    return check.returncode == 0


OUTSIDE = [f"3.{int(SUPPORTED[0][2:]) - 1}", f"3.{int(SUPPORTED[-1][2:]) + 1}"]


def resolved_versions() -> list[str]:
    """The Pythons this module resolves for: the supported ones but this environment's, and two outside."""
    return [version for version in SUPPORTED if not is_this_pinned_environment(version)] + OUTSIDE


def shared_resolve_folder() -> Path | None:
    """Under pytest-xdist, the folder of this run's resolves, which every worker knows."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    return Path(tempfile.gettempdir()) / f"taming-gradients-resolve-{run}" if run else None


def start_resolutions(folder: Path) -> list[Any]:
    """Start every resolve into ``folder``, in the background, unless they were started there already.

    The resolver mostly waits on the package index. Under pytest-xdist ``tests/conftest.py``
    calls this as the run starts, in each worker: the first one starts them, and their waiting
    overlaps the notebooks' work instead of leaving a core idle for about 40 s later on.
    :func:`resolutions` reads each result from ``folder``, on whichever worker runs this module.
    Returns the threads this call started: the process must join them before it exits, or a
    resolve it started would never write its result.
    """
    import threading

    from uv import find_uv_bin

    folder.mkdir(exist_ok=True)
    try:
        with (folder / "started").open("x") as started:  # by one worker only
            started.write(str(os.getpid()))
    except FileExistsError:
        return []
    find_uv_bin()  # reads sysconfig's variables here first: their first reading is not thread-safe

    threads = [threading.Thread(target=_resolve_into, args=(folder, version)) for version in resolved_versions()]
    for thread in threads:
        thread.start()
    return threads


def _resolve_into(folder: Path, version: str) -> None:
    """Resolve for ``version`` and write the result to ``folder/VERSION.json`` (whole, or not at all)."""
    try:
        result = run_resolver(version, folder / f"{version}.txt")
    except Exception as error:  # reported by the test that reads this result
        result = f"the resolve for Python {version} raised {type(error).__name__}: {error}"
    if isinstance(result, str):
        record = {"failure": result}
    else:
        record = {"args": result.args, "returncode": result.returncode, "stderr": result.stderr}
    part = folder / f"{version}.{os.getpid()}.part"
    part.write_text(json.dumps(record), encoding="utf-8")
    part.rename(folder / f"{version}.json")


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # no signal: only whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return pid > 0


def resolution(folder: Path, version: str) -> tuple[subprocess.CompletedProcess, Path]:
    """Wait for the resolve for ``version`` in ``folder``; its result and the path of its output.

    If the worker that started it has ended first (pytest-xdist shuts down a worker it has no
    module for), the resolve is made here.
    """
    path = folder / f"{version}.json"
    starter = int((folder / "started").read_text(encoding="utf-8") or 0)
    while not path.is_file():
        if starter != os.getpid() and not _running(starter):
            _resolve_into(folder, version)
        time.sleep(0.2)
    record = json.loads(path.read_text(encoding="utf-8"))
    if "failure" in record:
        pytest.fail(record["failure"])
    return subprocess.CompletedProcess(stdout="", **record), folder / f"{version}.txt"


@pytest.fixture(scope="module")
def resolutions(tmp_path_factory):
    """The folder where every resolve this module needs runs (:func:`start_resolutions`)."""
    shared = shared_resolve_folder()
    folder = shared or tmp_path_factory.mktemp("resolve")
    threads = start_resolutions(folder)  # none if the run started them already
    yield folder
    for thread in threads:
        thread.join()
    # A shared folder stays (a few kilobytes in the system's temporary folder): under --dist load
    # another worker may still be reading it.


def is_this_pinned_environment(python_version: str) -> bool:
    """Whether the environment running the tests is this Python's, installed from the pins."""
    return python_version == f"{sys.version_info.major}.{sys.version_info.minor}" and running_pinned_environment()


@pytest.mark.slow
@pytest.mark.parametrize("python_version", SUPPORTED)
def test_pinned_environment_resolves_for_each_supported_python(python_version, resolutions):
    if is_this_pinned_environment(python_version):
        # The environment running this test was installed from the pins on this Python, which
        # shows more than a resolve does; other Pythons need a resolver.
        return
    result, report_path = resolution(resolutions, python_version)
    assert result.returncode == 0, (
        f"requirements.txt does not resolve for Python {python_version}, which requires-python "
        f"({REQUIRES_PYTHON}) admits. Change the pins, or narrow requires-python (and the classifiers, "
        f"README.md and how-to-use.md):\n{resolver_errors(result.stderr)}"
    )
    resolved = {
        canonicalize_name(requirement.name): str(requirement.specifier).removeprefix("==")
        for requirement in map(Requirement, requirement_lines(report_path))
    }
    differ = {name: (version, resolved.get(name)) for name, version in pins().items() if resolved.get(name) != version}
    assert not differ, f"for Python {python_version}, uv resolved other versions than the pins: {differ}"


@pytest.mark.slow
@pytest.mark.parametrize("python_version", OUTSIDE)
def test_pinned_environment_does_not_resolve_just_outside_the_range(python_version, resolutions):
    result, _ = resolution(resolutions, python_version)
    assert result.returncode != 0, (
        f"requirements.txt also resolves for Python {python_version}: widen requires-python in "
        f"pyproject.toml (and the classifiers, README.md and how-to-use.md) to include it"
    )
    assert any(reason in result.stderr for reason in UNSATISFIABLE), (
        f"uv failed for Python {python_version}, but not for want of a matching distribution:\n"
        f"{resolver_errors(result.stderr)}"
    )


# --------------------------------------------------------------------------------------------
# Binder (repo2docker): binder/ holds every input, since repo2docker then ignores the root's
# --------------------------------------------------------------------------------------------

BINDER = ROOT / "binder"


def test_binder_folder_holds_exactly_the_python_inputs():
    # repo2docker refuses a repository with both binder/ and .binder/; with binder/, it reads
    # its configuration files there only (docs: "Where to put configuration files").
    assert BINDER.is_dir() and not (ROOT / ".binder").exists()
    assert sorted(p.name for p in BINDER.iterdir()) == ["postBuild", "requirements.txt", "runtime.txt"]


def test_binder_runtime_is_a_supported_python_and_the_one_ci_tests():
    runtime = (BINDER / "runtime.txt").read_text(encoding="utf-8").strip()
    match = re.fullmatch(r"python-(3\.\d+)", runtime)
    assert match, f"binder/runtime.txt must read 'python-3.N' (repo2docker's format); got {runtime!r}"
    assert match.group(1) in SUPPORTED, f"Binder would run Python {match.group(1)}; supported: {SUPPORTED}"
    assert match.group(1) == ci_python(), "Binder should run the Python that CI tests"


def test_binder_requirements_are_exactly_the_pins():
    lines = [line.split("#")[0].strip() for line in (BINDER / "requirements.txt").read_text().splitlines()]
    assert [line for line in lines if line] == ["-r ../requirements.txt"], (
        "binder/requirements.txt must only include ../requirements.txt (read relative to binder/)"
    )
    assert requirement_lines(BINDER / "requirements.txt") == requirement_lines(ROOT / "requirements.txt")


def test_binder_post_build_installs_the_package_without_dependencies():
    post_build = BINDER / "postBuild"
    text = post_build.read_text(encoding="utf-8")
    assert text.startswith("#!/bin/bash\n"), "postBuild must be a bash script (repo2docker runs ./binder/postBuild)"
    assert post_build.stat().st_mode & 0o111, "postBuild must be executable"
    assert re.search(r"^set -euo pipefail$", text, re.MULTILINE), "without set -e, repo2docker ignores a failed install"
    commands = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    installs = [line for line in commands if "pip install" in line]
    assert len(installs) == 1 and re.search(r"pip install .*--no-deps.* \.$", installs[0]), installs
    syntax = subprocess.run(["bash", "-n", str(post_build)], capture_output=True, text=True, check=False)
    assert syntax.returncode == 0, syntax.stderr


@pytest.mark.slow
def test_binder_post_build_installs_the_course_package(tmp_path):
    """Run postBuild as repo2docker does (from the repository's root) into an empty environment."""
    import sysconfig
    import venv

    import pip

    environment = tmp_path / "kernel"
    # Binder's kernel environment has pip. Installing one here (ensurepip) would cost more CPU
    # than the install under test: the environment imports this one's pip instead, through a
    # .pth file naming a folder that holds pip alone, so that nothing else of ours is visible.
    venv.create(environment)
    only_pip = tmp_path / "only-pip"
    only_pip.mkdir()
    (only_pip / "pip").symlink_to(Path(pip.__file__).parent)
    purelib = Path(sysconfig.get_path("purelib", vars={"base": str(environment), "platbase": str(environment)}))
    (purelib / "only-pip.pth").write_text(f"{only_pip}\n", encoding="utf-8")
    result = subprocess.run(
        [str(BINDER / "postBuild")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "KERNEL_PYTHON_PREFIX": str(environment)},
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    python = environment / "bin" / "python"
    check = subprocess.run(
        [
            str(python),
            "-c",
            (
                "import importlib.metadata as m, utils; "
                "print(utils.__file__); print(sorted(d.metadata['Name'] for d in m.distributions()))"
            ),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert check.returncode == 0, check.stderr[-2000:]
    path, installed = check.stdout.splitlines()
    assert path.startswith(str(environment)), f"utils came from {path}, not the installed package"
    assert "taming-gradients" in installed and "tensorflow" not in installed, installed


# --------------------------------------------------------------------------------------------
# Licences, citation and package metadata
# --------------------------------------------------------------------------------------------


def test_code_licence_is_mit_and_shipped():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n")
    assert "Permission is hereby granted, free of charge" in text and 'THE SOFTWARE IS PROVIDED "AS IS"' in text
    assert PROJECT["license"] == "MIT" and PROJECT["license-files"] == ["LICENSE"]


def test_text_licence_is_cc_by_and_in_the_book_footer():
    notice = (ROOT / "LICENSE-TEXT.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in notice and CC_BY in notice
    url, branch = repository()
    footer = course.load_config()["html"]["extra_footer"]
    assert f'href="{CC_BY}"' in footer and "CC BY 4.0" in footer, footer
    assert f'href="{url}/blob/{branch}/LICENSE"' in footer, f"the footer must link the code's licence: {footer}"


# The keys of CITATION.cff's schema, version 1.2.0
# (https://citation-file-format.github.io/1.2.0/schema.json): required ones, then the others.
CFF_REQUIRED = {"cff-version", "message", "title", "authors"}
CFF_OPTIONAL = {
    "abstract",
    "commit",
    "contact",
    "date-released",
    "doi",
    "identifiers",
    "keywords",
    "license",
    "license-url",
    "preferred-citation",
    "references",
    "repository",
    "repository-artifact",
    "repository-code",
    "type",
    "url",
    "version",
}
CFF_PERSON = {
    "family-names",
    "given-names",
    "name-particle",
    "name-suffix",
    "affiliation",
    "address",
    "city",
    "country",
    "email",
    "fax",
    "orcid",
    "post-code",
    "region",
    "tel",
    "website",
    "alias",
}
CFF_ENTITY = {
    "name",
    "address",
    "city",
    "country",
    "date-end",
    "date-start",
    "email",
    "fax",
    "location",
    "orcid",
    "post-code",
    "region",
    "tel",
    "website",
    "alias",
}


def test_citation_file_is_valid_cff_and_agrees_with_the_metadata():
    citation: dict[str, Any] = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert CFF_REQUIRED <= set(citation), f"CITATION.cff lacks {CFF_REQUIRED - set(citation)}"
    assert set(citation) <= CFF_REQUIRED | CFF_OPTIONAL, (
        f"not CFF 1.2.0 keys: {set(citation) - CFF_REQUIRED - CFF_OPTIONAL}"
    )
    assert citation["cff-version"] == "1.2.0"
    assert isinstance(citation["message"], str) and citation["message"].strip()
    assert isinstance(citation["title"], str) and citation["title"].startswith("Taming Gradients")
    assert citation.get("type", "software") in {"software", "dataset"}
    assert isinstance(citation["authors"], list) and citation["authors"]
    for author in citation["authors"]:
        assert isinstance(author, dict) and author, author
        is_entity = "name" in author and set(author) <= CFF_ENTITY
        is_person = bool({"family-names", "given-names"} & set(author)) and set(author) <= CFF_PERSON
        assert is_entity or is_person, f"neither a CFF person nor an entity: {author}"
        assert all(isinstance(value, str) and value.strip() for value in author.values()), author
    assert isinstance(citation["keywords"], list) and all(isinstance(k, str) for k in citation["keywords"])
    # Metadata that lives elsewhere too.
    assert citation["version"] == PROJECT["version"], "CITATION.cff's version differs from pyproject.toml's"
    assert citation["license"] == ["MIT", "CC-BY-4.0"], "the code's and the text's licences, as SPDX identifiers"
    url, _ = repository()
    assert citation["repository-code"] == url
    assert citation["url"] == pages_url()
    assert [author["name"] for author in PROJECT["authors"]] == [a.get("name") for a in citation["authors"]]


def test_package_metadata_is_complete():
    url, _ = repository()
    assert PROJECT["authors"] and all(author.get("name") for author in PROJECT["authors"])
    assert PROJECT["urls"] == {
        "Homepage": pages_url(),
        "Documentation": pages_url(),
        "Source": url,
        "Issues": f"{url}/issues",
    }
    assert "Programming Language :: Python :: 3 :: Only" in PROJECT["classifiers"]
    # PEP 639: with a licence expression, licence classifiers are an error.
    assert not any(c.startswith("License ::") for c in PROJECT["classifiers"])


def test_readme_gives_the_book_address_and_badges():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    top = readme.split("\n## ", 1)[0]
    url, branch = repository()
    slug = url.removeprefix("https://github.com/")
    chapter_1 = "chapters/01-vanishing-exploding-gradients.ipynb"
    assert (ROOT / chapter_1).is_file()
    for needed in (
        pages_url(),
        f"{url}/actions/workflows/{WORKFLOW_PATH.name}/badge.svg",
        f"https://colab.research.google.com/github/{slug}/blob/{branch}/{chapter_1}",
        f"https://mybinder.org/v2/gh/{slug}/{branch}",
        "](LICENSE)",
        "](LICENSE-TEXT.md)",
    ):
        assert needed in top, f"the README's opening lacks {needed}"


# --------------------------------------------------------------------------------------------
# The workflow: current actions, deploy what the tests checked, never cancel a deploy
# --------------------------------------------------------------------------------------------

# The current major version of each action the workflow uses (checked against each action's
# releases): all run on Node 24, or are composite actions built on those that do.
ACTION_MAJORS = {
    "actions/checkout": 7,
    "actions/setup-python": 7,
    "actions/cache": 5,
    "actions/upload-artifact": 7,
    "actions/configure-pages": 6,
    "actions/upload-pages-artifact": 5,
    "actions/deploy-pages": 5,
}
ON_MAIN = "github.ref == 'refs/heads/main' && github.event_name != 'pull_request'"


def load_workflow() -> dict[str, Any]:
    workflow = yaml.safe_load(WORKFLOW_PATH.read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as True.
    workflow["on"] = workflow.pop(True, workflow.get("on"))
    return workflow


def step_index(steps: list[dict[str, Any]], predicate) -> int:
    matches = [i for i, step in enumerate(steps) if predicate(step)]
    assert len(matches) == 1, f"expected one such step, found {len(matches)}"
    return matches[0]


def ci_python() -> str:
    steps = load_workflow()["jobs"]["test"]["steps"]
    setup = steps[step_index(steps, lambda s: s.get("uses", "").startswith("actions/setup-python@"))]
    return str(setup["with"]["python-version"])


def test_workflow_uses_current_action_majors():
    workflow = load_workflow()
    for job_name, job in workflow["jobs"].items():
        for step in job["steps"]:
            if "uses" not in step:
                continue
            action, _, ref = step["uses"].partition("@")
            assert action in ACTION_MAJORS, f"{job_name}: {action} is not in ACTION_MAJORS; look up its current major"
            major = re.fullmatch(r"v(\d+)(?:\.\d+)*", ref)
            assert major, f"{job_name}: pin {action} to a release tag, got @{ref}"
            assert int(major.group(1)) >= ACTION_MAJORS[action], (
                f"{job_name}: {action}@{ref} is older than the current v{ACTION_MAJORS[action]}"
            )


def test_workflow_tests_on_a_supported_python():
    assert ci_python() in SUPPORTED, f"CI runs Python {ci_python()}; supported: {SUPPORTED}"


def test_workflow_deploys_the_book_the_tests_checked():
    jobs = load_workflow()["jobs"]
    steps = jobs["test"]["steps"]
    tests = step_index(steps, lambda s: s.get("run", "").strip() == "make test")
    upload = step_index(steps, lambda s: s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload > tests, "the Pages artifact must be uploaded after make test built and checked it"
    assert steps[upload]["with"]["path"] == "_build/html"
    assert steps[upload].get("if") == ON_MAIN, "only main publishes"
    assert not any("make book" in s.get("run", "") or "jupyter-book" in s.get("run", "") for s in steps), (
        "the test job must not rebuild the book after make test"
    )

    deploy = jobs["deploy"]
    assert deploy["needs"] == "test" and deploy["if"] == ON_MAIN
    used = [s.get("uses", "").partition("@")[0] for s in deploy["steps"]]
    assert used == ["actions/configure-pages", "actions/deploy-pages"], (
        f"the deploy job only deploys the uploaded artifact (no checkout, no build); it runs {used}"
    )
    assert not any("run" in s for s in deploy["steps"])
    assert deploy["environment"]["name"] == "github-pages"


def test_workflow_never_cancels_a_deploy_and_has_the_pages_permissions():
    workflow = load_workflow()
    assert workflow["permissions"] == {"contents": "read"}
    # Runs of one ref share a group; only runs outside main are cancelled by a newer push.
    cancel = workflow["concurrency"]["cancel-in-progress"]
    assert cancel is False or re.fullmatch(r"\$\{\{\s*github\.ref\s*!=\s*'refs/heads/main'\s*\}\}", str(cancel)), (
        f"a newer push must not cancel a run on main (it may be deploying); cancel-in-progress: {cancel!r}"
    )
    deploy = workflow["jobs"]["deploy"]
    assert deploy["concurrency"]["cancel-in-progress"] is False
    assert deploy["concurrency"]["group"] != workflow["concurrency"]["group"]
    # Job-level permissions replace the workflow's, so they list all that Pages needs.
    assert deploy["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert "permissions" not in workflow["jobs"]["test"], "the test job keeps the read-only default"


# --------------------------------------------------------------------------------------------
# make book on a first run
# --------------------------------------------------------------------------------------------


def recipe(makefile: str, target: str) -> list[str]:
    """The command lines of one Makefile target."""
    match = re.search(rf"^{re.escape(target)}:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert match, f"no target {target}"
    return [line.strip() for line in match.group(1).splitlines()]


def test_make_shows_progress_and_one_result_line():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    setup = recipe(makefile, "$(STAMP)")
    install = [line for line in setup if "-r requirements.txt" in line]
    assert len(install) == 1 and not re.search(r"\s(--quiet|-q)\b", install[0]), (
        "the long install must show pip's progress"
    )
    assert "tools/make.py check-python" in setup[0], "check the Python version before creating .venv"
    book = recipe(makefile, "book")
    assert sum("The book is at" in line for line in book) == 1
    assert any("tools.make book-build" in line and "jupyter-book build . -n -W --keep-going" in line for line in book)

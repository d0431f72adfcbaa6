"""The book's own copies of MathJax and the Jupyter widgets renderer, so no page needs a CDN.

Sphinx and MyST-NB load both from CDNs by default. Here they come from the npm
registry at build time, pinned by version and checked against the registry's
integrity hash, and land in ``.vendor/`` (not committed). ``_config.yml`` points
``mathjax_path`` and ``nb_ipywidgets_js`` at them and adds ``.vendor`` to
``html_static_path``, so the built book serves them from ``_static/vendor/``.

The book build fetches them when they are missing (the ``tools.book_assets``
Sphinx extension calls :func:`ensure`); ``python -m tools.vendor`` does it by hand.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tools import course

VENDOR = course.ROOT / ".vendor"  # html_static_path entry
TARGET = VENDOR / "vendor"  # -> _build/html/_static/vendor/
MANIFEST = TARGET / "manifest.json"


@dataclass(frozen=True)
class Package:
    spec: str  # name@version on the npm registry
    integrity: str  # the registry's dist.integrity (sha512) for that version
    source: str  # folder or file inside the package tarball
    target: str  # where it goes under .vendor/vendor/
    skip_suffixes: tuple[str, ...] = (".map",)


PACKAGES = (
    # MathJax 3, the version Sphinx 7 loads from its CDN; es5/ holds the browser components and fonts.
    Package(
        "mathjax@3.2.2",
        "sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw==",
        "es5",
        "mathjax",
    ),
    # RequireJS and the widgets HTML manager: what MyST-NB loads on pages that show widgets.
    Package(
        "requirejs@2.3.8",
        "sha512-7/cTSLOdYkNBNJcDMWf+luFvMriVm7eYxp4BcFCsAX0wF421Vyce5SXP17c+Jd5otXKGNehIonFlyQXSowL6Mw==",
        "require.js",
        "require.js",
    ),
    Package(
        "@jupyter-widgets/html-manager@1.0.6",
        "sha512-+Mn+Ra8wyIHrYaUpfmf9A3dsLkt/NuwzPQN8sthdxBD35VV5cOJbpmgMhNR27n/rmP3mKyEe0PWCJrtZrXTXDQ==",
        "dist",
        "html-manager",
    ),
)

# Files the book's configuration refers to; a build without them would fall back to nothing.
REQUIRED = ("mathjax/tex-mml-chtml.js", "require.js", "html-manager/embed-amd.js")


class VendorError(RuntimeError):
    """The assets could not be fetched; the message says what to install or check."""


def _wanted() -> dict[str, str]:
    return {p.spec: p.integrity for p in PACKAGES}


def is_current() -> bool:
    """Tell whether .vendor/ holds exactly the pinned packages and every required file."""
    try:
        recorded = json.loads(MANIFEST.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return recorded == _wanted() and all((TARGET / f).is_file() for f in REQUIRED)


def check_integrity(tarball: Path, integrity: str) -> None:
    """Check a downloaded tarball against the npm registry's integrity hash.

    Parameters
    ----------
    tarball : pathlib.Path
        The file ``npm pack`` wrote.
    integrity : str
        The registry's ``dist.integrity``, such as ``"sha512-<base64 digest>"``.

    Raises
    ------
    VendorError
        If the tarball's digest differs.
    """
    algorithm, _, expected = integrity.partition("-")
    digest = base64.b64encode(hashlib.new(algorithm, tarball.read_bytes()).digest()).decode()
    if digest != expected:
        raise VendorError(f"{tarball.name}: integrity {algorithm}-{digest} != pinned {integrity}")


def pack(specs: list[str], into: Path) -> list[Path]:
    """Download packages from the npm registry with ``npm pack``.

    Parameters
    ----------
    specs : list of str
        Packages as ``name@version``.
    into : pathlib.Path
        The folder that receives the tarballs.

    Returns
    -------
    list of pathlib.Path
        One tarball per spec, in order.

    Raises
    ------
    VendorError
        If npm is missing or fails; the message says what to install or what npm said.
    """
    npm = shutil.which("npm")
    if npm is None:
        raise VendorError(
            "npm not found: install Node.js and npm (Debian: apt-get install npm), "
            "which the book build uses to fetch MathJax and the widget renderer"
        )
    result = subprocess.run(
        [npm, "pack", "--json", "--pack-destination", str(into), *specs], capture_output=True, text=True, cwd=into
    )
    if result.returncode != 0:
        raise VendorError(f"`npm pack {' '.join(specs)}` failed: {result.stderr.strip()[-500:]}")
    return [into / entry["filename"] for entry in json.loads(result.stdout)]


def extract(tarball: Path, package: Package, destination: Path) -> None:
    """Unpack the part of a package's tarball that the book serves.

    Parameters
    ----------
    tarball : pathlib.Path
        The package's tarball, as ``npm pack`` wrote it.
    package : Package
        Its ``source`` (folder or file in the tarball) goes to ``destination / target``,
        without the files that end with one of ``skip_suffixes``.
    destination : pathlib.Path
        The folder that receives ``package.target``.
    """
    prefix = f"package/{package.source}"
    with tarfile.open(tarball) as archive:
        for member in archive.getmembers():
            if not member.isfile() or not (member.name == prefix or member.name.startswith(prefix + "/")):
                continue
            if member.name.endswith(package.skip_suffixes):
                continue
            relative = member.name[len(prefix) :].lstrip("/")
            path = destination / package.target / relative if relative else destination / package.target
            path.parent.mkdir(parents=True, exist_ok=True)
            with archive.extractfile(member) as source, open(path, "wb") as out:
                shutil.copyfileobj(source, out)


def fetch() -> None:
    """Download the pinned packages with ``npm pack``, verify them and unpack into .vendor/."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        tarballs = pack([p.spec for p in PACKAGES], tmp_path)
        staging = tmp_path / "vendor"
        for package, tarball in zip(PACKAGES, tarballs, strict=True):
            check_integrity(tarball, package.integrity)
            extract(tarball, package, staging)
        (staging / "manifest.json").write_text(json.dumps(_wanted(), indent=1) + "\n", encoding="utf-8")
        if TARGET.exists():
            shutil.rmtree(TARGET)
        VENDOR.mkdir(exist_ok=True)
        shutil.move(str(staging), TARGET)
    missing = [f for f in REQUIRED if not (TARGET / f).is_file()]
    if missing:
        raise VendorError(f"the packages unpacked without {missing}")


def ensure() -> bool:
    """Fetch the assets unless they are already current; True when it fetched."""
    if is_current():
        return False
    fetch()
    return True


def main() -> int:
    try:
        fetched = ensure()
    except VendorError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(
        ("fetched " if fetched else "up to date: ")
        + ", ".join(p.spec for p in PACKAGES)
        + f" in {TARGET.relative_to(course.ROOT)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

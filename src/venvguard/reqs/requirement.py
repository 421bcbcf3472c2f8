"""What one requirement line means, decided the way pip decides it.

pip reads the requirement part of a line in two ways. A URL (``https://``, ``git+https://``,
``file:``) or something that looks like a local path or archive is a *link*: its name
comes from a wheel's file name or an ``#egg=`` fragment, else it is unnamed. Anything else
is a PEP 508 requirement (``name[extras] specifiers ; marker`` or ``name @ url``), parsed
with ``packaging``. Editables (``-e``) are a local folder or a VCS URL.

Relative paths are taken from ``base_dir`` (pip takes them from its working directory,
which for a repository is its root).

A line as ``pip freeze`` writes it (``name==version``, the version in PEP 440 normal form)
is read without packaging's PEP 508 grammar: importing that grammar, its markers and its
specifiers costs more than judging a whole lock of such lines. Anything else, and any
question such a pin cannot answer by itself, goes to packaging.
"""

from __future__ import annotations

import os
import posixpath
import re
import urllib.parse
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Final

from venvguard.records import FrozenRecord
from venvguard.reqs.names import canonicalize_name

if TYPE_CHECKING:
    from packaging.markers import Marker
    from packaging.requirements import Requirement
    from packaging.specifiers import SpecifierSet

VCS_NAMES = ("bzr", "git", "hg", "svn")
VCS_SCHEMES = frozenset(
    {
        *(f"bzr+{s}" for s in ("http", "https", "ssh", "sftp", "ftp", "lp", "file")),
        *(f"git+{s}" for s in ("http", "https", "ssh", "git", "file")),
        *(f"hg+{s}" for s in ("file", "http", "https", "ssh", "static-http")),
        *(f"svn+{s}" for s in ("ssh", "http", "https", "svn", "file")),
    }
)
URL_SCHEMES = frozenset({"http", "https", "file", "ftp", *VCS_SCHEMES})
ARCHIVE_EXTENSIONS = (
    ".zip",
    ".whl",
    ".tar.bz2",
    ".tbz",
    ".tar.gz",
    ".tgz",
    ".tar",
    ".tar.xz",
    ".txz",
    ".tlz",
    ".tar.lz",
    ".tar.lzma",
)
_EXTRAS_AT_END = re.compile(r"^(.+)(\[[^\]]+\])$")
_EGG_FRAGMENT = re.compile(r"[#&]egg=([^&]*)")
_PLAIN_PIN = re.compile(
    r"(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)=="
    r"(?P<version>[0-9]+(?:\.[0-9]+)*(?:(?:a|b|rc)[0-9]+)?(?:\.post[0-9]+)?(?:\.dev[0-9]+)?"
    r"(?:\+[a-z0-9]+(?:\.[a-z0-9]+)*)?)"
)
_WHEEL_NAME = re.compile(
    r"^(?P<name>[^\s-]+?)-(?P<ver>[^\s-]*?)(-(?P<build>\d[^-]*?))?"
    r"-(?P<pyver>[^\s-]+?)-(?P<abi>[^\s-]+?)-(?P<plat>[^\s-]+?)\.whl$"
)


class InvalidLine(Exception):
    """pip would refuse this line; the message says why, in one line."""


class ExactPin:
    """The specifier ``==VERSION`` of a plain pin, with the part of ``SpecifierSet`` we use.

    Iterating gives the pin itself (its ``operator`` and ``version``, as a ``Specifier``
    has them). ``contains`` answers as packaging does: the version as written matches; a
    version without a local label matches when it is the same PEP 440 version; anything
    else is asked of a real ``SpecifierSet``.
    """

    __slots__ = ("version",)
    operator: Final = "=="

    def __init__(self, version: str) -> None:
        self.version: Final = version

    def __iter__(self) -> Iterator[ExactPin]:
        yield self

    def __len__(self) -> int:
        return 1

    def __str__(self) -> str:
        return f"=={self.version}"

    def __repr__(self) -> str:
        return f"<ExactPin({str(self)!r})>"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ExactPin):
            return NotImplemented
        return self.version == other.version

    def __hash__(self) -> int:
        return hash(self.version)

    def contains(self, version: str, prereleases: bool = True) -> bool:
        if version == self.version and prereleases:
            return True
        from packaging.version import InvalidVersion, Version

        try:
            candidate = Version(version)
        except InvalidVersion:
            return False  # no standard operator matches a version packaging cannot read
        if candidate.local is None and prereleases:
            return candidate == Version(self.version)
        from packaging.specifiers import SpecifierSet

        return SpecifierSet(str(self)).contains(version, prereleases=prereleases)


class Requirement508(FrozenRecord):
    """A requirement as pip understands it.

    ``name`` is as written (``None`` for an unnamed link), ``key`` its PEP 503 form.
    ``url`` is set for links and ``name @ url``; local paths become ``file:`` URLs.
    """

    __slots__ = ("name", "specifier", "extras", "marker", "url", "editable")

    name: Final[str | None]
    specifier: Final[SpecifierSet | ExactPin]
    extras: Final[frozenset[str]]
    marker: Final[Marker | None]
    url: Final[str | None]
    editable: Final[bool]

    def __init__(
        self,
        name: str | None,
        specifier: SpecifierSet | ExactPin,
        extras: frozenset[str],
        marker: Marker | None,
        url: str | None,
        editable: bool = False,
    ) -> None:
        self.name = name
        self.specifier = specifier
        self.extras = extras
        self.marker = marker
        self.url = url
        self.editable = editable

    @property
    def key(self) -> str | None:
        return canonicalize_name(self.name) if self.name is not None else None

    def applies(self, environment: Mapping[str, str]) -> bool:
        """Whether the marker holds in ``environment`` (no marker: always)."""
        if self.marker is None:
            return True
        try:
            return self.marker.evaluate(dict(environment))
        except Exception:  # an undefined comparison: pip would fail too; treat as applying
            return True


def path_to_url(path: str) -> str:
    """A ``file:`` URL for a local path, as pip writes it."""
    return Path(os.path.normpath(os.path.abspath(path))).as_uri()


def _url_scheme(text: str) -> str | None:
    if ":" not in text:
        return None
    return text.split(":", 1)[0].lower()


def is_url(text: str) -> bool:
    return _url_scheme(text) in URL_SCHEMES


def _looks_like_path(name: str) -> bool:
    if os.path.sep in name or (os.path.altsep is not None and os.path.altsep in name):
        return True
    return name.startswith(".")


def _splitext(path: str) -> tuple[str, str]:
    base, ext = posixpath.splitext(path)
    if base.lower().endswith(".tar"):
        ext = base[-4:] + ext
        base = base[:-4]
    return base, ext


def _is_archive(name: str) -> bool:
    return _splitext(name)[1].lower() in ARCHIVE_EXTENSIONS


def _is_installable_dir(path: str) -> bool:
    return os.path.isfile(os.path.join(path, "pyproject.toml")) or os.path.isfile(
        os.path.join(path, "setup.py")
    )


def _url_filename(url: str) -> str:
    path = urllib.parse.urlsplit(url).path.rstrip("/")
    return urllib.parse.unquote(posixpath.basename(path))


def egg_fragment(url: str) -> str | None:
    match = _EGG_FRAGMENT.search(url)
    return match.group(1) if match else None


def _parse_pep508(text: str) -> Requirement:
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        requirement = Requirement(text)
    except InvalidRequirement as error:
        hint = ""
        if "=" in text and not any(op in text for op in ("==", ">=", "<=", "!=", "~=", "===")):
            hint = " (`=` is not an operator: did you mean `==`?)"
        reason = str(error).splitlines()[0]
        raise InvalidLine(f"invalid requirement {text!r}: {reason}{hint}") from None
    for spec in requirement.specifier:
        if str(spec).endswith("]"):
            raise InvalidLine(f"invalid requirement {text!r}: extras after the version")
    return requirement


def _any_version() -> SpecifierSet:
    from packaging.specifiers import SpecifierSet

    return SpecifierSet()


def _extras(text: str | None) -> frozenset[str]:
    if not text:
        return frozenset()
    return frozenset(_parse_pep508("placeholder" + text.lower()).extras)


def _from_link(url: str, extras: frozenset[str], marker: Marker | None) -> Requirement508:
    filename = _url_filename(url)
    if filename.endswith(".whl"):
        match = _WHEEL_NAME.match(filename)
        if match is None:
            raise InvalidLine(f"{filename!r} is not a valid wheel file name")
        name = match.group("name").replace("_", "-")
        version = match.group("ver").replace("_", "-")
        pinned = _parse_pep508(f"{name}=={version}")
        return Requirement508(pinned.name, pinned.specifier, extras, marker, url)
    fragment = egg_fragment(url)
    if fragment is None:
        return Requirement508(None, _any_version(), extras, marker, url)
    named = _parse_pep508(fragment)
    return Requirement508(
        named.name, named.specifier, extras | frozenset(named.extras), marker, url
    )


def _plain_pin(text: str) -> Requirement508 | None:
    """``name==version`` as ``pip freeze`` writes it, read without packaging; else None."""
    match = _PLAIN_PIN.fullmatch(text)
    if match is None or _is_archive(text):  # pip takes `a==1.0+b.zip` for an archive's path
        return None
    return Requirement508(match["name"], ExactPin(match["version"]), frozenset(), None, None)


def parse_requirement(text: str, base_dir: Path) -> Requirement508:
    """A non-editable requirement (the part of a line before its options)."""
    plain = _plain_pin(text.strip())
    if plain is not None:
        return plain
    separator = "; " if is_url(text) else ";"
    marker: Marker | None = None
    if separator in text:
        text, marker_text = text.split(separator, 1)
        marker_text = marker_text.strip()
        if marker_text:
            from packaging.markers import InvalidMarker, Marker

            try:
                marker = Marker(marker_text)
            except InvalidMarker as error:
                reason = str(error).splitlines()[0]
                raise InvalidLine(f"invalid marker {marker_text!r}: {reason}") from None
    text = text.strip()
    if is_url(text):
        return _from_link(text, frozenset(), marker)
    path = os.path.normpath(os.path.join(base_dir, text))
    match = _EXTRAS_AT_END.match(path)
    bare_path, extras_text = (match.group(1), match.group(2)) if match else (path, None)
    local_url = _local_url(bare_path, text)
    if local_url is not None:
        return _from_link(local_url, _extras(extras_text), marker)
    requirement = _parse_pep508(text)
    if requirement.marker is not None:
        marker = requirement.marker if marker is None else marker
    return Requirement508(
        requirement.name,
        requirement.specifier,
        frozenset(requirement.extras),
        marker,
        requirement.url,
    )


def _local_url(path: str, name: str) -> str | None:
    if _looks_like_path(name) and os.path.isdir(path):
        if _is_installable_dir(path):
            return path_to_url(path)
        raise InvalidLine(
            f"folder {name!r} is not installable: it has neither pyproject.toml nor setup.py"
        )
    if not _is_archive(path):
        return None
    if os.path.isfile(path):
        return path_to_url(path)
    before_at = name.split("@", 1)
    if len(before_at) >= 2 and not _looks_like_path(before_at[0]):
        return None
    return path_to_url(path)


def parse_editable(text: str, base_dir: Path) -> Requirement508:
    """The value of ``-e``/``--editable``: a local project folder or a VCS URL."""
    match = _EXTRAS_AT_END.match(text)
    url, extras_text = (match.group(1), match.group(2)) if match else (text, None)
    local = os.path.join(base_dir, url)
    if not is_url(url) and os.path.isdir(local):
        url = path_to_url(local)
    if url.lower().startswith("file:"):
        fragment = egg_fragment(url)
        name = _parse_pep508(fragment).name if fragment else None
        return Requirement508(name, _any_version(), _extras(extras_text), None, url, True)
    url = text
    for vcs in VCS_NAMES:
        if url.lower().startswith(f"{vcs}:"):
            url = f"{vcs}+{url}"
            break
    if _url_scheme(url) not in VCS_SCHEMES:
        raise InvalidLine(
            f"{text!r} is not a valid editable requirement: use a path to a local project "
            "or a VCS URL (git+https://...)"
        )
    fragment = egg_fragment(url)
    if not fragment:
        raise InvalidLine(f"cannot tell the name of {text!r}: add #egg=name")
    named = _parse_pep508(fragment)
    return Requirement508(named.name, _any_version(), frozenset(), None, url, True)

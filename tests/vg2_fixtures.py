"""Shared pieces of the VG2 tests: tiny wheels built by hand, real venvs, pip as the oracle.

Wheels are written directly (METADATA, WHEEL, RECORD in a zip), so nothing is downloaded or
built; venvs are made and filled with uv (offline, from the folder of those wheels), and
``pip freeze`` of the same venv (the project's own pip, pointed at it with ``--python``)
is the oracle for what the venv holds.
"""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

UV = Path(sys.executable).with_name("uv")


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return "sha256=" + digest.decode()


def build_wheel(
    folder: Path,
    name: str,
    version: str,
    requires: tuple[str, ...] = (),
    *,
    tag: str = "py3-none-any",
) -> Path:
    """Write ``name-version-tag.whl`` holding one module and the metadata pip needs."""
    dist = name.replace("-", "_").replace(".", "_")
    module = dist.lower()
    info = f"{dist}-{version}.dist-info"
    metadata = "".join(
        [
            "Metadata-Version: 2.1\n",
            f"Name: {name}\n",
            f"Version: {version}\n",
            *(f"Requires-Dist: {r}\n" for r in requires),
            "\n",
        ]
    )
    files = {
        f"{module}/__init__.py": f"VERSION = {version!r}\n",
        f"{info}/METADATA": metadata,
        f"{info}/WHEEL": (
            f"Wheel-Version: 1.0\nGenerator: hand\nRoot-Is-Purelib: true\nTag: {tag}\n"
        ),
    }
    record = [
        f"{path},{_record_hash(text.encode())},{len(text.encode())}" for path, text in files.items()
    ]
    record.append(f"{info}/RECORD,,")
    files[f"{info}/RECORD"] = "\n".join(record) + "\n"
    path = folder / f"{dist}-{version}-{tag}.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for member, text in files.items():
            archive.writestr(member, text)
    return path


#: The wheels every VG2 test can use: (name, version, requirements).
WHEELS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Alpha_Pkg", "1.0", ()),
    ("Alpha_Pkg", "2.0", ()),
    ("beta", "1.5", ("gamma>=1",)),
    ("gamma", "1.2", ()),
    ("gamma", "1.3", ()),
    ("Delta.Lib", "0.9", ()),
    ("epsilon", "3.0", ("zeta==1.0",)),
    ("zeta", "1.0", ()),
    ("setuptools", "99.0", ()),
    ("sdist-only-dep", "1.0", ()),
)


def build_wheelhouse(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, version, requires in WHEELS:
        build_wheel(folder, name, version, requires)
    return folder


def hermetic_env(**extra: str) -> dict[str, str]:
    """The environment for pip and uv in tests: no user config, no index, no network."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_", "VIRTUAL_ENV"))}
    env.update(
        PIP_CONFIG_FILE=os.devnull,
        PIP_NO_INDEX="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        UV_NO_CONFIG="1",
        UV_OFFLINE="1",
    )
    env.update(extra)
    return env


def make_venv(path: Path) -> Path:
    subprocess.run(
        [str(UV), "venv", "-q", "--python", sys.executable, str(path)],
        check=True,
        env=hermetic_env(),
    )
    return path


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def install(venv: Path, wheelhouse: Path, *requirements: str, editable: bool = False) -> None:
    args = [str(UV), "pip", "install", "-q", "--python", str(venv_python(venv))]
    args += ["--no-index", "--find-links", str(wheelhouse)]
    for requirement in requirements:
        args += ["-e", requirement] if editable else [requirement]
    subprocess.run(args, check=True, env=hermetic_env(), capture_output=True)


def pip_freeze(venv: Path) -> list[str]:
    completed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv_python(venv)), "freeze"],
        check=True,
        capture_output=True,
        text=True,
        env=hermetic_env(),
    )
    return completed.stdout.splitlines()


@dataclass(frozen=True)
class SharedVenv:
    """A session venv: its folder and the wheelhouse it was filled from."""

    path: Path
    wheelhouse: Path


def fake_editable(venv: Path, name: str, version: str, project: Path) -> None:
    """Record ``name`` as an editable install of ``project``, as pip and uv write it."""
    site = next((venv / "lib").glob("python*/site-packages"))
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\n")
    (info / "INSTALLER").write_text("pip\n")
    (info / "RECORD").write_text("")
    url = project.resolve().as_uri()
    (info / "direct_url.json").write_text(f'{{"url": "{url}", "dir_info": {{"editable": true}}}}')
    (site / f"__editable__.{name}.pth").write_text(str(project.resolve() / "src") + "\n")


def findings_of(output: str) -> list[tuple[str, str, int | None, int | None, str | None]]:
    """(code, path, line, column, package) of every finding in a JSON report."""
    import json

    data = json.loads(output)
    return [(f["code"], f["path"], f["line"], f["column"], f["package"]) for f in data["findings"]]

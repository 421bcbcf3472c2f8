"""Hostile and broken files: each gives a finding or a notice at its true place, no crash.

Every test builds a real repository (or folder) holding the bad file next to a good one
and runs ``venvguard check`` as a user would: the bad file is reported with file and line,
the rest is still checked, and the exit status stays 0 or 1 (2 is venvguard's own failure).
"""

from __future__ import annotations

import json

from .conftest import Repo, run_cli


def findings_of(repo: Repo, *args: str) -> tuple[int, list[dict[str, object]]]:
    result = run_cli("check", "--format", "json", *args, cwd=repo.path)
    assert result.code in (0, 1), result.err
    assert "Traceback" not in result.err
    return result.code, json.loads(result.out)["findings"]


def places(findings: list[dict[str, object]], code: str) -> list[tuple[object, object]]:
    return [(f["path"], f["line"]) for f in findings if f["code"] == code]


def test_requirement_after_a_lone_carriage_return_points_at_its_true_line(repo: Repo) -> None:
    # pip splits lines on a lone CR (and on form feeds, U+2028 ...); editors and GitHub do
    # not: the finding must name the line a user sees.
    repo.write("requirements.txt", b"idna==3.7\rrequests\nflask\x0cclick\n")
    _, findings = findings_of(repo, "--select", "VG201")
    assert places(findings, "VG201") == [
        ("requirements.txt", 1),
        ("requirements.txt", 2),
        ("requirements.txt", 2),
    ]


def check_in_process(repo: Repo, *args: str, timeout: int = 120) -> tuple[int, dict[str, object]]:
    """venvguard in its own process (a hang fails the test instead of blocking the run)."""
    import subprocess
    import sys

    completed = subprocess.run(
        [sys.executable, "-m", "venvguard", "check", "--format", "json", *args],
        cwd=repo.path,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert "Traceback" not in completed.stderr, completed.stderr
    assert completed.returncode in (0, 1), completed.stderr
    return completed.returncode, json.loads(completed.stdout)


def notices_of(report: dict[str, object]) -> list[tuple[object, object, str]]:
    notices = report["notices"]
    assert isinstance(notices, list)
    return [(n["path"], n["line"], n["message"]) for n in notices]


SUDO = "sudo pip install requests\n"


def test_bad_encodings_bom_crlf_and_binaries(repo: Repo) -> None:
    repo.write("latin.sh", "echo caf\xe9\nsudo pip install a\n".encode("latin-1"))
    repo.write("bom.sh", b"\xef\xbb\xbfsudo pip install b\r\n")
    repo.write("crlf.sh", b"echo hi\r\nsudo pip install c\r\n")
    repo.write("binary.sh", b"\x7fELF\0\0\0sudo pip install d\n")
    repo.write("requirements.txt", b"\xef\xbb\xbfidna==3.7\r\ncaf\xe9==1\r\n")
    repo.commit()
    _, report = check_in_process(repo)
    findings = report["findings"]
    assert isinstance(findings, list)
    found = {(f["code"], f["path"], f["line"]) for f in findings}
    assert {("VG301", "latin.sh", 2), ("VG301", "bom.sh", 1), ("VG301", "crlf.sh", 2)} <= found
    assert not [f for f in findings if f["path"] == "binary.sh"]
    notices = notices_of(report)
    assert ("latin.sh", 1, "not valid UTF-8; read as Latin-1") in notices
    assert ("binary.sh", None, "skipped: binary content (NUL bytes)") in notices
    assert ("requirements.txt", 2, "not valid UTF-8; read as Latin-1") in notices


def test_a_100_mb_file_is_skipped_with_a_notice(repo: Repo) -> None:
    with (repo.path / "huge.sh").open("wb") as out:
        out.write(SUDO.encode())
        out.truncate(100 * 1024 * 1024)
    repo.write("small.sh", SUDO)
    _, report = check_in_process(repo, "--select", "VG3")
    findings = report["findings"]
    assert isinstance(findings, list)
    assert [(f["path"], f["line"]) for f in findings] == [("small.sh", 1)]
    assert any(p == "huge.sh" and "max-file-size" in m for p, _, m in notices_of(report))


def test_yaml_alias_bombs_tabs_and_broken_notebooks(repo: Repo) -> None:
    bomb = ["jobs:", "  a: &a [x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 12):
        previous = "a" if level == 1 else f"l{level - 1}"
        bomb.append(f"  l{level}: &l{level} [*{previous}, *{previous}, *{previous}, *{previous}]")
    bomb.append("  build:\n    steps:\n      - run: sudo pip install x\n")
    repo.write(".github/workflows/bomb.yml", "\n".join(bomb))
    repo.write(
        ".github/workflows/tabs.yml", "jobs:\n\tbuild:\n\t\tsteps:\n\t\t- run: sudo pip install x\n"
    )
    repo.write("notebook.ipynb", '{"cells": [{"cell_type": "code", "source": ["!sudo pip')
    repo.write(
        "ok.ipynb", '{"cells": [{"cell_type": "code", "source": ["!pip install --user x"]}]}'
    )
    repo.write("install.sh", SUDO)
    code, report = check_in_process(repo, "--select", "VG3", timeout=60)
    findings = report["findings"]
    assert isinstance(findings, list)
    found = {(f["code"], f["path"], f["line"]) for f in findings}
    assert ("VG301", ".github/workflows/bomb.yml", 16) in found
    assert ("VG302", "ok.ipynb", 1) in found
    assert ("VG301", "install.sh", 1) in found
    paths = {p for p, _, _ in notices_of(report)}
    assert {".github/workflows/tabs.yml", "notebook.ipynb"} <= paths
    assert code == 1


def test_deeply_nested_shell_is_bounded(repo: Repo) -> None:
    depth = 3000
    repo.write("deep.sh", "echo " + "$(" * depth + "x" + ")" * depth + "\n" + SUDO)
    nested = "sudo pip install z"
    for _ in range(12):  # each level doubles the backslashes
        nested = "bash -c " + json.dumps(nested)
    repo.write("quoted.sh", nested + "\n")
    repo.write("braces.sh", "{ " * depth + "true; " + "} " * depth + "\n" + SUDO)
    repo.write("install.sh", SUDO)
    _, report = check_in_process(repo, "--select", "VG3", timeout=60)
    findings = report["findings"]
    assert isinstance(findings, list)
    assert ("install.sh", 1) in {(f["path"], f["line"]) for f in findings}


def test_a_10000_line_requirements_file_and_include_loops(repo: Repo) -> None:
    repo.write("requirements.txt", "".join(f"package-{i}=={i}.0\n" for i in range(10_000)))
    repo.write("requirements-dev.txt", "-r requirements-loop.txt\nflask\n")
    repo.write("requirements-loop.txt", "-r requirements-dev.txt\nidna==3.7\n")
    code, report = check_in_process(repo, "--select", "VG2", timeout=60)
    findings = report["findings"]
    assert isinstance(findings, list)
    loops = [f for f in findings if "include loop" in f["message"]]
    assert loops and all(f["code"] == "VG206" and f["line"] == 1 for f in loops)
    assert ("VG201", "requirements-dev.txt", 2) in {
        (f["code"], f["path"], f["line"]) for f in findings
    }
    assert code == 1


def test_unreadable_files_a_fifo_and_a_folder_named_like_a_file(repo: Repo) -> None:
    # Tests run as root here, and root reads files whatever their permissions: a FIFO (which
    # would block a careless reader forever) and a folder named like a script stand in.
    import os

    os.mkfifo(repo.path / "fifo.sh")
    os.mkfifo(repo.path / "requirements-fifo.txt")
    (repo.path / "folder.sh").mkdir()
    (repo.path / "folder.sh" / "inner.sh").write_text(SUDO)
    repo.write("pyproject.toml", '[tool.venvguard]\nrequirements = ["requirements-fifo.txt"]\n')
    venv = repo.path / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\nversion = 3.11.4\n")
    os.mkfifo(venv / "bin" / "activate")
    (venv / "bin" / "activate.csh").symlink_to("/dev/zero")
    site = venv / "lib" / "python3.11" / "site-packages" / "x-1.0.dist-info"
    site.mkdir(parents=True)
    os.mkfifo(site / "METADATA")
    other = site.parent / "y-1.0.dist-info"
    other.mkdir()
    (other / "METADATA").symlink_to("/dev/zero")
    repo.write("install.sh", SUDO)
    code, report = check_in_process(repo, timeout=60)
    findings = report["findings"]
    assert isinstance(findings, list)
    found = {(f["code"], f["path"]) for f in findings}
    assert {("VG301", "install.sh"), ("VG301", "folder.sh/inner.sh"), ("VG101", ".venv")} <= found
    assert (
        "requirements-fifo.txt",
        None,
        "configured requirements file is not a regular file: not read",
    ) in notices_of(report)
    assert code == 1


def test_pyproject_that_is_not_valid_toml_is_a_clear_error(repo: Repo) -> None:
    repo.write("pyproject.toml", b"[tool.venvguard]\nselect = [\xff\n")
    result = run_cli("check", cwd=repo.path)
    assert result.code == 2
    assert result.err.startswith("venvguard: error: ") and result.err.count("\n") == 1


def test_a_makefile_with_an_unclosed_conditional_or_define_is_read_with_a_notice(
    repo: Repo,
) -> None:
    repo.write("Makefile", "ifeq ($(CI),true)\ninstall:\n\tsudo pip install x\n")
    repo.write("tools.mk", "define HELP\ntext\nsetup:\n\tpip install --user y\n")
    repo.write("extra.mk", "endif\nlint:\n\tsudo pip install z\n")
    _, report = check_in_process(repo, "--select", "VG3")
    findings = report["findings"]
    assert isinstance(findings, list)
    assert {(f["code"], f["path"], f["line"]) for f in findings} == {
        ("VG301", "Makefile", 3),
        ("VG301", "extra.mk", 3),
    }
    notices = notices_of(report)
    fully = "could not read this Makefile fully: "
    assert ("Makefile", 1, fully + "`ifeq` is never closed with `endif`") in notices
    assert ("tools.mk", 1, fully + "`define` is never closed with `endef`") in notices
    assert ("extra.mk", 1, fully + "`endif` with no conditional open") in notices


def test_template_tags_in_a_dockerfile_template_are_no_broken_shell(repo: Repo) -> None:
    repo.write(
        "docker/base/Dockerfile.j2",
        "FROM {{ base_image }}\n"
        "{% set pkgs = ['/aodh'] %}\n"
        "RUN ln -s src/* aodh \\\n"
        '    && {{ macros.install_pip(pkgs | customizable("pip_packages")) }} \\\n'
        "    {% if extra %}&& sudo pip install extra{% endif %} \\\n"
        "    && mkdir -p /etc/aodh\n"
        "RUN docker inspect --format '{{.State.Running}}' x && pip install --user y\n",
    )
    _, report = check_in_process(repo, "--select", "VG3")
    findings = report["findings"]
    assert isinstance(findings, list)
    assert [(f["code"], f["line"], f["column"]) for f in findings] == [
        ("VG301", 5, 22),
        ("VG302", 7, 55),
    ]
    assert notices_of(report) == []


def test_a_recipe_line_indented_with_spaces_is_read_with_a_notice(repo: Repo) -> None:
    repo.write(
        "Makefile",
        "all:\n"
        "    sudo pip install spaces\n"  # make stops here: "missing separator"
        "\tpip install --user tab\n"
        "  ifdef CI\n"  # a conditional may be indented with spaces
        "\tpip install --break-system-packages ci\n"
        "  endif\n",
    )
    _, report = check_in_process(repo, "--select", "VG3")
    findings = report["findings"]
    assert isinstance(findings, list)
    assert [(f["code"], f["line"]) for f in findings] == [
        ("VG301", 2),
        ("VG302", 3),
        ("VG303", 5),
    ]
    message = (
        "could not read this Makefile fully: "
        "a recipe line indented with spaces, not a tab (make stops: missing separator)"
    )
    assert notices_of(report) == [("Makefile", 2, message)]


def test_a_notebook_of_the_wrong_shape_is_a_notice(repo: Repo) -> None:
    repo.write("shape.ipynb", '{"cells": "!sudo pip install a", "nbformat": 4}')
    repo.write("list.ipynb", '[{"source": "!sudo pip install b"}]')
    cells = [
        {"cell_type": "code", "source": 42},
        {"cell_type": "code", "source": ["!sudo pip install x\n"]},
    ]
    repo.write("source.ipynb", json.dumps({"cells": cells, "nbformat": 4}, indent=1))
    _, report = check_in_process(repo, "--select", "VG3")
    findings = report["findings"]
    assert isinstance(findings, list)
    assert [(f["code"], f["path"]) for f in findings] == [("VG301", "source.ipynb")]
    notices = {(path, message) for path, _, message in notices_of(report)}
    fully = "could not read this notebook fully: "
    assert ("shape.ipynb", fully + "not a notebook: it has no list of cells") in notices
    assert ("list.ipynb", fully + "not a notebook: it has no list of cells") in notices
    assert ("source.ipynb", fully + "a cell's source is neither text nor lines") in notices

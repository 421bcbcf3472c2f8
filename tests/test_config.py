"""Configuration: where it is read from, and one-line errors naming file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from venvguard.config import Config, ConfigError, load_config

from .conftest import Repo, run_cli


def test_defaults_without_any_file(tmp_path: Path) -> None:
    config = load_config(tmp_path)
    assert config == Config()
    assert config.venv_names == (".venv", "venv")
    assert config.install_outside_venv.kinds["shell"] is True
    assert config.install_outside_venv.kinds["dockerfile"] is False


def test_pyproject_table_is_read(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[project]\nname = 'x'\n\n[tool.venvguard]\n"
        "select = ['VG1', 'VG301']\nignore = ['VG104']\nvenv-names = ['.env-dir']\n"
        "max-file-size = 1000\n"
        "[tool.venvguard.per-file-ignores]\n'docs/*' = ['VG3']\n"
        "[tool.venvguard.install-outside-venv]\ndockerfile = true\ninclude = ['ci/*.sh']\n"
        "[tool.venvguard.fresh]\npython-version = '3.12'\n"
    )
    config = load_config(tmp_path)
    assert config.select == ("VG1", "VG301")
    assert config.ignore == ("VG104",)
    assert config.venv_names == (".env-dir",)
    assert config.max_file_size == 1000
    assert config.per_file_ignores == {"docs/*": ("VG3",)}
    assert config.install_outside_venv.kinds["dockerfile"] is True
    assert config.install_outside_venv.include == ("ci/*.sh",)
    assert config.fresh.python_version == "3.12"
    assert config.source == tmp_path / "pyproject.toml"


def test_venvguard_toml_wins_over_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.venvguard]\nstrict = false\n")
    (tmp_path / "venvguard.toml").write_text("strict = true\n")
    assert load_config(tmp_path).strict is True


def test_pyproject_without_table_gives_defaults(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert load_config(tmp_path) == Config()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "[tool.venvguard]\nselct = ['VG1']\n",
            "[tool.venvguard] selct: unknown key (did you mean 'select'?)",
        ),
        (
            "[tool.venvguard]\nselect = 'VG1'\n",
            "[tool.venvguard] select: expected a list of strings, got the string 'VG1'",
        ),
        (
            "[tool.venvguard]\nselect = ['VG9']\n",
            "[tool.venvguard] select: unknown rule code or prefix 'VG9'",
        ),
        ("[tool.venvguard]\nstrict = 'yes'\n", "[tool.venvguard] strict: expected true or false"),
        (
            "[tool.venvguard]\nmax-file-size = -1\n",
            "[tool.venvguard] max-file-size: expected a positive whole number",
        ),
        (
            "[tool.venvguard.fresh]\nallow_build = true\n",
            "[tool.venvguard.fresh] allow_build: unknown key (did you mean 'allow-build'?)",
        ),
        (
            "[tool.venvguard.install-outside-venv]\ndocker = true\n",
            "[tool.venvguard.install-outside-venv] docker: unknown key",
        ),
        (
            "[tool.venvguard.per-file-ignores]\n'a/*' = ['X1']\n",
            "[tool.venvguard.per-file-ignores] a/*: unknown rule code",
        ),
        ("[tool.venvguard\n", "invalid TOML"),
    ],
)
def test_bad_configuration_is_one_line_exit_2(repo: Repo, content: str, message: str) -> None:
    repo.write("pyproject.toml", content)
    result = run_cli("check", cwd=repo.path)
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("venvguard: error: ")
    assert "pyproject.toml" in lines[0]
    assert message in lines[0]


def test_explicit_config_file(repo: Repo, tmp_path: Path) -> None:
    other = tmp_path / "custom.toml"
    other.write_text("venv-names = ['envs']\n")
    assert load_config(repo.path, other).venv_names == ("envs",)
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(repo.path, tmp_path / "missing.toml")
    bare = tmp_path / "pyproject.toml"
    bare.write_text("[project]\nname='x'\n")
    with pytest.raises(ConfigError, match=r"has no \[tool.venvguard\] table"):
        load_config(repo.path, bare)


def test_readme_configuration_example_is_valid(repo: Repo) -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration", 1)[1]
    example = section.split("```toml\n", 1)[1].split("```", 1)[0]
    repo.write("pyproject.toml", example)
    config = load_config(repo.path)
    assert config.extend_select == ("VG306",)
    assert config.install_outside_venv.include == ("ci/*.yml",)
    result = run_cli("check", cwd=repo.path)
    assert result.code in (0, 1), result.err

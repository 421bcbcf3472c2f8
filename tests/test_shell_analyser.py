"""The shell analyser on its own: wrappers, installers, pip options, environment tracking."""

from __future__ import annotations

import pytest

from venvguard.shell.analyser import Analyser
from venvguard.shell.installers import target_kind
from venvguard.shell.pip_options import parse_pip
from venvguard.sources.snippet import lines_from

_DEFAULT = {"VG301", "VG302", "VG303", "VG304", "VG305"}


def hits(script: str) -> list[tuple[int, int, str]]:
    """(line, column, best rule) of every install command in a shell script."""
    analyser = Analyser()
    analyser.run([lines_from(script, 1)])
    found = []
    for hit in analyser.hits.values():
        rules = [code for code, _ in hit.rules if code in _DEFAULT]
        if rules:
            found.append((hit.line, hit.column, rules[0]))
    return sorted(found)


@pytest.mark.parametrize(
    "command",
    [
        "sudo pip install x",
        "sudo -H pip3 install x",
        "sudo -E -u root pip3.12 install x",
        "sudo --preserve-env=PATH /usr/bin/pip install x",
        "sudo -H python3.11 -m pip install x",
        "sudo python -mpip install x",
        "sudo py -3.12 -m pip install x",
        "doas pip install x",
        "pkexec pip install x",
        "sudo env PIP_NO_CACHE_DIR=1 pip install x",
        "sudo nice -n 10 nohup pip install x",
        "sudo timeout 600 pip install x",
        "sudo uv pip install --system x",
        "sudo easy_install x",
        "sudo python setup.py install",
        "sudo ./setup.py develop",
        "sudo python setup.py build install_lib",
        "sudo bash -c 'pip install x'",
        'sudo sh -ec "pip install x"',
        "su -c 'pip install x' root",
        "su - root --command='pip install x'",
        "cat reqs.txt | sudo xargs pip install",
        "curl -sS https://bootstrap.pypa.io/get-pip.py | sudo python3",
        "sudo python3 get-pip.py",
        "exec sudo pip install x",
        "command sudo pip install x",
        "x=$(sudo pip install x)",
        'eval "sudo pip install $PKG"',
        "sudo $(which pip3) install x",
        "sudo $(command -v pip3 2>/dev/null) install x",
        "sudo `which pip3 || which pip` install x",
        'sudo "$PIP" install x',
        "sudo -s <<EOF\npip install x\nEOF",
        "cat <<EOF | sudo bash\npip install x\nEOF",
        "sudo python${PYTHON3_VERSION} -m pip install x",
        "sudo -H -E python$PYVER /tmp/get-pip.py",
        'sudo "python${V}" -m pip install x',
        "sudo pip${PY_MAJOR} install x",
        "sudo python3-dbg -m pip install x",
        "sudo python3.13t -m pip install x",
        'PIP_CMD="python$V -m pip"\nsudo $PIP_CMD install x',
        "sudo $PYEXE -m pip install y",
    ],
)
def test_root_installs(command: str) -> None:
    assert [rule for _, _, rule in hits(command)] == ["VG301"]


@pytest.mark.parametrize(
    "command",
    [
        "echo 'sudo pip install x'",
        'echo "never sudo pip install"',
        "# sudo pip install x",
        "sudo apt-get install -y python3-pip",
        "sudo pip --version",
        "sudo pip uninstall -y x",
        "sudo pip download x",
        "pip install --target ./vendor x",
        "pip install --prefix build/stage x",
        "pip install --dry-run x",
        "pip install --help",
        "pip wheel -w dist .",
        "pipx install black",
        "uv tool install ruff",
        "uv pip install ruff",
        "uv add httpx",
        "poetry run pip install x",
        "tox -e venv -- pip install -c $(mktemp) x",
        "conda run -n app pip install x",
        "docker exec web pip install x",
        "kubectl exec pod -- pip install x",
        "ssh host pip install x",
        "command -v pip",
        "which pip3",
        "python setup.py sdist bdist_wheel",
        "python -m pip --version",
        "python -c 'import pip'",
        "printf 'pip install x\\n' > notes.txt",
        "cat <<EOF\nsudo pip install x\nEOF",
        "PIP_REQUIRE_VIRTUALENV=1 pip install x",
        "pip --require-virtualenv install x",
        ".venv/bin/pip install x",
        '"$VENV/bin/python" -m pip install x',
        "venv/Scripts/pip.exe install x",
        "${VIRTUAL_ENV}/bin/python -m pip install x",
        "python3 -m pip install --user pipx",
        "pip install --user pipx==1.7.1",
        # : true and false never run their arguments
        ": sudo pip install x",
        "python setup.py develop --uninstall",
        "sudo python3 setup.py develop -u",
        # sudo -l and doas -C say whether a command may run, and do not run it
        "sudo -l pip install x",
        "sudo -ll -U admin pip install x",
        "sudo --list pip install x",
        "doas -C /etc/doas.conf pip install x",
        "true sudo pip install x",
        "sudo -u nobody false pip install x",
        # the code ssh runs on another machine is outside this one's environment
        "ssh -T deploy@host bash -s <<EOF\npip install x\nEOF",
    ],
)
def test_not_findings(command: str) -> None:
    assert hits(command) == []


def test_heredoc_fed_to_a_shell_is_code_and_keeps_positions() -> None:
    script = (
        "sudo bash <<'EOS'\nset -e\n  pip install x\nEOS\n"
        "bash -c 'echo a\n  pip install --user y'\n"
    )
    assert hits(script) == [(3, 3, "VG301"), (6, 3, "VG302")]


def test_positions_inside_bash_c_strings() -> None:
    assert hits("ls; bash -c 'cd /tmp && sudo pip install x'") == [(1, 25, "VG301")]


def test_user_environment_from_export_prefix_and_env() -> None:
    script = (
        "PIP_USER=1\n"
        "pip install a\n"  # not exported: pip does not see it
        "export PIP_USER\n"
        "pip install b\n"
        "PIP_USER=0 pip install c\n"
    )
    assert hits(script) == [(2, 1, "VG305"), (4, 1, "VG302"), (5, 1, "VG305")]


def test_system_and_break_system_from_environment() -> None:
    script = (
        "export UV_SYSTEM_PYTHON=true\n"
        "uv pip install a\n"
        "export PIP_BREAK_SYSTEM_PACKAGES=1\n"
        "pip install b\n"
        "pip config set global.break-system-packages true\n"
    )
    assert hits(script) == [(2, 1, "VG304"), (4, 1, "VG303"), (5, 1, "VG303")]


def test_an_option_set_on_some_paths_only_that_stages_the_install_is_not_taken() -> None:
    script = (
        "OPTS=\n"
        'if [ -n "$DESTDIR" ]; then OPTS="--root=$DESTDIR"; fi\n'
        "python3 setup.py install --prefix=/usr/local $OPTS\n"  # 3: without DESTDIR
        'SUDO=\nif [ "$(id -u)" != 0 ]; then SUDO=sudo; fi\n'
        "$SUDO pip install x\n"  # 6: a value that raises the risk still wins
    )
    assert hits(script) == [(3, 1, "VG304"), (6, 1, "VG301")]


def test_ensurepip_installs_pip_into_the_python_that_runs_it() -> None:
    script = (
        "sudo python3 -m ensurepip\n"
        "python3 -m ensurepip --user\n"
        "python3 -m ensurepip --upgrade\n"  # 3
        "python3 -m ensurepip --root build/stage\n"  # files staged in the project
        "python3 -m ensurepip --help\n"
        "python3 -m venv --without-pip v && v/bin/python -m ensurepip\n"
    )
    assert hits(script) == [(1, 1, "VG301"), (2, 1, "VG302"), (3, 1, "VG305")]


def test_virtual_env_is_in_effect_once_exported() -> None:
    script = (
        'VIRTUAL_ENV="/tmp/bootstrap"\n'  # a folder's name, for now
        "python3 -m pip install a\n"  # 2
        "export VIRTUAL_ENV\n"
        "pip install b\n"
        "export VIRTUAL_ENV=\n"
        "pip install c\n"  # 6
        "VIRTUAL_ENV=/opt/v pip install d\n"  # its own environment
    )
    assert hits(script) == [(2, 1, "VG305"), (6, 1, "VG305")]


def test_venv_in_effect_until_deactivate() -> None:
    script = (
        "pip install a\n"
        "python3 -m venv .venv\n"
        "pip install b\n"
        "source .venv/bin/activate\n"
        "pip install c\n"
        "(deactivate; pip install d)\n"
        "pip install e\n"
        "deactivate\n"
        "pip install f\n"
        "export PATH=/opt/venv/bin:$PATH\n"
        "pip install g\n"
    )
    assert hits(script) == [(1, 1, "VG305"), (3, 1, "VG305"), (6, 14, "VG305"), (9, 1, "VG305")]


def test_function_bodies_run_where_they_are_called() -> None:
    script = (
        "deps() {\n  pip install -r requirements.txt\n}\n"
        "python3 -m venv .venv && . .venv/bin/activate\n"
        "deps\n"
        "never_called() { sudo pip install x; }\n"
    )
    assert hits(script) == [(6, 18, "VG301")]


def test_system_interpreter_path_ignores_the_active_venv() -> None:
    script = ". venv/bin/activate\n/usr/bin/python3 -m pip install x\n"
    assert hits(script) == [(2, 1, "VG305")]


def test_variables_expand_into_commands() -> None:
    script = 'PIP="sudo pip3"\n$PIP install x\nPY=${PY:-python3}\n$PY -m pip install --user y\n'
    assert hits(script) == [(2, 1, "VG301"), (4, 1, "VG302")]


@pytest.mark.parametrize(
    ("args", "subcommand", "option", "value"),
    [
        (["install", "--user", "x"], "install", "--user", True),
        (["--isolated", "install", "x", "--us"], "install", "--user", None),
        (["install", "--break-system-package", "x"], "install", "--break-system-packages", True),
        (["-q", "install", "-Ur", "req.txt"], "install", "--requirement", "req.txt"),
        (["install", "-t", "/usr/lib/python3/dist-packages"], "install", "--target", None),
        (["--python", ".venv", "install", "x"], "install", "--python", ".venv"),
        (["install", "--prefix=/usr", "x"], "install", "--prefix", "/usr"),
    ],
)
def test_pip_options_parse_like_pip(
    args: list[str], subcommand: str, option: str, value: object
) -> None:
    options = parse_pip(args)
    assert options.subcommand == subcommand
    if value is None and option == "--target":
        assert options.value(option) == "/usr/lib/python3/dist-packages"
    elif value is None:
        assert option not in options.values  # an ambiguous prefix is no option at all
    else:
        assert options.values[option] == value


def test_multiline_double_quoted_code_keeps_its_newlines_and_lines() -> None:
    script = (
        'bash -c "echo one\npip install --user x"\n'
        'sudo bash -c "cd /src && \\\n  pip install ."\n'
        'bash -c "\n  set -e\n  sudo pip install y\n"\n'
    )
    assert hits(script) == [(2, 1, "VG302"), (4, 3, "VG301"), (7, 3, "VG301")]


def test_command_after_a_heredoc_start_on_the_same_line() -> None:
    script = (
        "cat <<'EOF' > notes; sudo pip install a\nsudo pip install b\nEOF\n"
        "cat <<EOF ; pip install --user c\ndata\nEOF\n"
        "cat <<EOF && sudo pip install d\ndata\nEOF\n"
    )
    assert hits(script) == [(1, 22, "VG301"), (4, 13, "VG302"), (7, 14, "VG301")]


def test_a_heredoc_word_ends_where_the_shell_ends_it() -> None:
    # An unquoted delimiter ends at ; | & < > ( ) as any word does; the body is still data
    # and the file goes on after the delimiter line.
    script = (
        "cat <<A; sudo pip install a\ndata\nA\n"  # 1-3
        "cat <<EOF|sudo sh\npip install b\nEOF\n"  # 4-6
        "tee <<EOF>notes.txt\nsudo pip install not-run\nEOF\n"  # 7-9
        "pip install --user c\n"  # 10
    )
    assert hits(script) == [(1, 10, "VG301"), (5, 1, "VG301"), (10, 1, "VG302")]


def test_busybox_runs_its_applet() -> None:
    script = (
        "busybox sh -c 'sudo pip install a'\n"
        "sudo busybox sh -c 'pip install b'\n"
        "busybox ash -c 'pip install --user c'\n"
        "busybox wget -O- https://x/get-pip.py | busybox sh\n"  # sh reads a file, not code
    )
    assert hits(script) == [(1, 16, "VG301"), (2, 21, "VG301"), (3, 17, "VG302")]


def test_a_command_word_escaped_against_aliases_is_the_command() -> None:
    # \sudo runs sudo, not an alias of it; each line is a command of its own.
    script = "x=1\n\\sudo pip install a\n\\sudo -H pip install b\n  \\pip install --user c\n"
    assert hits(script) == [(2, 1, "VG301"), (3, 1, "VG301"), (4, 3, "VG302")]
    indented = 'if [ -n "$CI" ]; then\n    x=1\n    \\sudo pip install d\nfi\n'
    assert hits(indented) == [(3, 5, "VG301")]


def test_installers_of_a_venv_created_earlier_are_isolated() -> None:
    script = (
        "python3 -m venv /app\n/app/bin/pip install a\n"
        "virtualenv /srv\n/srv/bin/python -m pip install b\n"
        "uv venv /build\n/build/bin/pip install c\n"
        "/usr/bin/pip install d\n"
    )
    assert hits(script) == [(7, 1, "VG305")]


def test_a_path_led_by_the_bin_folder_of_a_venv_created_earlier_puts_it_in_effect() -> None:
    script = (
        'python3 -m venv /opt/app\nexport PATH="/opt/app/bin:$PATH"\npip install a\n'  # 3
        "deactivate\n"
        'export PATH="/opt/other/bin:$PATH"\npip install b\n'  # 6
    )
    assert hits(script) == [(6, 1, "VG305")]
    target = 'TARGET=/srv/x\npython3 -m venv "$TARGET"\nPATH=$TARGET/bin:$PATH\npip install c\n'
    assert hits(target) == []


def test_a_path_prefix_on_one_command_puts_that_venv_in_effect_for_it() -> None:
    script = (
        'python3 -m venv build\nPATH="$PWD/build/bin:$PATH" pip install a\n'
        'PATH="$PWD/venv/bin:$PATH" pip install b\n'
        'PATH="$HOME/.local/bin:$PATH" pip install c\n'  # 4
        "pip install d\n"  # 5
    )
    assert hits(script) == [(4, 1, "VG305"), (5, 1, "VG305")]


def test_no_user_turns_user_off_and_the_last_of_them_wins() -> None:
    script = (
        "pip install --user --no-user a\n"
        "PIP_USER=1 pip install --no-user b\n"
        "pip install --no-user --user c\n"  # 3
        "pip install --no-u d\n"  # 4: ambiguous with --no-use-pep517, pip stops
    )
    assert hits(script) == [(1, 1, "VG305"), (2, 1, "VG305"), (3, 1, "VG302"), (4, 1, "VG305")]


@pytest.mark.parametrize("scope", ["", "--global ", "--user ", "--site ", "--editor vi "])
def test_pip_config_with_a_scope_still_sets_the_option(scope: str) -> None:
    script = f"pip config {scope}set global.break-system-packages true\n"
    assert hits(script) == [(1, 1, "VG303")]


def test_find_runs_the_command_of_its_exec_action() -> None:
    script = (
        "find . -name requirements.txt -exec sudo pip install -r {} \\;\n"
        "find reqs -type f -execdir pip install --user -r {} +\n"
        "find . -name '*.sh' -exec sh -c 'sudo pip install \"$1\"' _ {} ';'\n"
        "find . -name x -ok pip install --break-system-packages -r {} \\; -print\n"
        "find . -name '*.whl' -print -exec echo {} \\;\n"
        "find . -exec pip install --user pipx \\;\n"  # 6: allowed, the ; is no package
    )
    # A finding points at the command as written, wrappers included (as for xargs).
    assert hits(script) == [(1, 1, "VG301"), (2, 1, "VG302"), (3, 34, "VG301"), (4, 1, "VG303")]


@pytest.mark.parametrize(
    ("script", "column"),
    [
        ("echo $(sudo pip install c)\n", 8),
        ("echo `sudo pip install c`\n", 7),
        ("cat <(sudo pip install c)\n", 7),
        ("ls -l $(sudo pip install c) x\n", 9),
        ("$(sudo pip install c)\n", 3),
        ("echo ${X:-$(sudo pip install c)}\n", 13),
    ],
)
def test_command_substitutions_in_unquoted_arguments_run(script: str, column: int) -> None:
    assert hits(script) == [(1, column, "VG301")]


@pytest.mark.parametrize(
    ("destination", "kind"),
    [
        ("/usr/lib/python3/dist-packages", "system"),
        ("/usr/local", "system"),
        ("/opt/conda/lib/python3.11/site-packages", "system"),
        ("C:\\Python311\\Lib\\site-packages", "system"),
        ('"$(python -c \'import sysconfig; print(sysconfig.get_path("purelib"))\')"', "system"),
        ("\"$(python -c 'import sys; print(sys.prefix)')\"", "system"),
        ("~/.local", "user"),
        ("$HOME/.local/lib/python3.12/site-packages", "user"),
        ("/root/.local", "user"),
        ('"$(python -m site --user-site)"', "user"),
        # Folders of the project, whatever their names say.
        ("./build/site-packages", "local"),
        ("portable_env/lib/python3.13/site-packages", "local"),
        ("./.local_deps", "local"),
        ("vendor/.local", "local"),
        ("/library_cache", "local"),
        ("/libs/x", "local"),
        ("$VENV/lib/python3.12/site-packages", "local"),
        # A venv's own site-packages, wherever it is.
        ("/venv/lib/python3.12/site-packages", "local"),
        ("/opt/app/.venv/lib/python3.11/site-packages", "local"),
        ("/home/me/.virtualenvs/x/lib/python3.9/site-packages", "local"),
        ("/install", "local"),
    ],
)
def test_install_destinations_by_where_they_are(destination: str, kind: str) -> None:
    assert target_kind(destination) == kind


def test_get_pip_piped_into_python_reads_its_arguments() -> None:
    script = (
        "curl -sS https://bootstrap.pypa.io/get-pip.py | python3 - --user\n"
        "curl -sS https://bootstrap.pypa.io/get-pip.py | python3 - --break-system-packages\n"
    )
    assert hits(script) == [(1, 49, "VG302"), (2, 49, "VG303")]


def test_function_arguments_reach_the_commands_in_its_body() -> None:
    script = (
        'pip_install() {\n  python3 -m pip install "$@"\n}\n'
        "pip_install --user requests\n"
        'as_root() { sudo "$@"; }\n'
        "as_root pip3 install numpy\n"
        'second() { pip install "${1}" "$2"; }\n'
        "second --break-system-packages x\n"
    )
    assert hits(script) == [(2, 3, "VG302"), (6, 9, "VG301"), (7, 12, "VG303")]


def test_a_default_for_an_argument_is_used_only_when_the_call_leaves_it_out() -> None:
    script = (
        'download() {\n  local sudo=${2:-""}\n  $sudo $1 install --user torch\n}\n'  # 1-4
        "download pip3 sudo\n"  # 5: runs sudo pip3 install at line 3
        'get() { ${2-sudo} pip install "${1:-x}"; }\n'  # 6
        "get y\n"  # 7: no second argument, so the default sudo
        "again() { ${2:-sudo} pip install --user a; }\n"  # 8
        'again y ""\n'  # 9: an empty argument takes the :- default too
        "quiet() { ${1} ${2-sudo} pip install --user a; }\n"  # 10
        'quiet "" ""\n'  # 11: an empty argument given, so no - default
    )
    assert hits(script) == [(3, 3, "VG301"), (6, 9, "VG301"), (8, 11, "VG301"), (10, 11, "VG302")]


def test_a_variable_set_in_a_branch_or_after_and_reaches_the_install() -> None:
    script = (
        'SUDO=""\nif [ "$(id -u)" -ne 0 ]; then\n  SUDO="sudo"\nfi\n$SUDO pip3 install a\n'  # 5
        'S2=\n[ "$(id -u)" -ne 0 ] && S2=sudo\n$S2 pip3 install b\n'  # 8
        'if [ -n "$NEW" ]; then\n  FLAGS=--break-system-packages\nelse\n  FLAGS=\nfi\n'
        "pip3 install $FLAGS c\n"  # 14: some run breaks the system packages
        "if true; then U=--user; fi\npip3 install $U d\n"  # 16
        'S3=sudo\nif [ "$(id -u)" -eq 0 ]; then S3=""; fi\n$S3 pip3 install e\n'  # 19
        'case "$ID" in\n  root) S4= ;;\n  *) S4=sudo ;;\nesac\n$S4 pip3 install f\n'  # 24
    )
    expected = [(5, 1, "VG301"), (8, 1, "VG301"), (14, 1, "VG303"), (16, 1, "VG302")]
    assert hits(script) == [*expected, (19, 1, "VG301"), (24, 1, "VG301")]


def test_an_activation_in_a_pipeline_or_a_background_job_ends_with_it() -> None:
    script = (
        "source .venv/bin/activate | tee /dev/null\npip install a\n"  # 2
        ". .venv/bin/activate &\npip install b\n"  # 4
        "python3 -m venv v | tee log\nv/bin/pip install --user c\n"  # 6: v was made all the same
    )
    assert hits(script) == [(2, 1, "VG305"), (4, 1, "VG305"), (6, 1, "VG302")]


def test_a_venv_is_left_by_a_path_without_it_or_never_entered_by_running_activate() -> None:
    script = (
        'python3 -m venv .venv\nPATH="$PWD/.venv/bin:$PATH"\npip install a\n'  # 3: in the venv
        "PATH=/usr/bin:/bin\npip install b\n"  # 5: the venv is gone from PATH
        ". .venv/bin/activate\nexport PATH=/opt/tools/bin:$PATH\npip install c\n"  # 8: still in
        "deactivate\n.venv/bin/activate\npip install d\n"  # 11: run, not sourced
    )
    assert hits(script) == [(5, 1, "VG305"), (11, 1, "VG305")]


def test_the_export_attribute_comes_and_goes() -> None:
    script = (
        "export PIP_USER=1\ndeclare +x PIP_USER\npip install a\n"  # 3: no longer exported
        "export PIP_USER\nexport -n PIP_USER\npip install b\n"  # 6
        "set -a\nPIP_BREAK_SYSTEM_PACKAGES=1\nset +a\npip install c\n"  # 10: allexport
        "unset PIP_USER\nPIP_USER=1\npip install d\n"  # 13: set after set +a, not exported
        "set -o allexport\nUV_SYSTEM_PYTHON=1\nuv pip install e\n"  # 16
    )
    expected = [(3, 1, "VG305"), (6, 1, "VG305"), (10, 1, "VG303"), (13, 1, "VG303")]
    assert hits(script) == [*expected, (16, 1, "VG304")]


def test_a_program_looked_up_on_path_is_the_one_a_bare_name_runs() -> None:
    script = (
        "$(which python) -m pip install a\n"  # 1
        "P=`which python3`\n$P -m pip install b\n"  # 3
        ". venv/bin/activate\n$(command -v pip) install c\n"  # 5: the venv's, as pip is
    )
    assert hits(script) == [(1, 1, "VG305"), (3, 1, "VG305")]


def test_a_command_held_in_a_variable_set_in_branches_is_judged_by_its_riskiest_value() -> None:
    script = (
        'if [ "$T" = user ]; then\n  P="pip install --user"\nelse\n'
        '  P="/opt/app/venv/bin/pip install"\nfi\n$P -r requirements.txt\n'  # 6
        'case "$T" in\n  root) Q="sudo pip3 install" ;;\n  *) Q="pip3 install --user" ;;\n'
        "esac\n$Q x\n"  # 11
    )
    assert hits(script) == [(6, 1, "VG302"), (11, 1, "VG301")]


def test_a_function_that_runs_its_arguments_runs_the_install_at_the_call() -> None:
    script = (
        'run() {\n    "$@"\n}\n'  # 1-3
        "run sudo pip install requests\n"  # 4
        'retry () {\n    "$@" || (sleep 1 && "$@")\n}\n'  # 5-7
        "retry pip install --user requests\n"  # 8
        "again () { $* || (sleep 1 && $*); }\n"  # 9
        'pip_install() {\n  again pip install --break-system-packages "$@"\n}\n'  # 10-12
        "pip_install numpy\n"  # 13
    )
    assert hits(script) == [(4, 5, "VG301"), (8, 7, "VG302"), (11, 9, "VG303")]


def test_an_unquoted_empty_variable_before_the_installer_is_no_word() -> None:
    script = 'PIP_SUDO=""\n$PIP_SUDO pip install --user a\nAS=\n"$AS" pip install --user b\n'
    assert hits(script) == [(2, 1, "VG302")]


def test_a_sourced_script_named_for_a_venv_activates_one() -> None:
    script = (
        "source virtualenv.sh\npip install a\n"
        "deactivate\n. ./scripts/setup-venv.sh\npip install b\n"
        "deactivate\nsource ./common.sh\npip install c\n"
    )
    assert hits(script) == [(8, 1, "VG305")]


def test_a_helper_named_for_activating_a_venv_activates_one() -> None:
    script = (
        'source "$(dirname "$0")/utils.sh"\n'
        "virtualenv_activate 3.7 deepspeech\npip install a\n"
        "deactivate_venv\npip install b\n"  # 5
        "activate_venv\npip install c\n"
        "virtualenv_deactivate\npip install d\n"  # 9
        "conda_activate build\npip install e\n"
        "conda_deactivate\nactivate_ci_cache\npip install f\n"  # 14: not about a venv
    )
    assert hits(script) == [(5, 1, "VG305"), (9, 1, "VG305"), (14, 1, "VG305")]


def test_code_in_a_double_quoted_string_with_expansions_keeps_its_lines() -> None:
    script = (
        'docker run img /bin/bash -c "\n  mkdir -p /usr/${ARCH} &&\n'
        '  python -m pip install --break-system-packages x\n"\n'
        'V=1\nbash -c "echo $V\n  pip install --user y"\n'
    )
    assert hits(script) == [(3, 3, "VG303"), (7, 3, "VG302")]


def test_python_named_with_a_version_variable_is_a_bare_python() -> None:
    script = 'python${PY_VERSION} -m pip install a\n"$PYTHON" -m pip install b\n'
    assert hits(script) == [(1, 1, "VG305")]


def test_an_unknown_program_running_the_pip_module_is_a_python() -> None:
    script = (
        '"$(hg debuginstall -T "{pythonexe}")" -m pip install --user x\n'
        "$(pyenv which python) -m pip install y\n"
        "$TOOL -m pip install --break-system-packages z\n"
    )
    assert hits(script) == [(1, 1, "VG302"), (3, 1, "VG303")]


def test_only_a_prefix_comparison_is_a_venv_guard() -> None:
    script = (
        "cp lib/* \"$(python -c 'import sys; print(sys.base_prefix)')/lib\"\n"
        "pip install a\n"
        "python -c 'import sys; sys.exit(sys.prefix == sys.base_prefix)' || exit 1\n"
        "pip install b\n"
        "deactivate\n"
        "if [ \"$(python -c 'import sys; print(sys.prefix != sys.base_prefix)')\" = True ]; then\n"
        "  pip install c\nfi\n"
    )
    assert hits(script) == [(2, 1, "VG305")]


def test_a_batch_variable_set_to_nothing() -> None:
    from venvguard.sources.registry import reader

    analyser = Analyser()
    analyser.run(reader("batch")("make.bat", "set SPHINXOPTS=\r\npip install x\r\n"))
    assert [(hit.line, hit.rules[0][0]) for hit in analyser.hits.values()] == [(2, "VG305")]


@pytest.mark.parametrize(
    ("command", "rule"),
    [
        ("sudo -u builder -H bash -c 'cd ~ && pip install --user x'", "VG302"),
        ("sudo -u postgres pip install x", "VG305"),
        ("sudo -iu app pip install x", "VG305"),
        ('sudo --user="$NB_USER" pip install x', "VG305"),
        ("doas -u builder pip install x", "VG305"),
        ("su app -c 'pip install x'", "VG305"),
        ("su - app -s /bin/sh -c 'pip install x'", "VG305"),
        ("sudo -u root pip install x", "VG301"),
        ("sudo --user=0 pip install x", "VG301"),
        ("sudo -u '#0' pip install x", "VG301"),
        ("su - -c 'pip install x'", "VG301"),
        ("su -s /bin/bash root -c 'pip install x'", "VG301"),
        ("gosu root pip install x", "VG301"),
        ("su-exec 0:0 pip install x", "VG301"),
        ("gosu app pip install x", "VG305"),
    ],
)
def test_sudo_as_another_user_is_not_root(command: str, rule: str) -> None:
    assert [found for _, _, found in hits(command)] == [rule]


@pytest.mark.parametrize(
    ("command", "rule"),
    [
        ("runuser -u root -- pip install x", "VG301"),
        ("runuser -u app -- pip install x", "VG305"),
        ("runuser -s /bin/sh -u root pip install x", "VG301"),
        ("runuser -s /bin/sh root -c 'pip install x'", "VG301"),
        ("runuser -u app pip install --user x", "VG302"),
        ("runuser -l app -c 'pip install x'", "VG305"),
        ("runuser root -c 'pip install x'", "VG301"),
        ("runuser -c 'pip install x'", "VG301"),
        ("flock /tmp/lock pip install --user x", "VG302"),
        ("flock -w 30 /var/lock/apt sudo pip install x", "VG301"),
        ("flock --timeout=30 /tmp/lock -c 'pip install --user x'", "VG302"),
        ("flock -x /tmp/lock --command 'sudo pip install x'", "VG301"),
        ("setsid -f sudo pip install x", "VG301"),
        ('setpriv --reuid=app --clear-groups -- dash -c "exec pip3 install --user x"', "VG302"),
        ("setpriv --reuid app --regid app -- pip3 install --user x", "VG302"),
        ('runuser -u app -- sh -c "pip3 install --user x"', "VG302"),
    ],
)
def test_runuser_flock_and_setsid_run_their_command(command: str, rule: str) -> None:
    assert [found for _, _, found in hits(command)] == [rule]


def test_flock_c_code_is_read_as_a_script_at_its_place() -> None:
    # Column 35 is the "sudo" after "echo ok; " inside the quoted code.
    assert hits("flock -w 5 /tmp/lock -c 'echo ok; sudo pip install x'\n") == [(1, 35, "VG301")]


def test_travis_wait_with_and_without_minutes() -> None:
    script = "travis_wait 30 pip install --user a\ntravis_wait sudo pip install b\n"
    assert [(line, code) for line, _, code in hits(script)] == [(1, "VG302"), (2, "VG301")]


def test_poetry_2_activation_and_the_older_deactivations() -> None:
    script = (
        'eval "$(poetry env activate)"\npip install a\ndeactivate\n'
        "eval $(pdm venv activate)\npip install b\ndeactivate\n"
        "pyenv activate tools\npyenv deactivate\npip install c\n"  # 9
        "source activate build\nsource deactivate\npip install d\n"  # 12
        'eval "$(conda shell.bash hook)"\npip install e\n'  # 14: a hook, not an activation
    )
    assert hits(script) == [(9, 1, "VG305"), (12, 1, "VG305"), (14, 1, "VG305")]


def test_a_loop_variable_takes_the_values_of_its_words() -> None:
    script = (
        'for PYBIN in /opt/python/*/bin; do\n  "${PYBIN}/pip" install -r dev.txt\ndone\n'
        "for py in python3.10 python3.11; do $py -m pip install --user x; done\n"
        "for v in .venv/bin /opt/venvs/a/bin; do $v/pip install y; done\n"
        'for f in "$@"; do $f install z; done\n'  # 6: unknown values, nothing to say
        "for PYBIN in /opt/python/${V}/bin; do ${PYBIN}/python -m pip install w; done\n"
    )
    assert hits(script) == [(2, 3, "VG305"), (4, 37, "VG302"), (7, 39, "VG305")]


def test_an_install_handed_to_an_unknown_wrapper_is_still_an_install() -> None:
    script = (
        'sudo_if() { COMMAND="$*"; if [ "$(id -u)" = 0 ]; then su - "$U" -c "$COMMAND"; '
        "else $COMMAND; fi; }\n"
        "sudo_if /usr/local/bin/python -m pip install --user numpy\n"
        "retry 3 pip install --user requests\n"
        "log_info pip install is done\n"  # not followed by what pip install takes
        "my_echo 'pip install --user x'\n"  # one quoted word: text, not a command
        "git commit -m pip install\n"  # a known program's arguments
        "pipx run pip install x\nnox -s tests -- pip install x\nmake install pip\n"
        "singularity exec img pip install --user x\n"  # a container's own
    )
    assert hits(script) == [(2, 9, "VG302"), (3, 9, "VG302")]


def test_an_unknown_program_run_by_sudo_is_reported_with_the_sudo() -> None:
    # The install is root's because of the sudo in front: the finding starts there.
    script = (
        "sudo checkinstall python setup.py install\n"
        "echo go && sudo systemd-run --wait --pty pip3 install x\n"
        "retry 3 sudo -H pip install y\n"  # the sudo is the install's own
    )
    analyser = Analyser()
    analyser.run([lines_from(script, 1)])
    found = sorted((h.line, h.column, h.rules[0][0], h.text) for h in analyser.hits.values())
    assert found == [
        (1, 1, "VG301", "sudo checkinstall python setup.py install"),
        (2, 12, "VG301", "sudo systemd-run --wait --pty pip3 install x"),
        (3, 9, "VG301", "sudo -H pip install y"),
    ]


def test_a_variable_set_from_an_unknown_value_is_unknown_not_text() -> None:
    # The flags decide the rule whatever the interpreter is.
    script = (
        "PY=$1\n"
        'PIP="$2"\n'
        "$PY -m pip install --user a\n"  # 3
        "sudo $PIP install b\n"  # 4
        '"$PY" -m pip install --break-system-packages c\n'  # 5
        "PYTHON=${PYTHON}\n"
        "$PYTHON -m pip install --user d\n"  # 7
    )
    assert hits(script) == [(3, 1, "VG302"), (4, 1, "VG301"), (5, 1, "VG303"), (7, 1, "VG302")]


def test_a_default_holding_an_expansion_is_expanded() -> None:
    script = (
        'PYTHON=${PYTHON:-"python"}\n'
        'PIP_CALL="${PIP_CALL:-${PYTHON} -m pip install --user}"\n'
        "${PIP_CALL} --upgrade pip\n"
    )
    assert hits(script) == [(3, 1, "VG302")]


def test_uv_aimed_at_a_system_interpreter_is_a_system_install() -> None:
    script = (
        "uv pip install --python /usr/bin/python3 a\n"
        "uv pip install -p /usr/bin/python3.12 b\n"
        "uv pip install --python=/usr/local/bin/python3.12 c\n"
        "UV_PYTHON=/usr/bin/python3 uv pip install d\n"
        "uv pip install --python .venv/bin/python e\n"
        "uv pip install --python 3.12 f\n"
        "uv pip sync -p /usr/bin/python3 requirements.txt\n"
    )
    assert hits(script) == [
        (1, 1, "VG304"),
        (2, 1, "VG304"),
        (3, 1, "VG304"),
        (4, 1, "VG304"),
        (7, 1, "VG304"),
    ]


@pytest.mark.parametrize(
    ("command", "rule"),
    [
        ("bash -euxo pipefail -c 'pip install --user a'", "VG302"),
        ("bash -eo pipefail -c 'sudo pip install b'", "VG301"),
        ('sudo bash -exo pipefail -c "pip install c"', "VG301"),
        ("sh -o errexit -c 'sudo pip install d'", "VG301"),
        ("bash -O extglob -c 'sudo pip install e'", "VG301"),
        ("bash --norc -c 'sudo pip install f'", "VG301"),
        ('su --command="pip install g" root', "VG301"),
        ("su --command='pip install h'", "VG301"),
        ("su -c'pip install i'", "VG301"),
        ("su -l -c 'pip install j'", "VG301"),
        ("env -S 'PIP_BREAK_SYSTEM_PACKAGES=1 pip install k'", "VG303"),
        ("env -S 'sudo pip install l'", "VG301"),
        ("env --split-string='pip install --user m'", "VG302"),
        ("env -iS 'pip install --user n'", "VG302"),
    ],
)
def test_shells_su_and_env_options_that_carry_code(command: str, rule: str) -> None:
    assert [found for _, _, found in hits(command)] == [rule]


def test_su_code_is_placed_where_it_is_written() -> None:
    script = "true\nsu --command=\"pip install seven\" root\nsu -c'pip install nine'\n"
    assert hits(script) == [(2, 15, "VG301"), (3, 7, "VG301")]


def test_assignments_alone_on_a_line_are_no_prefix_of_the_next_command() -> None:
    # tree-sitter-bash may read "A=1 B=2", a blank line and a command as one command
    script = (
        "REPO=$GITHUB_REPOSITORY BRANCH=$GITHUB_REF_NAME\n"
        'sudo python3 -m pip install "https://github.com/$REPO/archive/$BRANCH.tar.gz"\n'
        "PIP_USER=1 OTHER=2\n"
        "\n"
        "pip install --upgrade foo\n"
        "export PIP_USER\n"
        "pip install bar\n"
    )
    assert hits(script) == [(2, 1, "VG301"), (5, 1, "VG305"), (7, 1, "VG302")]


def test_an_install_staged_under_a_root_folder_is_no_system_install() -> None:
    script = (
        'python setup.py install --prefix=/usr --root="$pkgdir" --optimize=1\n'
        'pip install --prefix=/usr --root "$DESTDIR" .\n'
        "pip install --prefix=$APP_PREFIX --root=/ .\n"
        "pip install --prefix=/usr --root=/ a\n"  # 4: the root is the system's own
        "python setup.py install --prefix=/usr/local\n"  # 5
        "pip install --root /usr/lib/python3/dist-packages b\n"  # 6
    )
    assert hits(script) == [(4, 1, "VG304"), (5, 1, "VG304"), (6, 1, "VG304")]


def test_removing_the_externally_managed_marker_breaks_the_system_protection() -> None:
    script = (
        "pip install a\n"  # 1: before it, outside a venv
        "sudo rm -f /usr/lib/python3.*/EXTERNALLY-MANAGED\n"
        "pip install b\n"  # 3
        "python3 -m venv v && v/bin/pip install c\n"
    )
    assert hits(script) == [(1, 1, "VG305"), (3, 1, "VG303")]
    found = "find /usr/lib -name EXTERNALLY-MANAGED -delete\npip3 install d\n"
    assert hits(found) == [(2, 1, "VG303")]


def test_uv_run_as_a_module_installs_into_the_python_that_runs_it() -> None:
    script = (
        "python -m uv pip install a\n"  # 1: the parent interpreter, no venv
        "python3 -m uv pip install --system b\n"  # 2
        "uv pip install c\n"  # 3: uv's own search for a venv
        "python -m venv v && . v/bin/activate\n"
        "python -m uv pip install d\n"
        "v/bin/python -m uv pip install e\n"
    )
    assert hits(script) == [(1, 1, "VG305"), (2, 1, "VG304")]


def test_an_install_written_at_the_call_of_a_function_is_reported_there() -> None:
    script = (
        "function build_pip {\n"
        '    "${MINGW_ROOT}"/bin/python3.exe -m pip "$@"\n'
        "}\n"
        "build_pip install --break-system-packages feedparser\n"  # 4
        "build_pip install --user musicbrainzngs\n"  # 5
        "build_pip list\n"
        'pipi() { sudo pip install "$@"; }\n'  # 7: the install is written in the body
        "pipi a\n"
        "pipi b\n"
    )
    assert hits(script) == [(4, 1, "VG303"), (5, 1, "VG302"), (7, 10, "VG301")]


def test_a_function_that_runs_its_arguments_in_either_branch_reports_one_install() -> None:
    script = (
        "sudoUserIf() {\n"
        '  if [ "$(id -u)" -eq 0 ]; then\n'
        '    sudo -u "$USERNAME" "$@"\n'
        "  else\n"
        '    "$@"\n'
        "  fi\n"
        "}\n"
        "sudoUserIf python -m pip install numpy\n"  # 8
    )
    assert hits(script) == [(8, 12, "VG305")]


def test_ansi_c_quoted_code_has_its_escapes_read() -> None:
    script = (
        "sh -c $'echo start\\nsudo pip install a'\n"  # the \n is a line break to sh
        "bash -c $'pip install \\x2d-user b'\n"
        "pip install $'--\\u0075ser' c\n"
        "echo $'sudo pip install d'\n"
    )
    assert [rule for _, _, rule in hits(script)] == ["VG301", "VG302", "VG302"]
    assert [line for line, _, _ in hits(script)] == [1, 2, 3]


def test_env_can_unset_or_clear_the_environment_it_runs_with() -> None:
    script = (
        "export PIP_USER=1\n"
        "env -u PIP_USER pip install a\n"  # 2: VG305
        "env --unset PIP_USER pip install b\n"  # 3: VG305
        "env --unset=PIP_USER pip install c\n"  # 4: VG305
        "env -i pip install d\n"  # 5: VG305
        "env --ignore-environment pip install e\n"  # 6: VG305
        "env - PIP_BREAK_SYSTEM_PACKAGES=1 pip install f\n"  # 7: VG303, a lone - is -i
        "env -u OTHER pip install g\n"  # 8: still VG302
    )
    assert hits(script) == [
        (2, 1, "VG305"),
        (3, 1, "VG305"),
        (4, 1, "VG305"),
        (5, 1, "VG305"),
        (6, 1, "VG305"),
        (7, 1, "VG303"),
        (8, 1, "VG302"),
    ]


def test_pip_isolated_ignores_the_environment_and_config() -> None:
    script = (
        "export PIP_USER=1 PIP_BREAK_SYSTEM_PACKAGES=1\n"
        "pip install --isolated a\n"  # 2: VG305
        "pip --isolated install b\n"  # 3: VG305
        "pip install --isol --user c\n"  # 4: the option itself still counts
        "pip install d\n"  # 5: VG303
    )
    assert hits(script) == [(2, 1, "VG305"), (3, 1, "VG305"), (4, 1, "VG302"), (5, 1, "VG303")]


def test_quote_removal_and_line_joins_inside_words() -> None:
    script = (
        "p\\ip install --user a\n"  # 1
        'pi""p install --user b\n'  # 2
        "pip ins\\\ntall --user c\n"  # 3: a backslash-newline inside a word joins it
        "time { sudo pip install d; }\n"  # 5
        "time -p { pip install --user e; }\n"  # 6
    )
    assert hits(script) == [
        (1, 1, "VG302"),
        (2, 1, "VG302"),
        (3, 1, "VG302"),
        (5, 1, "VG301"),  # a wrapped install is placed at its wrapper
        (6, 1, "VG302"),
    ]


def test_each_branch_starts_from_the_state_before_the_if() -> None:
    script = (
        "if [ -d venv ]; then\n"
        "  source venv/bin/activate\n"
        "elif [ -d .tox ]; then\n"
        "  pip install a\n"  # 4: the venv of the first branch is not in effect here
        "else\n"
        "  pip install b\n"  # 6
        "fi\n"
        "pip install c\n"  # after the if: some branch may have activated one
    )
    assert hits(script) == [(4, 3, "VG305"), (6, 3, "VG305")]
    script = (
        "case $1 in\n"
        "  dev) export PIP_USER=1 ;;\n"
        "  *) pip install d ;;\n"  # 3: PIP_USER is the other branch's
        "esac\n"
        "pip install e\n"  # 5: PIP_USER may be set now
    )
    assert hits(script) == [(3, 6, "VG305"), (5, 1, "VG302")]


def test_sourcing_virtualenvwrapper_defines_commands_and_activates_nothing() -> None:
    script = (
        "source /usr/local/bin/virtualenvwrapper.sh\n"
        "pip install a\n"  # 2
        "workon project\n"
        "pip install b\n"
        "deactivate\n"
        "mkvirtualenv -p python3 other\n"  # makes the venv and activates it
        "pip install c\n"
    )
    assert hits(script) == [(2, 1, "VG305")]


def test_an_interpreter_found_by_a_command_substitution_still_installs() -> None:
    script = (
        "PYTHON=$(command -v python3)\n"
        "$PYTHON -m pip install --user --upgrade rpyc\n"  # 2: VG302 whatever the Python
        'PY="$(which python3)"\n'
        '"$PY" -m pip install --break-system-packages x\n'  # 4
    )
    assert hits(script) == [(2, 1, "VG302"), (4, 1, "VG303")]


def test_an_activation_behind_an_unknown_prefix_variable_still_activates() -> None:
    script = "python3 -m venv venv\n$STD source venv/bin/activate\n$STD pip install gunicorn\n"
    assert hits(script) == []


def test_a_pip_config_file_written_by_a_script_sets_its_options() -> None:
    script = (
        "mkdir -p ~/.config/pip\n"
        "cat >~/.config/pip/pip.conf <<EOF\n"
        "[global]\n"
        "break-system-packages = true\n"
        "EOF\n"
        "pip install deluge\n"  # 6: VG303
        "printf '[install]\\nuser = yes\\n' > /etc/pip.conf\n"
        "pip install other\n"  # 8: VG303 still, the first file's setting stays
        "python3 -m venv venv && . venv/bin/activate\n"
        "pip install third\n"  # 10: in a venv break-system-packages does nothing; user does
    )
    assert hits(script) == [(6, 1, "VG303"), (8, 1, "VG303"), (10, 1, "VG302")]
    script = "echo '[global]\nuser = true' | tee /etc/pip.conf\npip install x\n"
    assert hits(script) == [(3, 1, "VG302")]
    script = "cat > pip.conf <<EOF\n[global]\nbreak-system-packages = false\nEOF\npip install x\n"
    assert hits(script) == [(5, 1, "VG305")]


def test_pip_config_set_holds_for_the_later_installs() -> None:
    script = (
        "pip3 config set global.break-system-packages true\n"
        "pip3 install a\n"  # 2: VG303, as if it had the flag
        "python3 -m pip config --user set install.user yes\n"
        "pip3 install b\n"  # 4: VG303 outranks VG302
        "python3 -m venv v && . v/bin/activate\n"
        "pip install c\n"  # 6: in a venv only the user setting does something
    )
    expected = [(1, 1, "VG303"), (2, 1, "VG303"), (3, 1, "VG302"), (4, 1, "VG303")]
    assert hits(script) == [*expected, (6, 1, "VG302")]
    script = "pip config set global.break-system-packages false\npip install a\n"
    assert hits(script) == [(2, 1, "VG305")]


def test_a_quoted_blank_in_a_test_pattern_does_not_end_the_parse() -> None:
    script = (
        'if [[ $name = *" "* ]]; then\n  echo "a space"\nfi\n'
        'if [[ $x != "  "* ]]; then :; fi\n'
        "sudo -H python3 -m pip install --upgrade pipx\n"  # 5
    )
    assert hits(script) == [(5, 1, "VG301")]


def test_semicolons_in_a_parameter_default_do_not_end_the_parse() -> None:
    script = (
        'var_tags="${var_tags:-automation;smarthome;docker}"\n'
        "echo ${x:-a;b}\n"
        "pip install -U runlike\n"
    )
    assert hits(script) == [(3, 1, "VG305")]


def test_an_unquoted_expansion_loses_the_spaces_around_its_one_field() -> None:
    script = 'ARGS=""\nARGS="${ARGS} --user"\npip install ${ARGS} x\n'
    assert hits(script) == [(3, 1, "VG302")]


def test_a_commands_own_environment_reaches_the_shell_it_starts() -> None:
    # VAR=x sh -c '...' and env VAR=x sh -c '...': the child shell runs with VAR set.
    script = (
        "PIP_USER=1 bash -c 'pip install a'\n"
        "env PIP_BREAK_SYSTEM_PACKAGES=1 sh -c 'pip install b'\n"
        "UV_SYSTEM_PYTHON=1 sh -c 'uv pip install c'\n"
        "env VIRTUAL_ENV=/opt/v PATH=/opt/v/bin:/usr/bin sh -c 'pip install d'\n"
        "export PIP_USER=1\n"
        "env -u PIP_USER sh -c 'pip install e'\n"  # 6: taken away again: the interpreter's
        "env -i sh -c 'pip install f'\n"  # 7: an empty environment
        "PIP_USER=1 ssh host 'pip install g'\n"  # 8: nor the exported one: ssh passes neither on
    )
    assert hits(script) == [
        (1, 21, "VG302"),
        (2, 40, "VG303"),
        (3, 27, "VG304"),
        (6, 24, "VG305"),
        (7, 15, "VG305"),
    ]


def test_uv_into_the_interpreter_of_a_venv_made_earlier() -> None:
    script = (
        "uv venv /uv && UV_PYTHON=/uv/bin/python uv pip install a\n"
        "uv venv /uv2\n"
        "uv pip install --python /uv2/bin/python b\n"
        "uv pip install --python /opt/bin/python c\n"  # 4: no venv made there
    )
    assert hits(script) == [(4, 1, "VG304")]


def test_a_double_equals_word_in_a_group_loses_nothing_after_it() -> None:
    # tree-sitter-bash reads the rest of a { } or ( ) group after "test a == b" as a regex.
    script = (
        "f() {\n"
        '    test "$m" == a\n'
        "    sudo pip install b\n"  # 3
        "}\n"
        "( echo x =~ y; pip install --user c )\n"  # 5
        '[[ "$m" == a ]] && { sudo pip install d; }\n'  # 6
        "f\n"
    )
    assert hits(script) == [(3, 5, "VG301"), (5, 16, "VG302"), (6, 22, "VG301")]


def test_an_activate_path_of_two_unquoted_variables_activates() -> None:
    # tree-sitter-bash splits "/v/$A/$B/bin/activate" after the second "$".
    script = (
        "source /home/ci/envs/$PythonVersion/$packages/bin/activate\n"
        "pip install ipython\n"
        "deactivate\n"
        "sudo $HOME/$B/bin/pip install x\n"  # 4: one word: its venv's pip, run as root
        "$HOME/$B/bin/pip install --user y\n"  # 5
    )
    assert hits(script) == [(4, 1, "VG301"), (5, 1, "VG302")]


def test_a_default_assigned_in_an_expansion_sets_the_variable() -> None:
    script = (
        ': "${UV=uv}"\n'
        '"$UV" pip install a\n'  # uv pip: it refuses to run outside a venv
        ': "${PY:=python3}"\n'
        '"$PY" -m pip install b\n'  # 4
        "uv=$(command -v uv)\n"
        ': "${UV2=${uv:-uv-not-found}}"\n'  # a default that is an expansion itself
        '"$UV2" pip install c\n'  # uv pip again
        "PIP=pip3\n"
        ': "${PIP:=sudo pip}"\n'  # 9: set already, the default is not taken
        "$PIP install --user d\n"  # 10
    )
    assert hits(script) == [(4, 1, "VG305"), (10, 1, "VG302")]


def test_a_doubled_slash_in_a_path_is_one() -> None:
    script = (
        "for PYBIN in /opt/python/*/bin/; do\n"
        '    "${PYBIN}/pip" install pymssql\n'  # 2: /opt/python/*/bin//pip
        "done\n"
        "python3 -m venv /srv/env\n"
        "/srv/env//bin/pip install a\n"  # 5: the venv's own pip
        "sudo /srv//env/bin/python -m pip install b\n"  # 6
    )
    assert hits(script) == [(2, 5, "VG305"), (6, 1, "VG301")]


def test_code_nested_too_deep_to_walk_loses_nothing_around_it() -> None:
    deep = "echo " + "$(echo " * 300 + "sudo pip install deep" + ")" * 300
    script = f"sudo pip install before\n{deep}\nsudo pip install after\n"
    analyser = Analyser()
    analyser.run([lines_from(script, 1)])
    assert [(hit.line, hit.column) for hit in analyser.hits.values()] == [(1, 1), (3, 1)]
    assert set(analyser.problems) == {2}


@pytest.mark.parametrize(
    ("script", "found"),
    [
        ('[ -n "$VIRTUAL_ENV" ] || pip install a\n', [(1, 26, "VG305")]),
        ('[ -n "$VIRTUAL_ENV" ] && pip install a\n', []),
        ('test -z "$VIRTUAL_ENV" && pip install a\n', [(1, 27, "VG305")]),
        ('! [ -n "$VIRTUAL_ENV" ] && pip install a\n', [(1, 28, "VG305")]),
        ('if [ -z "${VIRTUAL_ENV:-}" ]; then pip install a; fi\n', [(1, 36, "VG305")]),
        (
            "if [[ -n $VIRTUAL_ENV ]]; then pip install a; else pip install b; fi\n",
            [(1, 52, "VG305")],
        ),
        ('if [ -z "$VIRTUAL_ENV" ]; then pip install --user a; fi\n', [(1, 32, "VG302")]),
        # Deactivated if one was in effect; none was otherwise.
        ('if [ ! -z "$VIRTUAL_ENV" ]; then\n  deactivate\nfi\npip install a\n', [(4, 1, "VG305")]),
        # The guard: whatever runs after it runs in a venv.
        (
            'if [ "x$VIRTUAL_ENV" = "x" ]; then\n  echo "activate one first" >&2\n  exit 1\nfi\n'
            "pip install a\n",
            [],
        ),
        ('[ -n "$VIRTUAL_ENV" ] || exit 1\npip install a\n', []),
        ('[ -z "$VIRTUAL_ENV" ] && { echo "no venv"; exit 1; }\npip install a\n', []),
        (
            'if [ -n "$VIRTUAL_ENV" ]; then pip install a; else die "no venv"; fi\npip install b\n',
            [],
        ),
        # A test that only warns: a run with no venv in effect still goes on to install.
        (
            'if [ -z "$VIRTUAL_ENV" ]; then\n  echo "warning: installing globally"\nfi\n'
            "pip install -r requirements.txt\n",
            [(4, 1, "VG305")],
        ),
        (
            '[ -n "$VIRTUAL_ENV" ] || pip install a\n'
            '[ -n "$VIRTUAL_ENV" ] && echo in "$VIRTUAL_ENV"\n'
            'if [ -z "$VIRTUAL_ENV" ]; then pip install b; fi\npip install c\n',
            [(1, 26, "VG305"), (3, 32, "VG305"), (4, 1, "VG305")],
        ),
        (
            'if [ -z "$VIRTUAL_ENV" ]; then\n  python3 -m venv .venv\n  . .venv/bin/activate\nfi\n'
            "pip install a\n",
            [],
        ),
        # A venv in effect before the test stays in effect; a test of more than
        # VIRTUAL_ENV is taken as a guard, as before.
        (
            ". .venv/bin/activate\n"
            'if [ -z "$VIRTUAL_ENV" ]; then echo "activation failed"; fi\npip install a\n',
            [],
        ),
        (
            'if [[ -z "$VIRTUAL_ENV" && -z "$CONDA_PREFIX" ]]; then exit 1; fi\npip install a\n',
            [],
        ),
    ],
)
def test_a_test_of_virtual_env_tells_which_way_it_goes(
    script: str, found: list[tuple[int, int, str]]
) -> None:
    assert hits(script) == found


def test_a_command_run_in_a_container_or_over_ssh_has_none_of_our_environment() -> None:
    script = (
        "export PIP_USER=1 PIP_BREAK_SYSTEM_PACKAGES=1\n"
        "docker run --rm python:3.12 pip install a\n"
        "ssh host pip install b\n"
        "PIP_USER=1 kubectl exec pod -- pip install c\n"
        "pip install d\n"  # 5: here, with both
    )
    assert hits(script) == [(5, 1, "VG303")]


def test_eval_runs_its_code_in_this_shell() -> None:
    script = (
        'eval ". .venv/bin/activate"\n'
        "pip install a\n"
        "deactivate\n"
        "eval export PIP_USER=1 SUDO=sudo\n"
        "$SUDO pip install b\n"  # 5
        "bash -c 'export PIP_BREAK_SYSTEM_PACKAGES=1'\n"  # a child shell's export ends with it
        "pip install c\n"  # 7
    )
    assert hits(script) == [(5, 1, "VG301"), (7, 1, "VG302")]


def test_bash_arrays_expand_to_their_elements() -> None:
    script = (
        "cmd=(sudo pip install a)\n"
        '"${cmd[@]}"\n'  # 2
        "opts=(--user --upgrade)\n"
        'pip install "${opts[@]}" b\n'  # 4
        "pip install ${opts[*]} c\n"  # 5
        "declare -a flags=(--break-system-packages)\n"
        'pip install "${flags[0]}" d\n'  # 7
        "safe=(--upgrade)\n"
        'python3 -m venv .venv && .venv/bin/pip install "${safe[@]}" e\n'
    )
    assert hits(script) == [(2, 1, "VG301"), (4, 1, "VG302"), (5, 1, "VG302"), (7, 1, "VG303")]

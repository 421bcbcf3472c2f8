"""The composite action, validated against GitHub's schema and run step by step.

``ActionRunner`` executes ``action.yml`` the way the Actions runner does for a composite
action: each ``run`` step in ``bash --noprofile --norc -eo pipefail {0}``, with its own
``GITHUB_OUTPUT`` and ``GITHUB_STEP_SUMMARY`` files, ``${{ }}`` expressions substituted in
``env:`` values and ``if:`` conditions only, and the action's outputs read from its steps.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from . import clients
from .clients import CLEAN_REPO, DIRTY_EXECUTABLES, DIRTY_REPO, ROOT, make_repo
from .test_reporters import assert_code_scanning_accepts

ACTION = ROOT / "action.yml"
WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"
_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")

pytestmark = pytest.mark.slow


@dataclass
class ActionRun:
    status: int  # the exit status of the step that ended the run (0: all passed)
    stdout: str
    stderr: str
    outputs: dict[str, str]
    summary: str
    steps_run: list[str] = field(default_factory=list)

    @property
    def annotations(self) -> list[tuple[str, dict[str, str], str]]:
        found = []
        for line in self.stdout.splitlines():
            match = re.match(r"^::(error|warning|notice)( [^:]*)?::(.*)$", line)
            if match:
                properties = dict(
                    pair.split("=", 1) for pair in (match.group(2) or "").strip().split(",") if pair
                )
                found.append((match.group(1), properties, match.group(3)))
        return found


def parse_output_file(text: str) -> dict[str, str]:
    """``$GITHUB_OUTPUT``: ``name=value`` lines and ``name<<DELIMITER`` blocks."""
    outputs: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            block = []
            for inner in lines:
                if inner == delimiter:
                    break
                block.append(inner)
            outputs[name] = "\n".join(block)
        elif "=" in line:
            name, value = line.split("=", 1)
            outputs[name] = value
    return outputs


class ActionRunner:
    def __init__(self, action_path: Path, runner_temp: Path, base_env: Mapping[str, str]) -> None:
        self.action_path = action_path
        self.runner_temp = runner_temp
        self.base_env = dict(base_env)
        self.action: dict[str, Any] = yaml.safe_load(
            (action_path / "action.yml").read_text(encoding="utf-8")
        )

    def _lookup(self, expression: str, context: Mapping[str, Any]) -> str:
        parts = expression.split(".")
        if len(parts) == 4 and parts[0] == "steps" and parts[2] == "outputs":
            # A step that was skipped or set no such output yields '' (null), as on GitHub.
            assert parts[1] in context["steps"], f"no step {parts[1]!r} before this one"
            return str(context["steps"][parts[1]]["outputs"].get(parts[3], ""))
        value: Any = context
        for part in parts:
            if not isinstance(value, Mapping) or part not in value:
                raise AssertionError(f"the executor does not know ${{{{ {expression} }}}}")
            value = value[part]
        return str(value)

    def _evaluate(self, expression: str, context: Mapping[str, Any]) -> str | bool:
        comparison = re.fullmatch(r"(\S+)\s*(==|!=)\s*'([^']*)'", expression)
        if comparison:
            left = self._lookup(comparison.group(1), context)
            equal = left == comparison.group(3)
            return equal if comparison.group(2) == "==" else not equal
        return self._lookup(expression, context)

    def _substitute(self, text: str, context: Mapping[str, Any]) -> str:
        return _EXPRESSION.sub(lambda m: str(self._evaluate(m.group(1), context)), text)

    def run(self, workspace: Path, **inputs: str) -> ActionRun:
        declared = self.action["inputs"]
        unknown = set(inputs) - set(declared)
        assert not unknown, f"not inputs of the action: {unknown}"
        values = {
            name: inputs.get(name, spec.get("default", "")) for name, spec in declared.items()
        }
        steps: dict[str, dict[str, Any]] = {}
        context: dict[str, Any] = {
            "inputs": values,
            "github": {"action_path": str(self.action_path), "workspace": str(workspace)},
            "runner": {"temp": str(self.runner_temp)},
            "steps": steps,
        }
        env = {
            **self.base_env,
            "GITHUB_ACTIONS": "true",
            "CI": "true",
            "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_ACTION_PATH": str(self.action_path),
            "RUNNER_TEMP": str(self.runner_temp),
        }
        result = ActionRun(0, "", "", {}, "")
        for number, step in enumerate(self.action["runs"]["steps"]):
            step_id = step.get("id", f"__{number}")
            steps[step_id] = {"outputs": {}, "outcome": "skipped"}
            condition = step.get("if")
            if condition is not None and not self._evaluate(condition.strip(), context):
                continue
            assert "uses" not in step, f"step {step_id} needs {step['uses']}: not run here"
            assert step.get("shell") == "bash", f"step {step_id}: every run step needs a shell"
            files = Path(tempfile.mkdtemp(prefix="_runner_file_commands_", dir=self.runner_temp))
            output_file, summary_file = files / "output", files / "summary"
            output_file.write_text("")
            summary_file.write_text("")
            script = files / "script.sh"
            script.write_text(step["run"], encoding="utf-8")
            step_env = {
                **env,
                **{k: self._substitute(str(v), context) for k, v in step.get("env", {}).items()},
                "GITHUB_OUTPUT": str(output_file),
                "GITHUB_STEP_SUMMARY": str(summary_file),
            }
            completed = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                cwd=workspace,
                env=step_env,
                capture_output=True,
                text=True,
                check=False,
            )
            result.steps_run.append(step_id)
            result.stdout += completed.stdout
            result.stderr += completed.stderr
            result.summary += summary_file.read_text(encoding="utf-8")
            steps[step_id]["outputs"] = parse_output_file(output_file.read_text(encoding="utf-8"))
            if completed.returncode != 0:
                result.status = completed.returncode
                break
        for name, spec in self.action.get("outputs", {}).items():
            result.outputs[name] = self._substitute(spec["value"], context)
        return result


@pytest.fixture(scope="session")
def runner(tmp_path_factory: pytest.TempPathFactory) -> ActionRunner:
    """A runner whose ``RUNNER_TEMP`` every worker shares, so the action installs once."""
    wheels = clients.wheelhouse(tmp_path_factory)
    action_path = clients.hook_repository(tmp_path_factory)
    runner_temp = clients.shared_dir(tmp_path_factory, "runner-temp", lambda _: None)
    env = clients.offline_env(
        wheels,
        runner_temp.parent / "runner-home",
        # `python3` on the runner's PATH: the interpreter of this test run.
        PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]),
        GITHUB_SERVER_URL="https://github.example",
        GITHUB_REPOSITORY="octo/app",
        GITHUB_SHA="0123abc",
    )
    return ActionRunner(action_path, runner_temp, env)


@pytest.fixture(scope="session")
def dirty_run(runner: ActionRunner, tmp_path_factory: pytest.TempPathFactory) -> ActionRun:
    """The action on the dirty fixture with a SARIF file: the first run, which installs."""

    def build(base: Path) -> None:
        workspace = make_repo(base.parent / "action-workspace", DIRTY_REPO, DIRTY_EXECUTABLES)
        run = runner.run(workspace, **{"sarif-file": "reports/venvguard.sarif"})
        (base / "run.json").write_text(json.dumps(asdict(run)), encoding="utf-8")

    shared = clients.shared_dir(tmp_path_factory, "action-dirty-run", build)
    return ActionRun(**json.loads((shared / "run.json").read_text(encoding="utf-8")))


def check_jsonschema(schema: str, path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_action_yml_is_valid_for_github() -> None:
    completed = check_jsonschema("vendor.github-actions", ACTION)
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_workflow_is_valid_for_github_and_uses_the_action_on_itself() -> None:
    completed = check_jsonschema("vendor.github-workflows", WORKFLOW)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    assert any(step.get("uses") == "./" for step in steps)
    assert any(step.get("run") == "python3 dev.py test" for step in steps)


def test_inputs_reach_scripts_only_through_env() -> None:
    action = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    mapped: set[str] = set()
    for step in action["runs"]["steps"]:
        if "run" in step:
            assert "${{" not in step["run"], step["name"]
            mapped |= {
                m.group(1)
                for value in step.get("env", {}).values()
                for m in re.finditer(r"inputs\.([\w-]+)", str(value))
            }
    # Every input is used: python-version by the setup step, the rest by the check.
    assert mapped | {"python-version"} == set(action["inputs"])


def test_dirty_repository_fails_with_annotations_summary_sarif_and_outputs(
    dirty_run: ActionRun,
) -> None:
    """Waits on VG1 (VG102, VG103), VG2 (VG201) and VG3 (VG301, VG302)."""
    run = dirty_run
    assert run.steps_run == ["install", "check"], run.stderr
    assert run.status == 1, run.stdout + run.stderr
    by_title = {
        props.get("title", "").split(" ")[0]: (kind, props) for kind, props, _ in run.annotations
    }
    for code in ("VG102", "VG103", "VG201", "VG301", "VG302"):
        assert code in by_title, run.stdout
        assert by_title[code][0] == "error"
    assert by_title["VG301"][1]["file"] == "scripts/install.sh"
    assert by_title["VG301"][1]["line"] == "2"
    assert by_title["VG302"][1]["file"] == "bin/bootstrap"
    assert by_title["VG201"][1]["file"] == "requirements.txt"
    # The summary lists every finding, with links to the commit.
    assert run.summary.startswith("## venvguard\n")
    errors = int(run.outputs["errors"])
    assert run.outputs["findings"] == str(errors + int(run.outputs["warnings"]))
    assert errors >= 5
    rows = [line for line in run.summary.splitlines() if line.startswith("| error |")]
    assert len(rows) == errors
    assert "https://github.example/octo/app/blob/0123abc/scripts/install.sh#L2" in run.summary
    # SARIF where asked, reported as an absolute path.
    sarif_path = Path(run.outputs["sarif-file"])
    assert sarif_path.is_absolute() and sarif_path.name == "venvguard.sarif"
    assert sarif_path.parent.name == "reports"
    log = json.loads(sarif_path.read_text(encoding="utf-8"))
    assert_code_scanning_accepts(log)
    assert len(log["runs"][0]["results"]) == errors + int(run.outputs["warnings"])
    # The full text report is in a collapsed group of the log.
    assert "::group::venvguard report\n" in run.stdout


def test_clean_repository_passes_and_reuses_the_installed_venv(
    runner: ActionRunner, dirty_run: ActionRun, tmp_path: Path
) -> None:
    """Waits on VG1, VG2, VG3 only in that none of them may flag the clean project."""
    workspace = make_repo(tmp_path / "app", CLEAN_REPO, ("scripts/setup.sh",))
    marker = runner.runner_temp / "venvguard-venv" / ".installed-from"
    installed = marker.stat().st_mtime_ns
    run = runner.run(workspace)
    assert marker.stat().st_mtime_ns == installed
    assert run.status == 0, run.stdout + run.stderr
    assert run.outputs == {"findings": "0", "errors": "0", "warnings": "0", "sarif-file": ""}
    assert not [a for a in run.annotations if a[0] != "notice"]
    assert ":white_check_mark: No findings" in run.summary


def test_fail_on_never_reports_but_passes(runner: ActionRunner, dirty_run: ActionRun) -> None:
    workspace = Path(dirty_run.outputs["sarif-file"]).parents[1]
    run = runner.run(workspace, **{"fail-on": "never", "select": "VG1"})
    assert run.status == 0, run.stdout + run.stderr
    assert int(run.outputs["errors"]) >= 2  # waits on VG1
    assert {props["title"][:3] for _, props, _ in run.annotations} == {"VG1"}


def test_bad_inputs_fail_with_one_clear_error(runner: ActionRunner, dirty_run: ActionRun) -> None:
    workspace = Path(dirty_run.outputs["sarif-file"]).parents[1]
    run = runner.run(workspace, **{"fail-on": "sometimes"})
    assert run.status == 2
    assert run.annotations == [
        (
            "error",
            {"title": "venvguard"},
            "input 'fail-on' must be error, warning or never, not 'sometimes'",
        )
    ]
    bad_args = runner.run(workspace, args="--no-such-option")
    assert bad_args.status == 2
    assert "unrecognized arguments: --no-such-option" in bad_args.stderr


def test_inputs_are_data_not_shell(runner: ActionRunner, dirty_run: ActionRun) -> None:
    workspace = Path(dirty_run.outputs["sarif-file"]).parents[1]
    canary = workspace / "pwned"
    run = runner.run(
        workspace,
        path=f'"$(touch {canary})"',
        args=f"--select 'VG1' ; touch {canary}",
    )
    assert not canary.exists()
    assert run.status == 2
    assert run.annotations[0][0] == "error"


def test_readme_workflow_is_valid_and_uploads_the_sarif(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.findall(r"```yaml\n(# \.github/workflows/.*?)```", readme, re.DOTALL)
    assert found, "README shows no workflow"
    workflow = tmp_path / "venvguard.yml"
    workflow.write_text(found[0], encoding="utf-8")
    completed = check_jsonschema("vendor.github-workflows", workflow)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    steps = yaml.safe_load(found[0])["jobs"]["venvguard"]["steps"]
    action = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    ours = next(step for step in steps if step.get("id") == "venvguard")
    assert set(ours["with"]) <= set(action["inputs"])
    upload = next(step for step in steps if "upload-sarif" in step.get("uses", ""))
    assert upload["with"]["sarif_file"] == "${{ steps.venvguard.outputs.sarif-file }}"

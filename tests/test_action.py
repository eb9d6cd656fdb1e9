"""The GitHub Action (action.yml), offline: its metadata against the rules GitHub applies, and its
`run:` steps executed as a runner would, with a simulated GITHUB_WORKSPACE, GITHUB_OUTPUT,
GITHUB_STEP_SUMMARY and GITHUB_ACTION_PATH. `uses:` steps (the SARIF upload) are not run; the test
checks what they would receive."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.helpers import FIXTURES, ROOT
from tests.test_cli import sarif_validator

ACTION = yaml.safe_load((ROOT / "action.yml").read_text("utf-8"))
SCHEMA = json.loads((ROOT / "tests" / "schemas" / "action.schema.json").read_text("utf-8"))
_EXPRESSION_RE = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
# The only expressions action.yml may use, so that this file can evaluate them like the runner.
_CONTEXT_RE = re.compile(r"^(inputs\.[A-Za-z0-9_-]+|steps\.[A-Za-z0-9_-]+\.outputs\.[A-Za-z0-9_-]+)$")
_COMPARE_RE = re.compile(r"^(\S+)\s*(==|!=)\s*'([^']*)'$")


def test_metadata_validates_against_the_offline_schema():
    jsonschema.Draft202012Validator(SCHEMA).validate(ACTION)


def test_inputs_and_outputs_are_the_documented_ones():
    assert set(ACTION["inputs"]) == {"paths", "format", "fail-on", "config", "sarif-file", "upload-sarif",
                                     "category", "version"}
    assert set(ACTION["outputs"]) == {"findings", "sarif-file"}
    assert ACTION["inputs"]["upload-sarif"]["default"] == "true"
    assert ACTION["inputs"]["format"]["default"] == "github"  # annotations on the pull request
    [upload] = [s for s in ACTION["runs"]["steps"] if "uses" in s]
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")


def _expressions(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [e for v in value.values() for e in _expressions(v)]
    if isinstance(value, list):
        return [e for v in value for e in _expressions(v)]
    return _EXPRESSION_RE.findall(value) if isinstance(value, str) else []


def _terms(expression: str) -> list[str]:
    return [t.strip() for t in expression.split("&&")]


def test_expressions_reference_declared_inputs_and_earlier_steps():
    """What `actionlint` would catch offline: unknown inputs, steps used before they run, outputs no
    step writes, dead inputs, and `${{ }}` inside a script (script injection)."""
    steps = ACTION["runs"]["steps"]
    written: dict[str, set[str]] = {}  # step id -> outputs its script writes
    used_inputs: set[str] = set()
    for step in steps:
        assert "${{" not in step.get("run", ""), f"step {step.get('name')}: pass values through env:"
        for expression in _expressions({k: v for k, v in step.items() if k != "run"}):
            for term in _terms(expression):
                match = _COMPARE_RE.match(term)
                name = match.group(1) if match else term
                if name == "always()":
                    continue
                assert _CONTEXT_RE.match(name), f"unsupported expression {term!r}"
                if name.startswith("inputs."):
                    assert name.split(".")[1] in ACTION["inputs"], name
                    used_inputs.add(name.split(".")[1])
                else:
                    _, step_id, _, output = name.split(".")
                    assert output in written.get(step_id, set()), f"{name} is not written by an earlier step"
        if "id" in step:
            written[step["id"]] = set(re.findall(r'echo "([A-Za-z0-9_-]+)=[^"]*" >> "\$GITHUB_OUTPUT"', step.get("run", "")))
    for output in ACTION["outputs"].values():
        [expression] = _EXPRESSION_RE.findall(output["value"])
        _, step_id, _, name = expression.split(".")
        assert name in written[step_id]
    assert used_inputs == set(ACTION["inputs"]), f"declared but unused: {set(ACTION['inputs']) - used_inputs}"


# --- running the steps -------------------------------------------------------------------------


def _evaluate(expression: str, inputs: dict[str, str], outputs: dict[str, dict[str, str]]) -> str:
    name = expression.strip()
    if name.startswith("inputs."):
        return inputs[name.split(".", 1)[1]]
    _, step_id, _, output = name.split(".")
    return outputs.get(step_id, {}).get(output, "")


def _substitute(text: str, inputs: dict[str, str], outputs: dict[str, dict[str, str]]) -> str:
    return _EXPRESSION_RE.sub(lambda m: _evaluate(m.group(1), inputs, outputs), text)


def _condition(condition: str | None, failed: bool, inputs: dict[str, str], outputs: dict[str, dict[str, str]]) -> bool:
    if condition is None:
        return not failed  # the default `success()`
    [expression] = _EXPRESSION_RE.findall(condition)
    result = True
    for term in _terms(expression):
        if term == "always()":
            continue
        match = _COMPARE_RE.match(term)
        assert match, term
        value = _evaluate(match.group(1), inputs, outputs)
        result = result and ((value == match.group(3)) == (match.group(2) == "=="))
    return result and (not failed or "always()" in expression)


class Runner:
    """Runs the composite action's steps like the GitHub runner: bash, env, outputs, conditions."""

    def __init__(self, tmp: Path, workspace: Path, action_path: Path) -> None:
        self.workspace = workspace
        self.files = {name: tmp / name for name in ("output", "summary")}
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "RUNNER_", "PIP_REQUIRE"))},
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_ACTION_PATH": str(action_path),
            "GITHUB_STEP_SUMMARY": str(self.files["summary"]),
            "RUNNER_TEMP": str(tmp / "runner-temp"),
        }
        (tmp / "runner-temp").mkdir()

    def run(self, step: dict[str, Any], inputs: dict[str, str], outputs: dict[str, dict[str, str]],
            cwd: Path) -> subprocess.CompletedProcess[str]:
        output_file = self.files["output"]
        output_file.write_text("")
        env = {**self.env, "GITHUB_OUTPUT": str(output_file)}
        env.update({k: _substitute(str(v), inputs, outputs) for k, v in step.get("env", {}).items()})
        # the runner's bash invocation for `shell: bash`
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                              cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False)
        if "id" in step:
            outputs[step["id"]] = dict(line.split("=", 1) for line in output_file.read_text().splitlines() if "=" in line)
        return proc


def run_action(runner: Runner, with_: dict[str, str], cwd: Path, installed: dict[str, str] | None = None):
    """Every step in order; returns (outputs, per-step results, the `with:` an upload would get)."""
    inputs = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()} | with_
    outputs: dict[str, dict[str, str]] = {}
    results: dict[str, subprocess.CompletedProcess[str] | None] = {}
    uploads: list[dict[str, str]] = []
    failed = False
    for step in ACTION["runs"]["steps"]:
        name = step["name"]
        if not _condition(step.get("if"), failed, inputs, outputs):
            results[name] = None
            continue
        if "uses" in step:
            uploads.append({k: _substitute(str(v), inputs, outputs) for k, v in step["with"].items()})
            continue
        if step.get("id") == "install" and installed is not None:
            outputs["install"] = installed  # installed once per test session (see the fixture)
            continue
        proc = runner.run(step, inputs, outputs, cwd)
        results[name] = proc
        failed = failed or proc.returncode != 0
    action_outputs = {k: _substitute(v["value"], inputs, outputs) for k, v in ACTION["outputs"].items()}
    return action_outputs, results, uploads, outputs


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict[str, str]:
    """The install step, run for real once: a venv and `pip install "$GITHUB_ACTION_PATH"`, from a
    copy of the repository as the runner checks the action out (pip builds in the source tree)."""
    tmp = tmp_path_factory.mktemp("action-install")
    action_path = tmp / "action"
    shutil.copytree(ROOT, action_path, ignore=shutil.ignore_patterns(
        ".git", ".venv", "venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis"))
    runner = Runner(tmp, tmp, action_path)
    [install] = [s for s in ACTION["runs"]["steps"] if s.get("id") == "install"]
    outputs: dict[str, dict[str, str]] = {}
    proc = runner.run(install, {"version": ""}, outputs, tmp)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("irsalint "), proc.stdout
    assert Path(outputs["install"]["irsalint"]).is_file()
    return outputs["install"]


def _workspace(tmp_path: Path, case: str) -> Path:
    workspace = tmp_path / "workspace"
    (workspace / ".git").mkdir(parents=True)  # a checkout: the repository root
    shutil.copytree(FIXTURES / "rules" / "IRSA001" / "bad" / case, workspace / "deploy" / "k8s")
    return workspace


def test_the_steps_gate_annotate_summarise_and_hand_sarif_to_the_upload(tmp_path, installed):
    workspace = _workspace(tmp_path, "namespace-typo")
    runner = Runner(tmp_path, workspace, ROOT)
    # a job whose working-directory is a subdirectory: paths must still be repository-relative
    outputs, results, uploads, steps = run_action(runner, {"paths": "k8s", "category": "irsalint-k8s"},
                                                  cwd=workspace / "deploy", installed=installed)
    lint = results["Lint"]
    assert lint is not None and lint.returncode == 0, lint.stderr
    annotations = [line for line in lint.stdout.splitlines() if line.startswith("::")]
    assert annotations and all("file=deploy/k8s/" in line for line in annotations), lint.stdout
    assert steps["lint"]["exit-code"] == "1"
    assert outputs["findings"] == str(len(annotations))
    sarif = workspace / "deploy" / outputs["sarif-file"]
    document = json.loads(sarif.read_text())
    sarif_validator().validate(document)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in document["runs"][0]["results"]}
    assert uris and all(uri.startswith("deploy/k8s/") for uri in uris)
    assert document["runs"][0]["automationDetails"]["id"] == "irsalint-k8s/"
    assert uploads == [{"sarif_file": "irsalint.sarif", "category": "irsalint-k8s"}]
    summary = runner.files["summary"].read_text()
    assert summary.startswith("### irsalint: ") and "IRSA001 trust-mismatch" in summary and "Gate **failed**" in summary
    gate = results["Gate"]
    assert gate is not None and gate.returncode == 1  # the job fails, after upload and summary


def test_a_clean_repository_passes_and_upload_can_be_turned_off(tmp_path, installed):
    workspace = tmp_path / "workspace"
    (workspace / ".git").mkdir(parents=True)
    shutil.copytree(FIXTURES / "seed", workspace / "infra")
    runner = Runner(tmp_path, workspace, ROOT)
    outputs, results, uploads, _ = run_action(runner, {"upload-sarif": "false", "format": "text"},
                                              cwd=workspace, installed=installed)
    assert outputs["findings"] == "0" and uploads == []
    assert results["Lint"] is not None and "No findings" in results["Lint"].stdout
    assert results["Gate"] is not None and results["Gate"].returncode == 0
    assert "Gate **passed**" in runner.files["summary"].read_text()


def test_a_misconfigured_gate_fails_loudly(tmp_path, installed):
    """A path with nothing to lint, or a bad configuration, fails the Lint step: no upload, no
    summary, no silent green."""
    workspace = tmp_path / "workspace"
    (workspace / "docs").mkdir(parents=True)
    (workspace / ".git").mkdir()
    (workspace / "docs" / "README.md").write_text("nothing to lint\n")
    runner = Runner(tmp_path, workspace, ROOT)
    outputs, results, uploads, _ = run_action(runner, {"paths": "docs"}, cwd=workspace, installed=installed)
    lint = results["Lint"]
    assert lint is not None and lint.returncode == 2 and "no lintable file" in lint.stderr
    assert uploads == [] and results["Summary"] is None and results["Gate"] is None
    assert outputs["sarif-file"] == ""
    (workspace / "sa.yaml").write_text("apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\n")
    (workspace / ".irsalint.yaml").write_text("fail-on: error\n")
    _, results, _, _ = run_action(runner, {}, cwd=workspace, installed=installed)
    lint = results["Lint"]
    assert lint is not None and lint.returncode == 2 and "did you mean fail_on?" in lint.stderr

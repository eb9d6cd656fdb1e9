"""Configuration: discovery, validation (exit 2 naming key and file), CLI precedence."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from irsalint.config import Config, find_config, load_config, resolve_config
from irsalint.errors import ConfigError
from tests.test_cli import irsalint

WARNING_ONLY_SA = (
    "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\n  namespace: team-a\n  annotations:\n"
    '    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/a\n'
    '    eks.amazonaws.com/token-expiration: "172800"\n'
    "automountServiceAccountToken: true\n"
)


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "k8s").mkdir()
    (repo / "k8s" / "sa.yaml").write_text(WARNING_ONLY_SA)
    return repo


def _rules(proc) -> set[str]:
    return {f["rule"] for f in json.loads(proc.stdout)["findings"]}


def test_unknown_key_exits_2_naming_the_key_and_the_file(tmp_path):
    repo = _repo(tmp_path)
    (repo / ".irsalint.yaml").write_text("select: [IRSA005]\nfail_onn: error\n")
    proc = irsalint("check", ".", cwd=repo)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert "fail_onn" in proc.stderr and ".irsalint.yaml" in proc.stderr


def test_invalid_value_names_the_key(tmp_path):
    repo = _repo(tmp_path)
    (repo / ".irsalint.yaml").write_text("levels:\n  IRSA005: fatal\n")
    proc = irsalint("check", ".", cwd=repo)
    assert proc.returncode == 2 and "levels/IRSA005" in proc.stderr and ".irsalint.yaml" in proc.stderr


def test_fail_on_error_passes_a_warning_only_repository(tmp_path):
    repo = _repo(tmp_path)
    assert irsalint("check", ".", "--select", "IRSA005", cwd=repo).returncode == 1
    assert irsalint("check", ".", "--select", "IRSA005", "--fail-on", "error", cwd=repo).returncode == 0
    (repo / ".irsalint.yaml").write_text("select: [IRSA005]\nfail_on: error\n")
    assert irsalint("check", ".", cwd=repo).returncode == 0
    # the command line overrides the file
    assert irsalint("check", ".", "--fail-on", "warning", cwd=repo).returncode == 1


def test_config_is_found_from_a_subdirectory_up_to_the_repository_root(tmp_path):
    repo = _repo(tmp_path)
    (repo / ".irsalint.yaml").write_text("select: [IRSA005]\nlevels: {IRSA005: note}\n")
    proc = irsalint("check", ".", "--format", "json", cwd=repo / "k8s")
    findings = json.loads(proc.stdout)["findings"]
    assert {f["rule"] for f in findings} == {"IRSA005"} and {f["level"] for f in findings} == {"note"}
    assert proc.returncode == 0  # a note is below the default fail_on (warning)


def test_levels_override_changes_the_exit_code(tmp_path):
    repo = _repo(tmp_path)
    (repo / ".irsalint.yaml").write_text("select: [IRSA005]\nlevels: {IRSA005: note}\n")
    assert irsalint("check", ".", cwd=repo).returncode == 0
    (repo / ".irsalint.yaml").write_text("select: [IRSA005]\nlevels: {IRSA005: error}\nfail_on: error\n")
    assert irsalint("check", ".", cwd=repo).returncode == 1


def test_discovery_stops_at_the_repository_root(tmp_path):
    (tmp_path / ".irsalint.yaml").write_text("select: [IRSA999]\n")  # above the repository: ignored
    repo = _repo(tmp_path)
    assert find_config([str(repo / "k8s")]) is None
    assert resolve_config([str(repo)], None) == Config()


def test_explicit_config_overrides_discovery(tmp_path):
    repo = _repo(tmp_path)
    (repo / ".irsalint.yaml").write_text("bogus: 1\n")
    other = tmp_path / "ci.yaml"
    other.write_text("select: [IRSA004]\n")
    proc = irsalint("check", ".", "--config", str(other), "--format", "json", cwd=repo)
    assert proc.returncode != 2, proc.stderr
    assert _rules(proc) <= {"IRSA004"}
    missing = irsalint("check", ".", "--config", "nope.yaml", cwd=repo)
    assert missing.returncode == 2 and "nope.yaml" in missing.stderr


@pytest.mark.skipif(sys.version_info < (3, 11), reason="pyproject.toml is read with tomllib (3.11+)")
def test_pyproject_tool_table(tmp_path):
    repo = _repo(tmp_path)
    (repo / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.irsalint]\nselect = ["IRSA005"]\nfail_on = "error"\n')
    assert find_config([str(repo)]) == repo / "pyproject.toml"
    assert load_config(repo / "pyproject.toml").fail_on == "error"
    assert irsalint("check", ".", cwd=repo).returncode == 0
    (repo / "pyproject.toml").write_text("[tool.irsalint]\nselct = []\n")
    proc = irsalint("check", ".", cwd=repo)
    assert proc.returncode == 2 and "selct" in proc.stderr and "pyproject.toml" in proc.stderr


def test_yaml_config_wins_over_pyproject_in_the_same_directory(tmp_path):
    repo = _repo(tmp_path)
    (repo / "pyproject.toml").write_text("[tool.irsalint]\nselect = []\n")
    (repo / ".irsalint.yaml").write_text("select: []\n")
    assert find_config([str(repo)]) == repo / ".irsalint.yaml"


def test_exclude_is_relative_to_the_config_file(tmp_path):
    repo = _repo(tmp_path)
    (repo / "vendor").mkdir()
    (repo / "vendor" / "sa.yaml").write_text(WARNING_ONLY_SA.replace("name: a", "name: b"))
    (repo / ".irsalint.yaml").write_text("select: [IRSA005]\nexclude: [vendor]\n")
    for cwd, path in ((repo, "."), (repo / "k8s", "..")):
        proc = irsalint("check", path, "--format", "json", cwd=cwd)
        paths = {f["location"]["path"] for f in json.loads(proc.stdout)["findings"]}
        assert paths and not any("vendor" in p for p in paths), paths


def test_external_roles_reach_the_checks(tmp_path):
    repo = _repo(tmp_path)
    # "ab" is one edit from the annotation's "a": evidence that this Terraform should hold it
    (repo / "iam.tf").write_text('resource "aws_iam_role" "other" {\n  name = "ab"\n  assume_role_policy = "{}"\n}\n')
    proc = irsalint("check", ".", "--select", "IRSA007", "--format", "json", cwd=repo)
    assert _rules(proc) == {"IRSA007"}
    (repo / ".irsalint.yaml").write_text("external_roles: ['arn:aws:iam::111122223333:role/*']\n")
    proc = irsalint("check", ".", "--select", "IRSA007", "--format", "json", cwd=repo)
    assert _rules(proc) == set(), proc.stdout


def test_rules_dirs_relative_to_the_config_file(tmp_path):
    repo = _repo(tmp_path)
    (repo / "policy").mkdir()
    (repo / "policy" / "ACME010.yaml").write_text(
        "id: ACME010\nname: no-irsa-in-team-a\nlevel: error\nsummary: No roles in team-a\n"
        "check: {function: allowed_namespaces, params: {namespaces: [team-b]}}\n"
    )
    (repo / ".irsalint.yaml").write_text("rules_dirs: [policy]\nselect: [ACME]\n")
    proc = irsalint("check", "k8s", "--format", "json", cwd=repo)
    assert _rules(proc) == {"ACME010"}, proc.stderr


def test_levels_naming_an_unknown_rule_is_an_error(tmp_path):
    repo = _repo(tmp_path)
    (repo / ".irsalint.yaml").write_text("levels: {IRSA555: note}\n")
    proc = irsalint("check", ".", cwd=repo)
    assert proc.returncode == 2 and "IRSA555" in proc.stderr


def test_config_errors_in_process(tmp_path):
    bad = tmp_path / ".irsalint.yaml"
    bad.write_text("- a list\n")
    with pytest.raises(ConfigError, match="mapping"):
        load_config(bad)
    bad.write_text("select: [\n")
    with pytest.raises(ConfigError, match=".irsalint.yaml:"):
        load_config(bad)
    bad.write_text("")
    assert load_config(bad).select == ()


def test_clusters_config_checks_the_trusted_provider(tmp_path):
    """SPEC §6 `clusters`: a ServiceAccount deployed to a cluster whose provider the role does
    not trust is IRSA012 at its role-arn annotation."""
    import json as _json

    (tmp_path / "iam.tf").write_text(
        'resource "aws_iam_role" "api" {\n  name = "api"\n  assume_role_policy = jsonencode({\n'
        '    Version = "2012-10-17"\n    Statement = [{\n      Effect = "Allow"\n'
        '      Action = "sts:AssumeRoleWithWebIdentity"\n'
        '      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/BLUE" }\n'
        '      Condition = { StringEquals = {\n'
        '        "oidc.eks.eu-west-1.amazonaws.com/id/BLUE:sub" = "system:serviceaccount:team-a:api"\n'
        '        "oidc.eks.eu-west-1.amazonaws.com/id/BLUE:aud" = "sts.amazonaws.com"\n'
        '      } }\n    }]\n  })\n}\n'
    )
    for cluster in ("blue", "green"):
        folder = tmp_path / "clusters" / cluster
        folder.mkdir(parents=True)
        (folder / "sa.yaml").write_text(
            "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: api\n  namespace: team-a\n  annotations:\n"
            "    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/api\nautomountServiceAccountToken: true\n"
        )
    (tmp_path / ".irsalint.yaml").write_text(
        "clusters:\n"
        "  blue:\n    oidc_provider: arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/BLUE\n"
        "    paths: [clusters/blue/**]\n"
        "  green:\n    oidc_provider: https://oidc.eks.eu-west-1.amazonaws.com/id/GREEN\n    paths: [clusters/green]\n"
    )
    proc = irsalint("check", ".", "--format", "json", "--select", "IRSA012", "--no-cache", cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    found = [(f["location"]["path"], f["location"]["line"]) for f in _json.loads(proc.stdout)["findings"]]
    assert found == [("clusters/green/sa.yaml", 7)]


def test_pod_identity_trust_conditions_optional_accepts_the_aws_default_trust(tmp_path):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    source = Path(__file__).parent.parent / "fixtures" / "rules" / "IRSA025" / "bad" / "eks-pod-identity-module" / "main.tf"
    (repo / "main.tf").write_text(source.read_text())
    assert _rules(irsalint("check", ".", "--format", "json", "--no-cache", cwd=repo)) == {"IRSA025"}
    (repo / ".irsalint.yaml").write_text("pod_identity_trust_conditions: optional\n")
    proc = irsalint("check", ".", "--format", "json", "--no-cache", cwd=repo)
    assert proc.returncode == 0 and _rules(proc) == set()
    (repo / ".irsalint.yaml").write_text("pod_identity_trust_conditions: sometimes\n")
    assert irsalint("check", ".", cwd=repo).returncode == 2

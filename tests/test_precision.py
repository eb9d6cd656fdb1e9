"""Precision (the precision issue): one defect one finding, IRSA900 only where it matters, loader
bugs that are ours, not the user's."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from irsalint.load.dispatch import load_bytes
from irsalint.model import SkipNote
from tests.helpers import FIXTURES, run

SA = """apiVersion: v1
kind: ServiceAccount
metadata:
  name: ledger-sync
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/ledger-sync
    eks.amazonaws.com/token-expiration: "{expiration}"
"""


def test_base_rendered_by_two_overlays_is_one_finding_naming_both() -> None:
    findings = run(FIXTURES / "rules/IRSA005/bad/kustomize-base-two-overlays").findings
    assert [(f.rule_id, f.loc.path, f.loc.line) for f in findings if f.rule_id == "IRSA005"] == [
        ("IRSA005", "base/serviceaccount.yaml", 8)
    ]
    message = next(f.message for f in findings if f.rule_id == "IRSA005")
    assert "ledger-dev/ledger-sync" in message and "ledger/ledger-sync" in message


@settings(max_examples=20, deadline=None)
@given(
    namespaces=st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=1, max_size=4, unique=True),
    expiration=st.sampled_from(["300", "1h", "100000", "3600"]),
)
def test_findings_never_exceed_distinct_rule_location_entity_keys(namespaces: list[str], expiration: str) -> None:
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        (root / "base").mkdir()
        (root / "base/sa.yaml").write_text(SA.format(expiration=expiration))
        (root / "base/kustomization.yaml").write_text("resources:\n  - sa.yaml\n")
        for namespace in namespaces:
            overlay = root / "overlays" / namespace
            overlay.mkdir(parents=True)
            (overlay / "kustomization.yaml").write_text(f"namespace: {namespace}\nresources:\n  - ../../base\n")
        findings = run(root).findings
        keys = {(f.rule_id, f.loc, f.entity) for f in findings}
        assert len(findings) == len(keys)
        per_line = [f for f in findings if f.rule_id == "IRSA005"]
        assert len(per_line) == (0 if expiration == "3600" else 1)
        for finding in per_line:
            if len(namespaces) > 1:
                assert all(f"{n}/ledger-sync" in finding.message for n in namespaces)


def test_irsa012_once_per_statement() -> None:
    findings = [f for f in run(FIXTURES / "rules/IRSA012/bad").findings if f.rule_id == "IRSA012"]
    statements = {(f.loc.path, f.entity) for f in findings}
    assert len(findings) == len(statements)


def test_unparseable_file_without_irsa_content_is_a_note() -> None:
    findings = {f.loc.path: f for f in run(FIXTURES / "rules/IRSA900/bad").findings if f.rule_id == "IRSA900"}
    assert findings["jinja-docs-snippet.yaml"].level == "note"
    assert findings["broken-indent.yaml"].level == "error"  # a ServiceAccount with a role-arn


def test_cloudformation_intrinsics_in_managed_policy_arns_never_break_the_loader() -> None:
    template = (
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n"
        "      AssumeRolePolicyDocument: {}\n      ManagedPolicyArns:\n"
        "        - !Sub arn:${AWS::Partition}:iam::aws:policy/ReadOnlyAccess\n        - !Ref PolicyArn\n"
        "        - !ImportValue shared-policy\n"
    )
    result = load_bytes("template.yaml", template.encode(), "yaml")
    assert not isinstance(result, SkipNote) and type(result).__name__ == "K8sFile"


def test_a_loader_bug_is_an_internal_skip_not_the_users_parse_error(monkeypatch) -> None:
    import irsalint.load.dispatch as load

    def broken(path: str, text: str) -> None:
        raise TypeError("boom")

    monkeypatch.setattr(load, "load_manifest", broken)
    result = load_bytes("sa.yaml", b"apiVersion: v1\nkind: ServiceAccount\n", "yaml")
    assert isinstance(result, SkipNote) and result.internal
    assert "irsalint internal error" in result.reason and "TypeError: boom" in result.reason


def test_the_cli_names_a_loader_bug_on_stderr_and_still_lints_the_rest(monkeypatch, tmp_path, capsys) -> None:
    import irsalint.load.dispatch as load
    from irsalint.cli import main

    real = load.load_manifest

    def broken_for_one(path: str, text: str, *args: object, **kwargs: object) -> object:
        if path.endswith("broken.yaml"):
            raise TypeError("boom")
        return real(path, text, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(load, "load_manifest", broken_for_one)
    sa = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: api\n  namespace: a\n  annotations:\n    eks.amazonaws.com/role-arn: {}\n"
    (tmp_path / "broken.yaml").write_text(sa.format("arn:aws:iam::111122223333:role/api"))
    (tmp_path / "other.yaml").write_text(sa.format("arn:aws:iam::123:role/api"))  # IRSA011
    code = main(["check", str(tmp_path), "--no-cache", "--root", str(tmp_path), "--format", "json"])
    captured = capsys.readouterr()
    assert "irsalint: broken.yaml: irsalint internal error (TypeError: boom); please report it" in captured.err
    assert code == 1 and '"IRSA011"' in captured.out

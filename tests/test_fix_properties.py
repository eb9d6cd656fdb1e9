"""Properties of --fix over generated manifests and Terraform with comments, CRLF, a BOM, odd
quoting and key orders: every fix keeps the file loadable, changes only the spans it claims, keeps
line endings and the BOM, makes its finding go away, and a second pass has nothing to do."""

from __future__ import annotations

import os
import tempfile
from dataclasses import replace
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from irsalint.engine import LintOptions, lint
from irsalint.fix.apply import apply_edits, plan_fixes
from irsalint.fix.source import SourceText
from irsalint.load.dispatch import load_bytes
from irsalint.load.k8s import K8sFile
from irsalint.load.terraform import TfFile
from irsalint.rules import load_rules

RULES = tuple(r for r in load_rules() if r.id in ("IRSA004", "IRSA005", "IRSA010", "IRSA011"))
SETTINGS = settings(max_examples=int(os.environ.get("IRSALINT_FIX_EXAMPLES", "60")), deadline=None, suppress_health_check=[HealthCheck.too_slow])

VALUES = ["300", "0", "-5", "120", "1h", "90m", "1h30m", "3600s", "1d", "172800", "99999999"]
ARNS = [" arn:aws:iam::111122223333:role/api ", "arn:aws:iam:111122223333:role/api",
        "arn:aws:iam::111122223333:role:api", "arn:aws:iam::111122223333:api"]
COMMENTS = ["", "  # a comment", " # é ☕ 'quoted' \"twice\""]


def _quote(value: str, style: str) -> str:
    if style == "double":
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if style == "single":
        return "'" + value.replace("'", "''") + "'"
    return value


@st.composite
def manifests(draw: st.DrawFn) -> bytes:
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    indent = " " * draw(st.sampled_from([2, 4]))
    documents = []
    for number in range(draw(st.integers(1, 2))):
        comment = lambda: draw(st.sampled_from(COMMENTS))
        value = draw(st.sampled_from(VALUES))
        style = draw(st.sampled_from(["plain", "single", "double"] if not value.startswith("-") else ["single", "double"]))
        arn = draw(st.sampled_from(ARNS))
        annotations = [
            f"{indent * 2}eks.amazonaws.com/token-expiration: {_quote(value, style)}{comment()}",
            f"{indent * 2}eks.amazonaws.com/role-arn: {_quote(arn, draw(st.sampled_from(['single', 'double'])))}{comment()}",
        ]
        draw(st.randoms()).shuffle(annotations)
        if draw(st.booleans()):  # flow style: {key: value, key: value}
            flow = ", ".join(a.strip().split("  #")[0].split(" # ")[0] for a in annotations)
            annotations = [f"{indent}annotations: {{{flow}}}{comment()}"]
        else:
            annotations = [f"{indent}annotations:{comment()}", *annotations]
        metadata = [f"{indent}name: api-{number}{comment()}", f"{indent}namespace: team-{number}", *annotations]
        top = [["apiVersion: v1"], [f"kind: ServiceAccount{comment()}"], ["metadata:", *metadata]]
        if draw(st.booleans()):
            top.append(["automountServiceAccountToken: true"])
        draw(st.randoms()).shuffle(top)
        lines = [line for block in top for line in block]
        if draw(st.booleans()):
            lines.insert(draw(st.integers(0, len(lines))), "# between entries")
        documents.append(newline.join(lines))
    text = (newline + "---" + newline).join(documents) + (newline if draw(st.booleans()) else "")
    return (b"\xef\xbb\xbf" if draw(st.booleans()) else b"") + text.encode("utf-8")


@st.composite
def terraform(draw: st.DrawFn) -> bytes:
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    pad = " " * draw(st.integers(1, 3))
    value = draw(st.sampled_from([v for v in VALUES if not v.startswith("-")]))
    comment = lambda: draw(st.sampled_from(["", " # hash", " // slashes", " /* block */"]))
    issuer = draw(st.sampled_from(['oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE', '${local.issuer}']))
    form = draw(st.sampled_from(["jsonencode", "document", "heredoc"]))
    lines = [
        "locals {", '  issuer = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE"', "}",
        'resource "kubernetes_service_account_v1" "api" {' + comment(),
        "  metadata {",
        f'    name{pad}= "api"',
        '    namespace = "team-a"',
        "    annotations = {",
        f'      "eks.amazonaws.com/token-expiration"{pad}= "{value}"{comment()}',
        "    }",
        "  }",
        "}",
    ]
    principal = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE"
    if form == "jsonencode":
        lines += [
            'resource "aws_iam_role" "api" {',
            '  name = "api"',
            "  assume_role_policy = jsonencode({",
            "    Statement = [{",
            '      Effect    = "Allow"',
            f'      Principal = {{ Federated = "{principal}" }}',
            '      Action    = "sts:AssumeRoleWithWebIdentity"',
            "      Condition = {",
            "        StringEquals = {" + comment(),
            f'          "{issuer}:sub"{pad}= "system:serviceaccount:team-a:api"{draw(st.sampled_from(["", ","]))}{comment()}',
            "        }",
            "      }",
            "    }]",
            "  })",
            "}",
        ]
    elif form == "heredoc":
        marker = draw(st.sampled_from(["<<EOF", "<<-EOF"]))
        key = '${replace(local.issuer, "https://", "")}' if issuer.startswith("$") else issuer
        lines += [
            'resource "aws_iam_role" "api" {',
            '  name = "api"',
            f"  assume_role_policy = {marker}",
            '{"Statement": [{"Effect": "Allow",',
            f'  "Principal": {{"Federated": "{principal}"}},',
            '  "Action": "sts:AssumeRoleWithWebIdentity",',
            f'  "Condition": {{"StringEquals": {{"{key}:sub": "system:serviceaccount:team-a:api"}}}}',
            "}]}",
            "  EOF" if marker == "<<-EOF" else "EOF",
            "}",
        ]
    else:
        lines += [
            'data "aws_iam_policy_document" "api" {',
            "  statement {",
            '    actions = ["sts:AssumeRoleWithWebIdentity"]',
            "    principals {",
            '      type        = "Federated"',
            f'      identifiers = ["{principal}"]',
            "    }",
            "    condition {" + comment(),
            '      test     = "StringEquals"',
            f'      variable = "{issuer}:sub"',
            '      values   = ["system:serviceaccount:team-a:api"]',
            "    }",
            "  }",
            "}",
            'resource "aws_iam_role" "api" {',
            '  name               = "api"',
            "  assume_role_policy = data.aws_iam_policy_document.api.json",
            "}",
        ]
    return newline.join(lines).encode("utf-8") + newline.encode()


def _check(name: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        (root / name).write_bytes(data)
        options = LintOptions(jobs=1, root=str(root))
        result = lint([str(root)], RULES, options)
        fixable = {f.fingerprint for f in result.findings if f.fix is not None}
        outcome = plan_fixes(result, True, lambda p: (root / p).read_bytes(),
                             lambda overlay: lint([str(root)], RULES, replace(options, overlay=overlay)))
        assert outcome.not_applied == (), [(n.finding.message, n.reason) for n in outcome.not_applied]
        assert {f.fingerprint for f in outcome.applied} == fixable
        if not fixable:
            return
        [change] = outcome.changes
        before, after = SourceText.from_bytes(change.before), SourceText.from_bytes(change.after)
        assert before is not None and after is not None and after.bom == before.bom
        kind = "terraform" if name.endswith(".tf") else "yaml"
        assert isinstance(load_bytes(name, change.after, kind), (K8sFile, TfFile))
        # only the claimed spans changed: the fixes' edits, applied to the original, give the result
        # (edits of a later pass are against the text of the earlier one)
        edits = [e for f in outcome.applied for e in (f.fix.edits if f.fix else ())]
        if all(f in result.findings for f in outcome.applied):
            assert apply_edits(before.text, edits) == after.text
        if "\r\n" in before.text:  # no bare line feed added to a CRLF file
            assert after.text.count("\n") == after.text.count("\r\n")
        assert outcome.result is not None
        assert not fixable & {f.fingerprint for f in outcome.result.findings}
        assert not [f for f in outcome.result.findings if f.fix is not None]  # nothing left to do


@SETTINGS
@given(manifests())
def test_fixing_generated_manifests(data):
    _check("serviceaccounts.yaml", data)


@SETTINGS
@given(terraform())
def test_fixing_generated_terraform(data):
    _check("main.tf", data)

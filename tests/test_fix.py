"""irsalint.fix: intents resolved into minimal edits on the file as written, and how a run's
fixes are chosen, verified and applied."""

from __future__ import annotations

from dataclasses import replace

import pytest

from irsalint.checks.serviceaccount import duration_seconds
from irsalint.engine import Finding, LintResult
from irsalint.fix.apply import BREAKS_FILE, STAYS, _overlap, apply_edits, plan_fixes
from irsalint.fix.intents import AddAudience, FixIntent, InsertEntry, SetString
from irsalint.fix.model import SAFE, UNSAFE, Edit, Fix
from irsalint.fix.quote import hcl_string, yaml_scalar
from irsalint.fix.resolve import Resolver, aud_key
from irsalint.fix.source import SourceText
from irsalint.model import Location
from irsalint.project import build_project


def _fix(path: str, text: str, *changes, applicability: str = SAFE) -> str | None:
    """The file text after the intent's edits, or None when it gets no fix."""
    data = text.encode("utf-8")
    fix = Resolver({path: data}.get).resolve(FixIntent("test", applicability, tuple(changes)))
    if fix is None:
        return None
    return apply_edits(text, fix.edits)


def _at(path: str, text: str, needle: str, nth: int = 0) -> Location:
    """The location of the nth occurrence of `needle` (1-based line and column)."""
    offset = -1
    for _ in range(nth + 1):
        offset = text.index(needle, offset + 1)
    line, col = SourceText.of(text).position(offset)
    return Location(path, line, col)


# --- positions ------------------------------------------------------------------------------------


def test_source_text_keeps_the_bom_and_counts_code_points():
    source = SourceText.from_bytes(b"\xef\xbb\xbfa: \xe2\x98\x95x\r\nb: 1")
    assert source is not None and source.bom and source.text.startswith("a:")
    assert source.offset(1, 5) == 4 and source.text[4] == "x"  # the cup is one column
    assert source.position(source.text.index("b")) == (2, 1)
    assert source.newline(0) == "\r\n" and source.newline(len(source.text)) == "\r\n"
    assert source.encode("z").startswith(b"\xef\xbb\xbf")
    assert SourceText.from_bytes(b"\xff\xfe") is None


# --- rendering a new value in the old style --------------------------------------------------------


@pytest.mark.parametrize(("value", "style", "tag", "expected"), [
    ("600", None, "tag:yaml.org,2002:int", "600"),  # a plain integer stays plain
    ("3600", None, "tag:yaml.org,2002:str", '"3600"'),  # plain "1h" was a string: quote the number
    ("arn:aws:iam::111122223333:role/x", None, "tag:yaml.org,2002:str", "arn:aws:iam::111122223333:role/x"),
    ("600", "'", "", "'600'"),
    ("it's", "'", "", "'it''s'"),
    ('say "hi"', '"', "", '"say \\"hi\\""'),
    ("true", None, "tag:yaml.org,2002:str", '"true"'),
])
def test_yaml_values_keep_their_style_unless_the_type_would_change(value, style, tag, expected):
    assert yaml_scalar(value, style, tag) == expected


def test_hcl_strings_escape_interpolation_and_quotes():
    assert hcl_string('a"${b}%{c}\\') == '"a\\"$${b}%%{c}\\\\"'


@pytest.mark.parametrize(("text", "seconds"), [
    ("3600", 3600), (" 3600 ", 3600), ("1h", 3600), ("90m", 5400), ("1h30m", 5400), ("3600s", 3600),
    ("1d", 86400), ("1.5h", 5400), ("1500ms", 1.5), ("0x258", None), ("abc", None), ("-1h", None), ("", None),
    ("1h 30m", None),
])
def test_duration_seconds(text, seconds):
    assert duration_seconds(text) == seconds


# --- SetString --------------------------------------------------------------------------------------

SA = """\
apiVersion: v1
kind: ServiceAccount
metadata:
  name: api  # the name
  namespace: team-a
  annotations:
    eks.amazonaws.com/token-expiration: '300'   # keep me
    eks.amazonaws.com/role-arn: |
      arn:aws:iam::111122223333:role/api
"""


def test_a_quoted_annotation_value_changes_and_nothing_else():
    at = _at("sa.yaml", SA, "eks.amazonaws.com/token-expiration")
    assert _fix("sa.yaml", SA, SetString(at, "300", "600")) == SA.replace("'300'", "'600'")


def test_a_literal_block_loses_its_final_newline_with_a_chomping_indicator():
    at = _at("sa.yaml", SA, "eks.amazonaws.com/role-arn")
    arn = "arn:aws:iam::111122223333:role/api"
    assert _fix("sa.yaml", SA, SetString(at, arn + "\n", arn)) == SA.replace("role-arn: |", "role-arn: |-")
    assert _fix("sa.yaml", SA, SetString(at, arn + "\n", arn + "x")) is None  # other block edits: by hand


def test_a_sibling_value_is_found_through_the_entry_at_the_anchor():
    at = _at("sa.yaml", SA, "name: api")
    assert _fix("sa.yaml", SA, SetString(at, "team-a", "team-b", sibling="namespace")) == SA.replace(
        "namespace: team-a", "namespace: team-b")
    assert _fix("sa.yaml", SA, SetString(at, "team-x", "team-b", sibling="namespace")) is None  # not what it reads


@pytest.mark.parametrize("text", ['a: &x "300"\nb: *x\n', "b: !!str 300\n"])
def test_anchored_aliased_and_tagged_values_are_not_rewritten(text):
    for line in (1, 2):
        assert _fix("f.yaml", text, SetString(Location("f.yaml", line, 1), "300", "600")) is None


def test_no_line_goes_after_a_block_that_keeps_its_trailing_blank_lines():
    text = "kind: ServiceAccount\nmetadata:\n  name: api\n  annotations:\n    note: |+\n      text\n\n"
    assert _fix("sa.yaml", text, InsertEntry(_at("sa.yaml", text, "name"), "automountServiceAccountToken", "true")) is None
    clipped = text.replace("|+", "|")
    assert _fix("sa.yaml", clipped, InsertEntry(_at("sa.yaml", clipped, "name"), "automountServiceAccountToken", "true")) == (
        clipped.replace("      text\n", "      text\nautomountServiceAccountToken: true\n"))


def test_a_value_that_is_not_there_gets_no_fix():
    at = _at("sa.yaml", SA, "eks.amazonaws.com/token-expiration")
    assert _fix("sa.yaml", SA, SetString(at, "301", "600")) is None


TF = """\
resource "kubernetes_service_account_v1" "api" {
  metadata {
    name      = "api"
    namespace = "team-a"
    annotations = {
      "eks.amazonaws.com/token-expiration" = "300"
      "eks.amazonaws.com/role-arn"         = "arn:aws:iam::${var.account}:role/api"
    }
  }
}

module "irsa" {
  source = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks"
  oidc_providers = {
    main = { namespace_service_accounts = ["team-a:apii"] }
  }
}
"""


def test_terraform_strings_attributes_and_module_subjects():
    at = _at("main.tf", TF, '"eks.amazonaws.com/token-expiration"')
    assert _fix("main.tf", TF, SetString(at, "300", "600")) == TF.replace('"300"', '"600"')
    name = _at("main.tf", TF, "name      =")
    assert _fix("main.tf", TF, SetString(name, "team-a", "team-b", sibling="namespace")) == TF.replace(
        'namespace = "team-a"', 'namespace = "team-b"')
    entry = _at("main.tf", TF, '"team-a:apii"')
    old, new = "system:serviceaccount:team-a:apii", "system:serviceaccount:team-a:api"
    assert _fix("main.tf", TF, SetString(entry, old, new, tail=True)) == TF.replace("team-a:apii", "team-a:api")
    assert _fix("main.tf", TF, SetString(entry, old, new)) is None  # the literal holds only the tail


def test_a_template_with_interpolation_is_never_rewritten():
    at = _at("main.tf", TF, '"eks.amazonaws.com/role-arn"')
    assert _fix("main.tf", TF, SetString(at, "arn:aws:iam::${var.account}:role/api", "x")) is None


def test_two_candidates_on_the_anchor_line_are_ambiguous():
    text = 'a = ["x", "x"]\n'
    assert _fix("main.tf", text, SetString(Location("main.tf", 1, 1), "x", "y")) is None


# --- InsertEntry -------------------------------------------------------------------------------------


def test_an_entry_goes_after_the_last_content_of_a_flow_object_on_one_line():
    text = '{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "api"}}'
    at = _at("sa.json", text, '"name"')
    assert _fix("sa.json", text, InsertEntry(at, "automountServiceAccountToken", "true")) == (
        '{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "api"}, '
        '"automountServiceAccountToken": true}')


def test_an_entry_is_not_added_twice_nor_next_to_a_key_that_is_not_metadata_name():
    text = "kind: ServiceAccount\nmetadata:\n  name: api\nautomountServiceAccountToken: false\n"
    assert _fix("sa.yaml", text, InsertEntry(_at("sa.yaml", text, "name"), "automountServiceAccountToken", "true")) is None
    assert _fix("sa.yaml", text, InsertEntry(_at("sa.yaml", text, "kind"), "x", "true")) is None


def test_an_entry_after_a_last_line_without_a_line_break_keeps_the_file_without_one():
    text = "kind: ServiceAccount\r\nmetadata:\r\n  name: api"
    at = _at("sa.yaml", text, "name")
    assert _fix("sa.yaml", text, InsertEntry(at, "automountServiceAccountToken", "true")) == (
        text + "\r\nautomountServiceAccountToken: true")


# --- AddAudience ------------------------------------------------------------------------------------


def test_aud_key_keeps_the_key_as_written():
    assert aud_key('"${local.issuer}:sub"') == '"${local.issuer}:aud"'
    assert aud_key("oidc.eks/id/X:sub") == "oidc.eks/id/X:aud"
    assert aud_key('"${local.sub_key}"') is None and aud_key('"x:subject"') is None


def test_an_inline_jsonencode_object_gets_the_audience_inline():
    text = 'x = jsonencode({ Condition = { StringEquals = { "i:sub" = "system:serviceaccount:a:b" } } })\n'
    at = _at("main.tf", text, '"i:sub"')
    assert _fix("main.tf", text, AddAudience(at)) == text.replace(
        '"system:serviceaccount:a:b"', '"system:serviceaccount:a:b", "i:aud" = "sts.amazonaws.com"')


def test_no_audience_without_a_sub_key_written_literally_at_the_anchor():
    text = 'x = jsonencode({ StringEquals = { (local.key) = "system:serviceaccount:a:b" } })\n'
    assert _fix("main.tf", text, AddAudience(Location("main.tf", 1, 36))) is None


# --- choosing, verifying, applying a run's fixes ------------------------------------------------------


def _finding(path: str, edits: tuple[Edit, ...], entity: str, applicability: str = SAFE) -> Finding:
    return Finding("IRSA005", "token-expiration", "error", 5.0, "m", Location(path, edits[0].line), (), entity,
                   fingerprint=f"{entity:0<32}"[:32], fix=Fix(applicability, "fix", edits))


def _edit(path: str, text: str, start: int, end: int, new: str) -> Edit:
    source = SourceText.of(text)
    return Edit(path, start, end, new, *source.position(start), *source.position(end))


def _result(findings: list[Finding]) -> LintResult:
    return LintResult(tuple(findings), build_project([]), (), 1, 0.0, ".")


def test_overlapping_edits():
    text = "abcdef"
    edit = lambda start, end: _edit("f", text, start, end, "x")
    assert _overlap(edit(1, 3), edit(2, 4)) and _overlap(edit(2, 2), edit(2, 2)) and _overlap(edit(2, 2), edit(2, 4))
    assert _overlap(edit(3, 3), edit(2, 4))  # an insertion inside a replaced span
    assert not _overlap(edit(4, 4), edit(2, 4)) and not _overlap(edit(1, 2), edit(2, 3))


def test_an_overlapping_fix_waits_for_the_next_pass_on_the_fixed_text():
    text = "kind: ServiceAccount\nmetadata:\n  name: abc\n"
    at = text.index("abc")
    one = _finding("sa.yaml", (_edit("sa.yaml", text, at, at + 3, "xyz"),), "a")
    two = _finding("sa.yaml", (_edit("sa.yaml", text, at + 2, at + 3, "q"),), "b")
    three = _finding("sa.yaml", (_edit("sa.yaml", text, 0, 4, "kind"),), "c", UNSAFE)  # unsafe: not asked for
    runs = iter([[two], []])  # after the first pass b is still there; after the second, nothing
    outcome = plan_fixes(_result([one, two, three]), False, {"sa.yaml": text.encode()}.get,
                         lambda overlay: _result(next(runs)))
    assert [f.entity for f in outcome.applied] == ["a", "b"] and outcome.not_applied == ()
    assert [c.after for c in outcome.changes] == [text.replace("abc", "xyq").encode()]


def test_a_fix_that_breaks_the_file_or_leaves_its_finding_is_not_applied():
    text = "kind: ServiceAccount\nmetadata:\n  name: abc\n"
    at = text.index("abc")
    broken = _finding("sa.yaml", (_edit("sa.yaml", text, at, at, '"'),), "a")  # an unclosed quote
    stays = _finding("sa.yaml", (_edit("sa.yaml", text, 0, 4, "kind"),), "b")
    read = {"sa.yaml": text.encode()}.get
    outcome = plan_fixes(_result([broken, stays]), False, read, lambda overlay: _result([stays]))
    assert outcome.changes == () and outcome.result is None
    assert {(n.finding.entity, n.reason) for n in outcome.not_applied} == {("a", BREAKS_FILE), ("b", STAYS)}


def test_a_fix_that_renames_its_entity_but_leaves_a_finding_of_its_rule_is_not_applied():
    text = "kind: ServiceAccount\nmetadata:\n  name: abc\n"
    at = text.index("abc")
    fix = _finding("sa.yaml", (_edit("sa.yaml", text, at, at + 3, "abd"),), "ServiceAccount abc")
    renamed = replace(fix, entity="ServiceAccount abd", fingerprint="f" * 32, fix=None)
    outcome = plan_fixes(_result([fix]), False, {"sa.yaml": text.encode()}.get, lambda overlay: _result([renamed]))
    assert outcome.applied == () and [n.reason for n in outcome.not_applied] == [STAYS]


def test_only_changed_files_inside_the_repository_that_did_not_move_are_written(tmp_path):
    from irsalint.fix.apply import FileChange
    from irsalint.fix.write import write_changes

    repo, outside = tmp_path / "repo", tmp_path / "outside.yaml"
    repo.mkdir()
    (repo / "a.yaml").write_bytes(b"a: 1\n")
    (repo / "a.yaml").chmod(0o640)
    (repo / "b.yaml").write_bytes(b"b: 2\n")
    outside.write_bytes(b"c: 3\n")
    (repo / "c.yaml").symlink_to(outside)
    changes = [FileChange("a.yaml", b"a: 1\n", b"a: 9\n"), FileChange("b.yaml", b"b: 0\n", b"b: 9\n"),
               FileChange("c.yaml", b"c: 3\n", b"c: 9\n")]
    assert write_changes(repo, changes) == (["a.yaml"], ["b.yaml", "c.yaml"])
    assert (repo / "a.yaml").read_bytes() == b"a: 9\n" and (repo / "a.yaml").stat().st_mode & 0o777 == 0o640
    assert (repo / "b.yaml").read_bytes() == b"b: 2\n" and outside.read_bytes() == b"c: 3\n"
    assert sorted(p.name for p in repo.iterdir()) == ["a.yaml", "b.yaml", "c.yaml"]  # no temporary file left

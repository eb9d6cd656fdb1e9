"""Meta-tests over the rule pack (cfn-lint's test_rules_collections): the pack is data, so check it."""

from __future__ import annotations

import os
import re
import shutil

import pytest
import yaml

from irsalint.docs import generate
from irsalint.engine import LintOptions, lint
from irsalint.rules import builtin_rules_dir, load_rules, validate_rule_data
from irsalint.suppress import apply_ignores
from tests.helpers import FIXTURES, ROOT

RULES = load_rules(validate_builtin=True)
RULE_FILES = sorted(builtin_rules_dir().glob("*.yaml"))


def test_builtin_rules_are_found_and_ids_unique():
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids)) == len(RULE_FILES) >= 8
    assert all(re.fullmatch(r"IRSA\d{3}", i) for i in ids)
    names = [r.name for r in RULES]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.stem)
def test_rule_file_validates_and_is_named_after_its_rule(path):
    data = yaml.safe_load(path.read_text())
    validate_rule_data(data, str(path))
    assert path.name == f"{data['id']}-{data['name']}.yaml"
    assert (FIXTURES / "rules" / data["id"] / "bad").is_dir()
    assert (FIXTURES / "rules" / data["id"] / "good").is_dir()


def _lint_files(tmp_path, files, rule):
    for relative, content in files.items():
        target = tmp_path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = apply_ignores(lint(["."], RULES, LintOptions(jobs=1)), warn_unused=True)
        return [f for f in result.findings if f.rule_id == rule.id]
    finally:
        os.chdir(cwd)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_example_fires_and_use_instead_does_not(rule, tmp_path):
    assert rule.example, "every rule documents an example"
    assert _lint_files(tmp_path / "example", dict(rule.example), rule), "the example must fire its rule"
    assert set(rule.use_instead) <= set(rule.example)
    fixed = {**rule.example, **rule.use_instead}
    assert _lint_files(tmp_path / "fixed", fixed, rule) == [], "use_instead must not fire"


def test_generated_rule_docs_are_current():
    stale = [str(p.relative_to(ROOT)) for p, content in generate(ROOT / "docs" / "rules").items()
             if not p.exists() or p.read_text("utf-8") != content]
    assert stale == [], "run `python -m irsalint.docs` and commit docs/rules/"


def test_the_json_copy_of_the_builtin_pack_loads_the_same_rules(tmp_path):
    direct = load_rules()
    assert load_rules(copy_dir=tmp_path) == direct  # writes the copy
    (copy,) = tmp_path.glob("rules-*.json")
    assert load_rules(copy_dir=tmp_path) == direct  # reads it
    assert [r.source for r in load_rules(copy_dir=tmp_path)] == [r.source for r in direct]
    copy.write_text("{not json")
    assert load_rules(copy_dir=tmp_path) == direct  # a corrupt copy is rewritten, never trusted


def test_a_stale_copy_is_not_used_when_a_rule_file_changes(tmp_path, monkeypatch):
    import irsalint.rules as rules_module

    pack = tmp_path / "rules"
    shutil.copytree(rules_module.builtin_rules_dir(), pack)
    monkeypatch.setattr(rules_module, "builtin_rules_dir", lambda: pack)
    copies = tmp_path / "copies"
    before = {r.id: r.summary for r in load_rules(copy_dir=copies)}
    first = sorted(pack.glob("IRSA001*.yaml"))[0]
    first.write_text(first.read_text().replace("summary:", "summary: Changed.", 1) + "\n")
    after = {r.id: r.summary for r in load_rules(copy_dir=copies)}
    assert after["IRSA001"] != before["IRSA001"] and after["IRSA001"].startswith("Changed.")
    assert len(list(copies.glob("rules-*.json"))) == 2

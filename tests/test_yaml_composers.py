"""irsalint.yamlutil reads small anchor-free YAML with libyaml's composer (C) and the rest with its own:
both must give the same nodes (tags, values, styles, marks), the same errors, and the same records."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from irsalint import yamlutil
from irsalint.load.k8s import load_manifest
from irsalint.yamlutil import compose_documents

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
YAML_FIXTURES = sorted(p for p in FIXTURES.rglob("*") if p.suffix in (".yaml", ".yml"))


def shape(node: Any) -> Any:
    if node is None:
        return None
    marks = (node.start_mark.index, node.start_mark.line, node.start_mark.column,
             node.end_mark.index, node.end_mark.line, node.end_mark.column)
    if isinstance(node, yaml.ScalarNode):
        return ("s", node.tag, node.value, node.style, marks)
    if isinstance(node, yaml.SequenceNode):
        return ("q", node.tag, node.flow_style, marks, [shape(n) for n in node.value])
    return ("m", node.tag, node.flow_style, marks, [(shape(k), shape(v)) for k, v in node.value])


@contextmanager
def composer(fast: bool) -> Iterator[None]:
    """libyaml's composer where it is safe (fast), or ours everywhere."""
    before = yamlutil._FAST_COMPOSER
    yamlutil._FAST_COMPOSER = fast
    try:
        yield
    finally:
        yamlutil._FAST_COMPOSER = before


def composed(text: str, fast: bool) -> Any:
    """The documents' shapes, or the error's text."""
    with composer(fast):
        try:
            return [shape(d) for d in compose_documents(text)]
        except yaml.YAMLError as error:
            return ("error", type(error).__name__, str(error))


@pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="PyYAML built without libyaml: our composer only")
def test_the_fast_path_is_taken_for_ordinary_manifests() -> None:
    assert yamlutil._FAST_COMPOSER
    assert yamlutil._small_and_plain("apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\n")


@pytest.mark.parametrize("text", [
    "a: &x 1\nb: *x\n",  # an anchor: aliases are counted and checked by our composer
    "a: " + "b" * 70_000 + "\n",  # big: `keep` prunes what is not read
    "[" * 5_000 + "]" * 5_000,  # deep: libyaml's composer recurses in C
    "- " * 1_200 + "x\n",  # deep block sequences on one line
    "".join(f"{' ' * level}k{level}:\r" for level in range(1_100)),  # deep mappings, old Mac line breaks
])
def test_what_needs_our_composer_takes_it(text: str) -> None:
    assert not yamlutil._small_and_plain(text)


@pytest.mark.parametrize("text", ["[" * 5_000 + "]" * 5_000, "- " * 1_200 + "x\n"])
def test_deep_nesting_is_an_error_not_a_crash(text: str) -> None:
    # libyaml >= 0.2.5 refuses nesting beyond 1,000 levels itself; older ones leave it to our composer
    with pytest.raises(yaml.YAMLError):
        list(compose_documents(text))


def test_nesting_under_the_bound_is_read_alike() -> None:
    text = "- " * 300 + "x\n"
    assert yamlutil._small_and_plain(text)
    assert composed(text, True) == composed(text, False)


@pytest.mark.parametrize("path", YAML_FIXTURES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_both_composers_agree_on_every_fixture(path: Path) -> None:
    text = path.read_text("utf-8")
    assert composed(text, True) == composed(text, False)
    name = str(path.relative_to(FIXTURES))
    with composer(False):
        slow = load_manifest(name, text)
    assert load_manifest(name, text) == slow


def test_an_error_is_reported_as_our_composer_reports_it() -> None:
    text = "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: *undefined\n"
    fast = composed(text, True)
    assert fast == composed(text, False)
    assert fast[0] == "error" and "found undefined alias 'undefined'" in fast[2]


_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12),
    st.sampled_from(["yes", "no", "~", "null", "0x1F", "1e3", "- a", "a: b", "#", "*a", "&a", "!tag", "'", '"']),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=25,
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_VALUES, min_size=1, max_size=3), st.sampled_from([None, True, False]), st.booleans())
def test_both_composers_agree_on_dumped_documents(
    documents: list[Any], flow: bool | None, explicit: bool
) -> None:
    text = yaml.safe_dump_all(documents, default_flow_style=flow, explicit_start=explicit, allow_unicode=True)
    assert composed(text, True) == composed(text, False)


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from(list("ab: -[]{},#'\"\n\r|>?!*&%@`\t\x85")), max_size=60))
def test_both_composers_agree_on_yaml_like_noise(text: str) -> None:
    assert composed(text, True) == composed(text, False)


def test_the_tag_memo_is_bounded_and_gives_the_resolvers_tags(monkeypatch) -> None:
    """Implicit tags are remembered for short texts, a bounded number of them: a file of distinct
    values cannot grow the memo, and every tag is the one PyYAML's resolver gives."""
    monkeypatch.setattr(yamlutil, "_RESOLVED", {})
    monkeypatch.setattr(yamlutil, "_RESOLVED_MAX", 50)
    long_number = "1" * (yamlutil._RESOLVED_MAX_CHARS + 1)
    text = "\n".join(f"k{i}: {v}" for i, v in enumerate(["v1", "true", "~", "0x1F", "1.5", long_number,
                                                         *(f"name-{n}" for n in range(200))]))
    nodes = yamlutil.compose_all(text)
    assert len(yamlutil._RESOLVED) == 50
    assert all(len(value) <= yamlutil._RESOLVED_MAX_CHARS for (_, value, _) in yamlutil._RESOLVED if value)
    expected = yaml.compose(text, Loader=yaml.SafeLoader)
    assert [(k.tag, v.tag, v.value) for k, v in nodes[0].value] == [(k.tag, v.tag, v.value) for k, v in expected.value]
    assert nodes[0].value[5][1].tag == "tag:yaml.org,2002:int"  # the long number, resolved but not remembered

"""Hypothesis strategies for valid HCL native syntax: every construct irsalint's AST has (blocks,
attributes, literals, quoted templates with escapes, interpolations and directives, heredocs with
`<<-` indentation, tuples, objects, traversals, splats, calls incl. provider functions and `...`,
operators, conditionals, `for` expressions, parentheses), with comments, blank lines, tabs and
CRLF line endings between them.

Only text both python-hcl2 and tree-sitter-hcl accept is generated: the constructs where they
disagree are pinned by examples in tests/test_hcl_differential.py and listed in docs/design.md.
"""

from __future__ import annotations

from hypothesis import strategies as st

NAMES = ["a", "b_c", "x-y", "var", "local", "module", "each", "count", "self", "data", "Effect", "k9"]
identifiers = st.sampled_from(NAMES)
labels = st.sampled_from(['"aws_iam_role"', '"r"', '"x-y"', "r", '"a b"', '""', '"\\u00e9"'])
block_types = st.sampled_from(["resource", "data", "module", "locals", "statement", "condition", "dynamic", "b"])

# Literal text inside a quoted string: escapes, lone `$` and `%`, the `$${` / `%%{` escapes, comment
# markers and non-ASCII that a careless walker would miscount.
string_chunks = st.sampled_from([
    "a", "b c", " ", "  ", "\\n", '\\"', "\\\\", "\\u00e9", "é", "$", "%", "$$", "$${x}", "%%{y}", "#", "//",
    "/* z */", "arn:aws:iam::123:role/r", "\\t", "ü ß",
])  # fmt: skip
inline_space = st.sampled_from(["", " ", "  ", "\t"])


def _join(parts: list[str]) -> str:
    return "".join(parts)


def _before_template(text: str) -> str:
    """Literal text that does not turn the `${` / `%{` after it into an escape: python-hcl2 would
    read `$${...` up to the next `}`, across quotes (a documented disagreement)."""
    return text + "a" if text.endswith(("$", "%")) else text


def expressions(max_leaves: int = 12) -> st.SearchStrategy[str]:
    """Expressions that fit on one line (any nesting)."""
    numbers = st.one_of(
        st.integers(-1000, 10**6).map(str),
        st.sampled_from(["1.5", "0.25", "12.0", "1.5e3", "2.5E-2", "- 3", "-0.5", "007"]),
    )
    leaves = st.one_of(
        numbers,
        st.sampled_from(["true", "false", "null"]),
        identifiers,
        st.lists(string_chunks, max_size=4).map(lambda xs: '"' + "".join(xs) + '"'),
        st.tuples(identifiers, st.lists(st.one_of(identifiers.map(lambda n: "." + n),
                                                  st.integers(0, 9).map(lambda i: f"[{i}]"),
                                                  st.sampled_from(['["k"]', "[-1]", '["a b"]', "[true]", "[1.5]"])),
                                        min_size=1, max_size=4)).map(lambda t: t[0] + "".join(t[1])),
        st.sampled_from(["a.0", "a.1.b", "var.list[*].id", "var.m.*.name", "a[*]", "a.*", "a[*][0].b", "x[*][*]"]),
    )

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        sep = st.sampled_from([", ", ",", " , "])
        return st.one_of(
            st.tuples(st.lists(inner, max_size=3), sep, st.booleans()).map(
                lambda t: "[" + t[1].join(t[0]) + ("," if t[2] and t[0] else "") + "]"),
            st.lists(st.tuples(st.sampled_from(["a", '"b"', "Effect", "(k)", "c.d", "1", "true", '"${x}"']),
                               st.sampled_from([" = ", "=", " : ", ": "]), inner), max_size=3).map(
                lambda kv: "{" + ", ".join(f"{k}{s}{v}" for k, s, v in kv) + "}"),
            st.tuples(st.sampled_from(["replace", "jsonencode", "merge", "f", "provider::aws::arn_parse", "try"]),
                      st.lists(inner, max_size=3), st.sampled_from(["", "", "..."])).map(
                lambda t: f"{t[0]}(" + ", ".join(t[1]) + (t[2] if t[1] else "") + ")"),
            st.tuples(inner, inner, inner).map(lambda t: f"{t[0]} ? {t[1]} : {t[2]}"),
            st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "%", "==", "!=", "<", ">=", "&&", "||"]), inner).map(
                lambda t: f"{t[0]} {t[1]} {t[2]}"),
            st.tuples(st.sampled_from(["!", "-"]), inner).map(lambda t: f"{t[0]}({t[1]})"),
            st.sampled_from(["!a", "-x", "-a.b", "!var.enabled", "-1.5"]),
            st.tuples(inner, inner).map(lambda t: f"[for k, v in {t[0]} : {t[1]} if k]"),
            inner.map(lambda x: f"[for v in {x} : v]"),
            st.tuples(inner, inner, st.booleans()).map(
                lambda t: f"{{for k, v in {t[0]} : k => {t[1]}{'...' if t[2] else ''}}}"),
            inner.map(lambda x: f"({x})"),
            inner.map(lambda x: f"({x}).name"),
            inner.map(lambda x: f"({x})[0]"),
            st.tuples(st.lists(string_chunks, max_size=2), inner, st.lists(string_chunks, max_size=2)).map(
                lambda t: '"' + _before_template("".join(t[0])) + "${" + t[1] + "}" + "".join(t[2]) + '"'),
            st.tuples(inner, st.lists(string_chunks, max_size=2)).map(
                lambda t: '"%{ if ' + t[0] + ' }' + _before_template("".join(t[1])) + '%{ else }e%{ endif }"'),
            inner.map(lambda x: '"%{ for v in ' + x + ' }${v}%{ endfor }"'),
            inner.map(lambda x: f"f({x})[0].b"),
            inner.map(lambda x: f"a[{x}]"),
        )

    return st.recursive(leaves, extend, max_leaves=max_leaves)


def heredocs(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    line = st.one_of(
        st.sampled_from(['{', '  "Version": "2012-10-17",', "}", "", "  ", "plain text", "\tTab", "$${x}", "%%{y}"]),
        inner.map(lambda x: '  "k": "${' + x + '}",'),
        st.just("%{ if a }yes%{ endif }"),
    )
    return st.tuples(
        st.sampled_from(["<<", "<<-"]), st.sampled_from(["EOF", "POLICY", "E", "END_OF-x"]),
        st.lists(st.tuples(st.sampled_from(["", "  ", "    ", "\t"]), line), max_size=5),
        st.sampled_from(["", "  ", "    "]),
    ).map(lambda t: f"{t[0]}{t[1]}\n" + "".join(f"{i}{x}\n" for i, x in t[2]) + f"{t[3]}{t[1]}")


def multiline(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Constructs spread over lines, where python-hcl2's newline tokens and end positions matter."""
    gap = st.sampled_from(["\n", "\n  ", " # c\n", " // c\n", "\n\n", " /* c */\n", "\n# own line\n  "])
    return st.one_of(
        st.tuples(st.lists(inner, min_size=1, max_size=3), gap, st.booleans()).map(
            lambda t: "[" + t[1] + ("," + t[1]).join(t[0]) + ("," if t[2] else "") + t[1] + "]"),
        st.tuples(st.lists(st.tuples(identifiers, inner), min_size=1, max_size=3), gap).map(
            lambda t: "{" + t[1] + t[1].join(f"{k} = {v}" for k, v in t[0]) + t[1] + "}"),
        st.tuples(inner, inner).map(lambda t: f"(\n  {t[0]} +\n  {t[1]}\n)"),
        st.tuples(inner, inner, gap).map(lambda t: f"{t[0]} + {t[1]}{t[2].rstrip(' ')}"),
        st.tuples(inner, inner, inner).map(lambda t: f"{t[0]} ? {t[1]} : {t[2]} || x"),
        st.tuples(inner, gap).map(lambda t: f"f({t[1]}{t[0]},{t[1]}2{t[1]})"),
        st.tuples(inner, gap).map(lambda t: f"[for v in {t[0]} :{t[1]}v]"),
        heredocs(inner),
        st.tuples(heredocs(inner), identifiers).map(lambda t: "{\n  k = " + t[0] + "\n  " + t[1] + " = 1\n}"),
        st.tuples(heredocs(inner)).map(lambda t: f"jsonencode({t[0]}\n)"),
    )


def attributes(value: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """`name = value`, with a comment after it unless the value ends with a heredoc's marker."""
    return st.tuples(inline_space, identifiers, st.sampled_from([" = ", "=", "  =  ", "\t= "]), value,
                     st.sampled_from(["", " # note", " // note", "  /* c */"])).map(
        lambda t: f"{t[0]}{t[1]}{t[2]}{t[3]}{'' if t[3].startswith('<<') else t[4]}\n")


def documents() -> st.SearchStrategy[str]:
    one_line = expressions()
    value = st.one_of(one_line, multiline(expressions(6)))
    extras = st.sampled_from(["", "\n", "# comment\n", "// comment\n", "/* a\n b */\n", "  \n"])
    bodies = st.recursive(
        st.lists(st.one_of(attributes(value), extras), max_size=4).map(_join),
        lambda inner: st.lists(st.one_of(
            st.tuples(block_types, st.lists(labels, max_size=2), inner, inline_space).map(
                lambda b: f"{b[3]}{b[0]} {' '.join(b[1])}{' ' if b[1] else ''}{{\n{b[2]}}}\n"),
            st.tuples(block_types, labels, identifiers, one_line).map(
                lambda b: f"{b[0]} {b[1]} {{ {b[2]} = {b[3]} }}\n"),
            st.tuples(block_types, labels).map(lambda b: f"{b[0]} {b[1]} {{}}\n"),
            attributes(value), extras,
        ), max_size=4).map(_join),
        max_leaves=8,
    )
    return st.tuples(bodies, st.booleans(), st.booleans()).map(
        lambda t: (t[0].replace("\n", "\r\n") if t[1] else t[0]).rstrip("\n" if t[2] else ""))

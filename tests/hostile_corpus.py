"""A hostile-input corpus, generated at test time (nothing large is committed).

`write_corpus(root, outside)` fills `root` with files that have broken linters before: alias bombs,
deep nesting, huge and binary files, bad encodings, symlink loops, unreadable files, vendored
`.terraform/` directories. Beside them are a few valid files with a real defect, which must still be
reported. It returns, for every path that the report must mention (or must not), what is expected:

- "IRSA900": exactly one parse-error finding for the file, with a real line (and column when given);
- "skip":    exactly one skip note for the path, whose reason contains `hint`;
- "IRSA005": exactly one finding, IRSA005 (the file parsed and its defect was seen);
- "clean":   the file was linted: no finding and no skip note;
- "ignored": never mentioned (vendored directories, FIFOs).

`outside` is a directory beside the root: symlinks into it must not be followed.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from pathlib import Path

MiB = 1024 * 1024
YAML_CAP = 32 * MiB  # irsalint.load.reading.DEFAULT_MAX_BYTES
TERRAFORM_CAP = 2 * MiB

# The real defect: a token lifetime below the webhook's 600-second minimum (IRSA005).
DEFECT_SA = (
    "apiVersion: v1\n"
    "kind: ServiceAccount\n"
    "metadata:\n"
    "  name: {name}\n"
    "  namespace: payments\n"
    "  annotations:\n"
    '    eks.amazonaws.com/token-expiration: "300"\n'
)
DEFECT_TF = """\
resource "kubernetes_service_account_v1" "edge_cache" {
  metadata {
    name      = "edge-cache"
    namespace = "team-edge"
    annotations = {
      "eks.amazonaws.com/token-expiration" = "300"
    }
  }
}
"""
MANIFEST_HEAD = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n"

# Marker a YAML loader that executes tags would create (it must never exist).
PWNED = "irsalint-hostile-pwned"


@dataclass(frozen=True)
class Expect:
    outcome: str  # "IRSA900" | "skip" | "IRSA005" | "clean" | "ignored"
    hint: str = ""  # skip: a substring of the reason; IRSA900: a substring of the message
    line: int | None = None  # IRSA900 / IRSA005: the expected line
    col: int | None = None  # IRSA900: the expected column


def alias_bomb(indent: str) -> list[str]:
    """The classic 'billion laughs': 9 levels of 9 aliases each, 9**9 nodes once expanded."""
    lines = [f'{indent}a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    previous = "a"
    for level in "bcdefghi":
        lines.append(f"{indent}{level}: &{level} [" + ", ".join([f"*{previous}"] * 9) + "]")
        previous = level
    return lines


def _huge_manifest(size: int, name: str) -> str:
    """`size` bytes of the worst cases for a YAML composer, ending with a defective ServiceAccount:
    - a stream of ConfigMaps with many tiny keys (one node and two position marks per 8 bytes);
    - a `v1/List` as `kubectl get -o yaml` writes it (`items` before `kind`), of ServiceAccounts.
    PyYAML's composer needs 1.7 GB and 35 s for either."""
    keys = "".join(f"  k{i}: v\n" for i in range(1_000))
    chunks: list[str] = []
    total = 0
    index = 0
    while total < size // 2:
        chunk = (
            "---\n"
            + MANIFEST_HEAD.format(name=f"cm-{index}")
            + "  labels: {app: bulk, tier: data}\ndata:\n"
            + keys
        )
        chunks.append(chunk)
        total += len(chunk)
        index += 1
    chunks.append("---\napiVersion: v1\nitems:\n")
    item = "- apiVersion: v1\n  kind: ServiceAccount\n  metadata:\n    name: sa-{i}\n    namespace: bulk\n"
    while total < size - 300:
        chunk = item.format(i=index)
        chunks.append(chunk)
        total += len(chunk)
        index += 1
    last = "".join(
        "  " + line if line else line for line in DEFECT_SA.format(name=name).splitlines(keepends=True)
    )
    chunks.append("-" + last[1:] + "kind: List\nmetadata:\n  resourceVersion: ''\n")
    return "".join(chunks)


def write_corpus(root: Path, outside: Path) -> dict[str, Expect]:
    expected: dict[str, Expect] = {}
    rng = random.Random(900)

    def put(rel: str, content: str | bytes, expect: Expect) -> Path:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_bytes(content.encode("utf-8"))
        else:
            path.write_bytes(content)
        expected[rel] = expect
        return path

    # --- the real defects ----------------------------------------------------------------------
    put("k8s/real-defect.yaml", DEFECT_SA.format(name="payments-api"), Expect("IRSA005", line=7))

    # --- YAML ------------------------------------------------------------------------------------
    # Alias bombs in manifests are never expanded; like the API server ("excessive aliasing") we
    # reject them: IRSA900 at the alias that tips the count (irsalint.load.k8s.REJECT_ALIAS_BOMBS).
    put(
        "k8s/alias-bomb.yaml",
        MANIFEST_HEAD.format(name="bomb") + "data:\n" + "\n".join(alias_bomb("  ")) + "\n",
        Expect("IRSA900", "alias bomb"),
    )
    put(
        "k8s/alias-bomb-in-annotations.yaml",
        DEFECT_SA.format(name="bomb") + "\n".join(alias_bomb("    ")) + "\n",
        Expect("IRSA900", "alias bomb"),
    )
    put(
        "k8s/recursive-anchor.yaml",
        MANIFEST_HEAD.format(name="loop") + "data: &d\n  self: *d\n",
        Expect("IRSA900", "alias", line=6, col=9),
    )
    depth = 20_000
    put(
        "k8s/deep-flow.yaml",
        DEFECT_SA.format(name="deep") + "    deep: " + "[" * depth + "]" * depth + "\n",
        Expect("IRSA900", "nest", line=8),
    )
    put(
        "k8s/deep-flow-mapping.json",
        '{"apiVersion": "v1", "kind": "ConfigMap", "data": ' + '{"a": ' * depth + "1" + "}" * depth + "}\n",
        Expect("IRSA900", "nest", line=1),
    )
    # 30 MB, under the 32 MiB cap: parsed in full; the ServiceAccount at its very end is still seen.
    huge = _huge_manifest(30 * 1000 * 1000, "after-30mb")
    put("k8s/huge-30mb.yaml", huge, Expect("IRSA005", line=huge.count("\n") - 3))
    del huge
    over = "# padding\n" * (YAML_CAP // 10 + 1024)
    put("k8s/over-cap.yaml", MANIFEST_HEAD.format(name="over") + over, Expect("skip", "size cap"))
    # one 1 MB line: valid compact JSON (kubectl get -o json | jq -c) ...
    blob = "x" * MiB
    put(
        "k8s/long-line.json",
        '{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"blob","annotations":{"example.com/blob":"'
        + blob
        + '"}}}',
        Expect("clean"),
    )
    # ... and one with a syntax error at its end: the column must be the real one.
    broken = '{"apiVersion": "v1", "kind": "ConfigMap", "data": {"blob": "' + blob + '" "oops": 1}}'
    put("k8s/long-line-broken.json", broken, Expect("IRSA900", line=1, col=broken.index('"oops"') + 1))
    put("k8s/binary.yaml", bytes(rng.randrange(256) for _ in range(4096)) + b"\x00", Expect("skip", "binary"))
    nul_late = DEFECT_SA.format(name="nul") + "# padding\n" * 1_000 + "    note: a\x00b\n"
    put(
        "k8s/nul-late.yaml",
        nul_late,
        Expect("IRSA900", "control character", line=nul_late.count("\n"), col=12),
    )
    put(
        "k8s/latin1.yaml",
        (DEFECT_SA.format(name="latin") + "    description: Caf\xe9\n").encode("latin-1"),
        Expect("IRSA900", "UTF-8", line=8, col=21),
    )
    put(
        "k8s/latin1-notes.yaml", "notes: r\xe9sum\xe9 du caf\xe9\n".encode("latin-1"), Expect("skip", "UTF-8")
    )
    put(
        "k8s/bom-crlf.yaml",
        "\ufeff" + DEFECT_SA.format(name="bom-crlf").replace("\n", "\r\n"),
        Expect("IRSA005", line=7),
    )
    put(
        "k8s/unclosed-flow.yaml",
        DEFECT_SA.format(name="unclosed") + "    broken: [a, b\n",
        Expect("IRSA900", "YAML syntax error", line=9),
    )
    put("k8s/empty.yaml", b"", Expect("clean"))
    put("k8s/blank.yml", "\ufeff\n\n   \n", Expect("clean"))
    put(
        "k8s/duplicate-keys.yaml",
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: dup\nmetadata:\n  name: dup\n  annotations:\n"
        '    eks.amazonaws.com/token-expiration: "300"\n'
        '    eks.amazonaws.com/token-expiration: "3600"\n',  # the last duplicate wins, as in the API server
        Expect("clean"),
    )
    put(
        "k8s/tabs.yaml",
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n\tname: tabs\n",
        Expect("IRSA900", "YAML syntax error", line=4, col=1),
    )
    put(
        "k8s/unknown-tags.yaml",
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: tags\n  labels:\n    ref: !Ref Something\n"
        f"  run: !!python/object/apply:os.system ['touch {outside.as_posix()}/{PWNED}']\n"
        "  annotations:\n    eks.amazonaws.com/token-expiration: !Sub '${Ttl}'\n",
        Expect("clean"),
    )
    put(
        "charts/app/templates/serviceaccount.yaml",
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {{ .Values.name }}\n",
        Expect("skip", "Helm template"),
    )

    # --- Terraform -------------------------------------------------------------------------------
    # Each bad file mentions an IAM role: irsalint.engine's prefilter passes over Terraform files
    # that cannot matter to any rule (no aws_iam, kubernetes_, module, variable, locals...) unread.
    role = 'resource "aws_iam_role" "r" {}\n'
    put("terraform/bom-crlf.tf", "\ufeff" + DEFECT_TF.replace("\n", "\r\n"), Expect("IRSA005", line=6))
    put(
        "terraform/deep-objects.tf",
        "locals {\n  deep = " + "{ a = " * 3_000 + "1" + " }" * 3_000 + "\n}\n",
        Expect("IRSA900", "nested", line=2),
    )
    huge_tf = "# padding\n" * (TERRAFORM_CAP // 10 + 1024)
    put("terraform/huge.tf", role + huge_tf, Expect("skip", "size cap"))
    junk = role.encode() + bytes(rng.randrange(256) for _ in range(4096)) + b"\x00"
    put("terraform/binary.tf", junk, Expect("skip", "binary"))
    put("terraform/nul.tf", role + "x = 1\n" * 2_000 + "y = \x00\n", Expect("IRSA900", line=2_002, col=5))
    put(
        "terraform/latin1.tf",
        'variable "x" {\n  description = "Caf\xe9"\n}\n'.encode("latin-1"),
        Expect("IRSA900", "UTF-8", line=2, col=21),
    )
    put(
        "terraform/unterminated-heredoc.tf",
        'resource "aws_iam_role" "r" {\n  name = "r"\n  assume_role_policy = <<EOF\n{\n  "Version": "2012-10-17"\n',
        Expect("IRSA900", "HCL syntax error", line=3),
    )
    put(
        "terraform/unclosed-block.tf",
        'resource "aws_iam_role" "r" {\n  name = "r"\n  assume_role_policy = "{}"\n',
        Expect("IRSA900", "HCL syntax error"),
    )
    put("terraform/empty.tf", b"", Expect("clean"))
    put("terraform/tabs.tf", 'locals {\n\tname\t=\t"tabs"\n}\n', Expect("clean"))
    put("terraform/long-line.tf", 'locals { blob = "' + blob + '" }\n', Expect("clean"))
    # a YAML alias bomb where a JSON policy is expected (policies are read with libyaml, for positions):
    # the policy is unreadable, never expanded
    put(
        "terraform/policy-alias-bomb.tf",
        'resource "aws_iam_role" "bomb" {\n  name = "bomb"\n  assume_role_policy = <<EOF\n'
        + "\n".join(alias_bomb(""))
        + "\nEOF\n}\n",
        Expect("clean"),
    )

    # --- vendored: never linted, whatever is inside --------------------------------------------
    put(
        ".terraform/modules/iam/main.tf",
        DEFECT_TF + 'resource "aws_iam_role" "broken" {\n',
        Expect("ignored"),
    )
    put(".terraform/modules/iam/sa.yaml", DEFECT_SA.format(name="vendored"), Expect("ignored"))

    # --- file-system oddities ----------------------------------------------------------------------
    outside.mkdir(parents=True, exist_ok=True)
    (outside / "defect.yaml").write_text(DEFECT_SA.format(name="outside"))
    links = {
        "k8s/loop": ("..", Expect("skip", "loop")),  # a directory loop
        "k8s/loop-a.yaml": ("loop-b.yaml", Expect("skip", "loop")),  # a file symlink loop
        "k8s/loop-b.yaml": ("loop-a.yaml", Expect("skip", "loop")),
        "k8s/dangling.yaml": ("does-not-exist.yaml", Expect("skip", "dangling")),
        "k8s/outside.yaml": (str(outside / "defect.yaml"), Expect("skip", "outside")),
        "k8s/outside-dir": (str(outside), Expect("skip", "outside")),
    }
    for rel, (target, expect) in links.items():
        os.symlink(target, root / rel)
        expected[rel] = expect
    os.mkfifo(root / "k8s" / "fifo.yaml")  # opening it would block forever
    expected["k8s/fifo.yaml"] = Expect("ignored")
    if os.geteuid() != 0:  # root reads a chmod-000 file anyway: the sub-case is meaningless there
        unreadable = put(
            "k8s/unreadable.yaml", DEFECT_SA.format(name="unreadable"), Expect("skip", "cannot read")
        )
        unreadable.chmod(0)
    return expected

"""CloudFormation AWS::IAM::Role: trusts in YAML or as !Sub JSON, intrinsics unknown."""

from __future__ import annotations

from irsalint.load import load_bytes
from irsalint.load.k8s import K8sFile
from irsalint.model import UNKNOWN
from tests.helpers import FIXTURES


def test_sub_json_trust_is_read_with_its_substitutions_unknown():
    path = FIXTURES / "rules" / "IRSA001" / "good" / "cloudformation-role" / "template.yaml"
    loaded = load_bytes("template.yaml", path.read_bytes(), "yaml")
    assert isinstance(loaded, K8sFile)
    roles = {role.name: role for role in loaded.roles}
    assert set(roles) == {"labeler", "printer"}
    [statement] = roles["labeler"].trust.statements
    sub = next(c for c in statement.conditions if c.claim == "sub")
    assert sub.issuer is UNKNOWN and not sub.values.complete  # ${Namespace}: unknown
    assert sub.loc.line == 20  # inside the !Sub block, at the key's own line
    [printer] = roles["printer"].trust.statements
    assert next(c for c in printer.conditions if c.claim == "sub").values.texts() == (
        "system:serviceaccount:printing:printer",
    )

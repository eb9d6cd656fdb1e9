"""CloudFormation AWS::IAM::Role: trusts in YAML or as !Sub JSON, intrinsics unknown."""

from __future__ import annotations

from irsalint.load.dispatch import load_bytes
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


def _template(text: str):
    loaded = load_bytes("template.yaml", text.encode(), "yaml")
    assert isinstance(loaded, K8sFile)
    return loaded


def test_intrinsics_evaluate_or_stay_partly_known():
    loaded = _template(
        "Parameters:\n  Env:\n    Type: String\n    Default: prod\nResources:\n"
        "  Role:\n    Type: AWS::IAM::Role\n    Properties:\n"
        "      RoleName: !Join ['-', [!Ref Env, !Sub '${AWS::Region}', api]]\n"
        "      AssumeRolePolicyDocument: {}\n"
        "      ManagedPolicyArns:\n"
        "        - !Sub ['arn:${AWS::Partition}:iam::aws:policy/${Name}', {Name: ReadOnlyAccess}]\n"
        "        - !If [IsProd, arn:aws:iam::aws:policy/AdministratorAccess, !Ref AWS::NoValue]\n"
        "Outputs:\n  Arn:\n    Value: !GetAtt Role.Arn\n"
    )
    [role] = loaded.roles
    assert str(role.name) == "prod-${AWS::Region}-api"  # partly known: Env's default, a pseudo parameter
    read_only, conditional = role.managed_policy_arns
    assert str(read_only.value) == "arn:${AWS::Partition}:iam::aws:policy/ReadOnlyAccess"
    assert conditional.value is UNKNOWN  # !If is not evaluated
    assert dict(loaded.role_uses) == {role.id: (dict(loaded.role_uses)[role.id][0],)}  # used by an Output

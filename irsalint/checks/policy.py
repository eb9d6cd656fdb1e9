"""Checks over the permission policies reachable from the roles pods assume (IRSA, Pod Identity)."""

from __future__ import annotations

import bisect
import functools
import json
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import Any

from irsalint.checks.base import Hit
from irsalint.checks.labels import join_some, plural, quoted, role_label, roles_label
from irsalint.graph import IrsaGraph
from irsalint.iam import Tri, string_like
from irsalint.model import Condition, IamRole, Location, Partial, PolicyDocument, Statement, Value
from irsalint.package_data import read_text
from irsalint.policy_patterns import WILDCARD_ONLY_RE as _WILDCARD_ONLY_RE
from irsalint.policy_patterns import aws_managed_policy_name, is_wildcard_resource, is_wildcard_resource_value
from irsalint.record import record

_SERVICE_WILDCARD_RE = re.compile(r"^[a-z0-9-]+:\*+$", re.IGNORECASE)


@record
class _Reach:
    statement: Statement
    roles: tuple[IamRole, ...]
    via: tuple[Location, ...]
    kind: str = "IRSA"  # how pods get the roles: "IRSA" (when any role is IRSA) or "Pod Identity"
    upstream: _Upstream | None = None  # the controller whose upstream policy its document is


def _allow_statements(graph: IrsaGraph) -> list[_Reach]:
    """Every Allow statement reachable from a role pods assume (IRSA or Pod Identity), once, with
    the roles that reach it (three rules read them: computed once per run)."""
    return graph.derived("allow_statements", lambda: _reachable_allow_statements(graph))


def _reachable_allow_statements(graph: IrsaGraph) -> list[_Reach]:
    # Keyed by position (a document read twice is one statement); statements generated from a
    # module flag share the flag's line, so their origin is part of the key.
    Key = tuple[Location, tuple[str, int] | None]
    roles_of: dict[Key, list[IamRole]] = defaultdict(list)
    via_of: dict[Key, list[Location]] = defaultdict(list)
    statements: dict[Key, Statement] = {}
    upstream_of: dict[Key, _Upstream | None] = {}
    kinds: dict[str, str] = {}
    for role, kind in graph.pod_roles():
        kinds[role.id] = kind
        for attached in graph.documents_of(role.id):
            upstream = _upstream_of(attached.document)
            for statement in attached.document.statements:
                if statement.effect != "Allow":
                    continue
                origin = statement.generated_by
                key: Key = (statement.loc, (origin.flag, origin.index) if origin else None)
                statements[key] = statement
                upstream_of[key] = upstream
                if role not in roles_of[key]:
                    roles_of[key].append(role)
                    via_of[key].append(attached.via)
    ordered = sorted(statements, key=lambda k: (k[0], k[1] or ("", -1)))
    return [
        _Reach(statements[k], tuple(roles_of[k]), tuple(via_of[k]),
               "IRSA" if any(kinds[r.id] == "IRSA" for r in roles_of[k]) else "Pod Identity", upstream_of[k])
        for k in ordered
    ]


def _related(reach: _Reach) -> tuple[tuple[str, Location], ...]:
    related = [(f"role {role_label(r)}", r.loc) for r in reach.roles]
    related.extend(("attached here", v) for v in reach.via if v not in {r.loc for r in reach.roles})
    return tuple(dict.fromkeys(related))


def _irsa_roles(reach: _Reach) -> str:
    """'IRSA role a' or 'Pod Identity roles a, b': a policy attached to several roles names them all."""
    return f"{reach.kind} role{'s' if len(reach.roles) > 1 else ''} {roles_label(reach.roles)}"


def _their(reach: _Reach) -> str:
    return "their" if len(reach.roles) > 1 else "its"


def _entity(reach: _Reach) -> str:
    sid = reach.statement.sid
    addresses = sorted({r.address for r in reach.roles})
    return f"Statement {sid if isinstance(sid, str) else '#'} of {', '.join(addresses[:3])}"


def _service_wildcards(statement: Statement) -> list[Value]:
    """`*` and `service:*` action values."""
    found: list[Value] = []
    for value in statement.actions.values if statement.actions is not None else ():
        text = value.text
        if isinstance(text, str) and (text.strip("*") == "" or _SERVICE_WILDCARD_RE.match(text)):
            found.append(value)
    return found


def wildcard_action(graph: IrsaGraph, params: Mapping[str, Any]) -> Iterator[Hit]:
    """IRSA003: one finding per statement, at its first wildcard action (or its NotAction)."""
    for reach in _allow_statements(graph):
        statement = reach.statement
        if statement.not_actions is not None:
            yield Hit(
                f"Allow with NotAction grants {_irsa_roles(reach)} every action except those listed. "
                "List the actions the workload needs in Action instead.",
                statement.not_actions.loc,
                _entity(reach),
                _related(reach),
            )
            continue
        found = _service_wildcards(statement)
        if not found:
            continue
        texts = [str(v.text) for v in found]
        if any(t.strip("*") == "" for t in texts):
            scope = "every action of every service"
        else:
            scope = "every action of " + join_some(sorted({t.split(":", 1)[0] for t in texts}))
        shown = ", ".join(f'"{t}"' for t in texts[:3]) + (f" and {len(texts) - 3} more" if len(texts) > 3 else "")
        yield Hit(
            f"Action {shown} grants {scope} to {_irsa_roles(reach)}. List the actions the workload calls.",
            found[0].loc,
            _entity(reach),
            _related(reach),
        )


class _ActionsByService:
    """service -> ((action, resource_scoped), ...), each service's slice found by bisection in
    the two sorted lists when first asked for: grouping all 20k actions up front cost 9 ms of
    every run that has a policy."""

    def __init__(self, star_only: list[str], resource_scoped: list[str]) -> None:
        self._lists = ((star_only, False), (resource_scoped, True))
        self._found: dict[str, tuple[tuple[str, bool], ...]] = {}

    def get(self, service: str, default: tuple[tuple[str, bool], ...] = ()) -> tuple[tuple[str, bool], ...]:
        found = self._found.get(service)
        if found is None:
            # sorted lists (tests/test_data_files.py): ":" < ";" bounds every "service:" action
            found = self._found[service] = tuple(
                (action, scoped)
                for actions, scoped in self._lists
                for action in actions[bisect.bisect_left(actions, f"{service}:") : bisect.bisect_left(actions, f"{service};")]
            )
        return found or default


@functools.lru_cache(maxsize=1)
def _action_table() -> tuple[frozenset[str], _ActionsByService]:
    """(star-only actions, service -> ((action, resource_scoped), ...)) from the shipped data file."""
    text = read_text("data/star_only_actions.json")
    data = json.loads(text)
    return frozenset(data["star_only"]), _ActionsByService(data["star_only"], data["resource_scoped"])


@functools.lru_cache(maxsize=4096)  # a pure function of the pattern; policies repeat their actions
def supports_resource_scoping(pattern: str) -> Tri:
    """Can this action (or pattern) be scoped to resources? Unknown actions count as scopable.

    A pattern is scopable when at least half of the actions it matches are: `ec2:Describe*` is
    read-only and AWS allows most of it only on "*", so it stays quiet; `s3:Get*` does not."""
    pattern = pattern.lower()
    if pattern.strip("*") == "":
        return True
    service, _, name = pattern.partition(":")
    star_only, by_service = _action_table()
    actions = by_service.get(service)
    if not actions or not name:
        return True
    if "*" not in name and "?" not in name:
        return pattern not in star_only
    matched = [scoped for action, scoped in actions if string_like(pattern, action)]
    if not matched:
        return True
    return sum(matched) * 2 >= len(matched)


def _scopable_actions(statement: Statement) -> Tri:
    if statement.not_actions is not None:
        return True  # NotAction allows nearly everything, scopable actions included
    if statement.actions is None:
        return False
    verdicts = [supports_resource_scoping(v) if isinstance(v, str) else None for v in statement.actions.texts()]
    if any(v is True for v in verdicts):
        return True
    if any(v is None for v in verdicts) or not statement.actions.complete:
        return None
    return False


@functools.lru_cache(maxsize=1)
def _access_levels() -> dict[str, str]:
    """action (lowercase) -> its access level, for every level but Write (shipped data)."""
    text = read_text("data/iam_access_levels.json")
    data = json.loads(text)
    return {action: level for level, actions in data["levels"].items() for action in actions}


# Order in which IRSA002 lists offending actions: what changes things first, what reads last.
_LEVEL_ORDER = {"Permissions management": 0, "Write": 1, "Tagging": 2, "Read": 3, "List": 4}


def access_level(pattern: str) -> str:
    """The access level of an action, or of the most powerful action a wildcard pattern matches."""
    pattern = pattern.lower()
    levels = _access_levels()
    if "*" not in pattern and "?" not in pattern:
        return levels.get(pattern, "Write")
    _, by_service = _action_table()
    matched = [levels.get(a, "Write") for a, _ in by_service.get(pattern.partition(":")[0], ()) if string_like(pattern, a)]
    return min(matched, key=_LEVEL_ORDER.__getitem__) if matched else "Write"


@functools.lru_cache(maxsize=1)
def _sensitive_reads() -> tuple[str, ...]:
    """Read/List action patterns that return data, not metadata (shipped data, with its source)."""
    text = read_text("data/sensitive_reads.json")
    return tuple(json.loads(text)["patterns"])


@functools.lru_cache(maxsize=1)
def _referenced_types_table() -> dict[str, frozenset[str]]:
    """launch action -> resource types it only references (shipped data, with its source)."""
    text = read_text("data/referenced_resources.json")
    return {action: frozenset(types) for action, types in json.loads(text)["actions"].items()}


def _only_referenced(resource: object, actions: list[str]) -> bool:
    """Is this wildcard ARN (`arn:aws:ec2:region::image/*`) of a type that every one of the
    actions only uses (an AMI to launch from), never creates or changes?"""
    resource_type = _resource_type(resource)  # the partition, region or account may be unknown, not the type
    if resource_type is None or not actions:
        return False
    table = _referenced_types_table()
    return all(resource_type in table.get(action.lower(), ()) for action in actions)


@record
class _Upstream:
    name: str
    markers: frozenset[str]
    markers_any: frozenset[str]
    anywhere: frozenset[str]  # actions it grants on "*"
    of_type: Mapping[str, frozenset[str]]  # actions it grants on every resource of these types


@functools.lru_cache(maxsize=1)
def _upstream_policies() -> tuple[_Upstream, ...]:
    """Controllers' upstream policies (shipped data, with sources)."""
    text = read_text("data/upstream_policies.json")
    return tuple(
        _Upstream(name, frozenset(c["markers"]), frozenset(c.get("markers_any", ())), frozenset(c["on_every_resource"]),
                  {a: frozenset(t) for a, t in c.get("on_every_resource_of_type", {}).items()})
        for name, c in sorted(json.loads(text)["controllers"].items())
    )


def _upstream_of(document: PolicyDocument) -> _Upstream | None:
    """The controller this document is the policy of, told by the actions only it needs."""
    actions = {t.lower() for s in document.statements if s.actions for t in s.actions.texts() if isinstance(t, str)}
    for upstream in _upstream_policies():
        if upstream.markers <= actions and (not upstream.markers_any or upstream.markers_any & actions):
            return upstream
    return None


def _upstream_grants(reach: _Reach, offenders: list[str], wildcards: list[Value]) -> bool:
    """Does the upstream policy of the statement's document grant all of this on these resources?"""
    upstream, statement = reach.upstream, reach.statement
    if upstream is None or statement.not_actions is not None or statement.not_resources is not None or not offenders:
        return False
    types = {_resource_type(w.value) for w in wildcards}
    for action in (a.lower() for a in offenders if _matters_on_every_resource([a])):  # reads of metadata: silent anyway
        if action in upstream.anywhere:
            continue
        allowed = upstream.of_type.get(action, frozenset())
        if not allowed or not types <= allowed:
            return False
    return True


def _resource_type(resource: object) -> str | None:
    """`arn:aws:ec2:*:*:network-interface/*` -> network-interface; None for `*` or unreadable."""
    if isinstance(resource, Partial):
        resource = resource.fill("x")
    if not isinstance(resource, str) or resource.count(":") < 5:
        return None
    return resource.split(":", 5)[5].split("/", 1)[0].lower()


def _reads_data(pattern: str) -> bool:
    """Could this Read/List action (or pattern) return data? `s3:Get*` can; `ec2:Describe*` cannot."""
    pattern = pattern.lower()
    return any(string_like(p, pattern) or string_like(pattern, p) for p in _sensitive_reads())


def _matters_on_every_resource(actions: list[str]) -> bool:
    """Writes, permission and tag changes always matter on "*"; reads only when they return data."""
    return any(access_level(a) not in ("Read", "List") or _reads_data(a) for a in actions)


def _offending_actions(statement: Statement) -> list[str]:
    """The actions of the statement that could be scoped to resources, most powerful first."""
    texts = [t for t in statement.actions.texts() if isinstance(t, str)] if statement.actions else []
    scopable = [t for t in dict.fromkeys(texts) if supports_resource_scoping(t) is True]
    return sorted(scopable, key=lambda t: _LEVEL_ORDER[access_level(t)])


# Condition keys that tie an Allow to tags of the resource or of the request (SPEC §4.1):
# aws:ResourceTag/x, ec2:ResourceTag/x, aws:RequestTag/x, autoscaling:ResourceTag/x...
_TAG_KEY_RE = re.compile(r"^[a-z0-9-]+:(resource|request)tag/", re.IGNORECASE)


# Global keys that narrow the resources an Allow reaches (the others narrow the caller: source IP,
# MFA, time...). Service-specific keys (`iam:AWSServiceName`, `ec2:Vpc`, `kms:ViaService`...) always do.
_RESOURCE_GLOBAL_KEYS = ("aws:resourceaccount", "aws:resourceorgid", "aws:resourceorgpaths", "aws:calledvia")


def _condition_scoped(statement: Statement) -> bool:
    """Is the Allow narrowed by a positive condition on what it acts on, other than tags (a
    service-specific key such as iam:AWSServiceName, or aws:ResourceAccount)? Such statements are
    deliberate; IRSA002 cannot tell how wide they are and stays silent."""
    for condition in statement.conditions:
        key, operator = condition.key, condition.operator
        if not isinstance(key, str) or not isinstance(operator, str) or _TAG_KEY_RE.match(key):
            continue
        base = operator.removeprefix("ForAnyValue:").removeprefix("ForAllValues:").removesuffix("IfExists")
        if base.startswith(("StringNot", "ArnNot")) or base in ("Null", "Bool"):
            continue
        lowered = key.lower()
        if not lowered.startswith("aws:") or lowered.startswith(_RESOURCE_GLOBAL_KEYS):
            return True
    return False


def _tag_scoped(statement: Statement) -> bool:
    """Is the Allow limited to resources (or requests) carrying given tags, or to tagging what the
    same call creates (`ec2:CreateAction`)? A negated test or a Null test that the tag be absent
    restricts nothing."""
    if any(_is_create_only(c) for c in statement.conditions):
        return True
    for condition in statement.conditions:
        key, operator = condition.key, condition.operator
        if not isinstance(key, str) or not isinstance(operator, str) or not _TAG_KEY_RE.match(key):
            continue
        base = operator.removeprefix("ForAnyValue:").removeprefix("ForAllValues:").removesuffix("IfExists")
        if base.startswith("StringNot") or base.startswith("ArnNot"):
            continue
        if base == "Null":
            if condition.values.complete and [v.lower() if isinstance(v, str) else v for v in condition.values.texts()] == ["false"]:
                return True
            continue
        if base.startswith(("String", "Arn")):
            return True
    return False


def _tags_anything(graph: IrsaGraph, reach: _Reach, all_reach: list[_Reach]) -> Value | None:
    """A wildcard resource on which one of these roles may tag without a tag condition (so it can
    tag itself into any tag-scoped statement): the first such value, or None."""
    roles = set(reach.roles)
    for other in all_reach:
        if not roles & set(other.roles) or _tag_scoped(other.statement) or other.statement.resources is None:
            continue
        actions = [t for t in other.statement.actions.texts() if isinstance(t, str)] if other.statement.actions else []
        if not any(access_level(a) == "Tagging" and supports_resource_scoping(a) is True for a in actions):
            continue
        if any(_is_create_only(c) for c in other.statement.conditions):
            continue  # ec2:CreateAction: tags only what the same call creates
        for value in other.statement.resources.values:
            if is_wildcard_resource_value(value.value):
                return value
    return None


def _is_create_only(condition: Condition) -> bool:
    return isinstance(condition.key, str) and condition.key.lower().endswith(":createaction")


def wildcard_resource(graph: IrsaGraph, params: Mapping[str, Any]) -> Iterator[Hit]:
    """IRSA002: one finding per statement, at its first wildcard resource (or its NotResource)."""
    all_reach = _allow_statements(graph)
    generated: dict[tuple[str, str], list[tuple[_Reach, Value]]] = defaultdict(list)
    for reach in all_reach:
        statement = reach.statement
        if _scopable_actions(statement) is not True:
            continue
        origin = statement.generated_by
        if origin is not None and statement.resources is not None:
            wildcard = next((v for v in statement.resources.values if is_wildcard_resource_value(v.value)), None)
            if wildcard is not None:
                generated[(origin.module, origin.flag)].append((reach, wildcard))
            continue
        wildcards = [v for v in statement.resources.values if is_wildcard_resource_value(v.value)] if statement.resources else []
        if statement.not_resources is None and not wildcards:
            continue
        offenders = _wildcard_offenders(statement)
        if statement.not_actions is None and not _matters_on_every_resource(offenders):
            continue  # Describe/List/Get of infrastructure metadata: no data behind "*"
        if statement.not_resources is None and statement.not_actions is None and all(
            _only_referenced(w.value, offenders) for w in wildcards
        ):
            continue  # every AMI/subnet/security group a launch may use: how launch policies are scoped
        if _condition_scoped(statement):
            continue
        tagger = None
        if _tag_scoped(statement):
            tagger = _tags_anything(graph, reach, all_reach)
            if tagger is None:
                continue  # only resources carrying the tags: scoped, though not by ARN
        loc = statement.not_resources.loc if statement.not_resources is not None else wildcards[0].loc
        message = _wildcard_message(reach, wildcards, tagger)
        level = None
        if tagger is None and _upstream_grants(reach, offenders, wildcards):
            assert reach.upstream is not None
            level = "note"  # what the controller needs as its maintainers ship it: seen, not a gate
            message = (f"{message.rsplit(' Scope Resource', 1)[0]} The upstream {reach.upstream.name} policy grants "
                       "this; keep the copy in step with it.")
        yield Hit(message, loc, _entity(reach), _related(reach) + (
            (("it can tag any resource here", tagger.loc),) if tagger is not None else ()
        ), level=level)
    for (module, flag), found in sorted(generated.items()):
        yield _generated_wildcards(module, flag, found)


def _generated_wildcards(module: str, flag: str, found: list[tuple[_Reach, Value]]) -> Hit:
    """The policies one `attach_*_policy` flag renders with wildcard resources: one finding."""
    reach, first = found[0]
    shown = next((w.value for _, w in found if w.value == "*"), first.value)  # the broadest one
    variables = list(dict.fromkeys(r.statement.generated_by.variable for r, _ in found if r.statement.generated_by))
    explicit = any(r.statement.generated_by.explicit for r, _ in found if r.statement.generated_by)
    offending = list(dict.fromkeys(a for r, _ in found for a in _offending_actions(r.statement)))
    actions = offending[0] + (f" and {plural(len(offending) - 1, 'more action')}" if len(offending) > 1 else "")
    how = "are set to" if explicit else "default to"
    if len(variables) == 1:
        how = "is set to a wildcard" if explicit else "defaults to a wildcard"
    else:
        how += " wildcards"
    return Hit(
        f"{flag} = true on {module} grants {actions} on {quoted(str(shown), 40)}. "
        f"{join_some(variables, 3)} {how}: set {'it' if len(variables) == 1 else 'them'} to the ARNs the "
        "workload uses.",
        first.loc,
        f"Role {', '.join(sorted({r.address for r in reach.roles}))} {flag}",
        _related(reach),
    )


def _wildcard_message(reach: _Reach, wildcards: list[Value], tagger: Value | None) -> str:
    statement = reach.statement
    if statement.not_resources is not None:
        where = "every resource but those listed (NotResource)"
    else:
        more = f" and {len(wildcards) - 1} more" if len(wildcards) > 1 else ""
        where = f"every resource ({_short_resource(wildcards[0].value)}{more})"
    for shown in (3, 2, 1):  # long action names: name fewer, so that the first sentence stays short
        head = f"{_irsa_roles(reach)} may use {_actions_summary(statement, shown)} on {where}."
        if len(head) <= 170:  # tests/test_messages.py holds every first sentence to this
            break
    if tagger is not None:
        return f"{head} Its tag condition does not help: the role may tag any resource, so it can tag its way in."
    return f"{head} Scope Resource to the ARNs the workload uses."


# Session add-ons that only act while assuming a role the caller may assume anyway: on `*` they add
# nothing that AssumeRole on the same roles does not already decide.
_SESSION_ADDONS = frozenset({"sts:tagsession", "sts:setsourceidentity"})


def _wildcard_offenders(statement: Statement) -> list[str]:
    """IRSA002's actions: the scopable ones, less those IRSA013 reports as an escalation on `*`
    (sts:AssumeRole, iam:PassRole...): one defect, one finding."""
    return [
        a for a in _offending_actions(statement)
        if a.lower() not in _SESSION_ADDONS and not _escalates_on_star(a, statement)
    ]


def _escalates_on_star(action: str, statement: Statement) -> bool:
    if "*" in action or "?" in action:
        return False  # iam:* is broader than the escalation IRSA013 names
    return any(e.requires_resource_star and e.action == action.lower() for e in _granted(action, statement))


def _short_resource(value: object) -> str:
    """`"*"`, or an ARN by its resource part (`"arn:…:instance/*"`): the partition, region and
    account add length, not meaning, to a first sentence."""
    text = str(value)
    if text.startswith("arn:") and text.count(":") >= 5 and len(text) > 40:
        return quoted(text.split(":", 5)[5], 32).replace('"', '"arn:…:', 1)
    return quoted(text, 40)


def _actions_summary(statement: Statement, shown: int = 3) -> str:
    if statement.not_actions is not None:
        return "all but a few actions"
    offending = _wildcard_offenders(statement)
    if not offending:
        return "its actions"
    return join_some(offending, shown)


# --- IRSA013 privilege escalation --------------------------------------------------------------


@record
class _Escalation:
    action: str  # lowercase service:action
    requires_resource_star: bool
    why: str


@functools.lru_cache(maxsize=1)
def _escalation_table() -> tuple[tuple[_Escalation, ...], dict[str, str]]:
    """(escalation actions, managed policy name -> why) from the shipped data file."""
    text = read_text("data/privilege_escalation.json")
    data = json.loads(text)
    actions = tuple(
        _Escalation(e["action"], bool(e["requires_resource_star"]), e["why"]) for e in data["escalation_actions"]
    )
    managed = {p["name"]: p["why"] for p in data["managed_policies"]}
    return actions, managed


def _display_action(action: str) -> str:
    """iam:passrole -> iam:PassRole (display only; IAM action names are case-insensitive)."""
    service, _, name = action.partition(":")
    known = {
        "passrole": "PassRole", "createpolicyversion": "CreatePolicyVersion",
        "setdefaultpolicyversion": "SetDefaultPolicyVersion", "attachrolepolicy": "AttachRolePolicy",
        "attachuserpolicy": "AttachUserPolicy", "attachgrouppolicy": "AttachGroupPolicy",
        "putrolepolicy": "PutRolePolicy", "putuserpolicy": "PutUserPolicy", "putgrouppolicy": "PutGroupPolicy",
        "updateassumerolepolicy": "UpdateAssumeRolePolicy", "createaccesskey": "CreateAccessKey",
        "createloginprofile": "CreateLoginProfile", "updateloginprofile": "UpdateLoginProfile",
        "addusertogroup": "AddUserToGroup", "assumerole": "AssumeRole",
    }
    return f"{service}:{known.get(name, name)}"


@functools.lru_cache(maxsize=65_536)  # the same few actions meet the same escalation table in every policy
def _pattern_grants(pattern: str, action: str) -> bool:
    """Case-insensitive IAM action matching, wildcards on either side."""
    pattern = pattern.lower()
    return string_like(pattern, action) or string_like(action, pattern)


@functools.lru_cache(maxsize=65_536)
def _resource_applies(resource: str, service: str) -> bool:
    """Can this Resource value name resources of `service` (iam, sts)? `*`, wildcard-only text and
    ARNs of that service (or of a wildcard service) can; an S3 ARN cannot grant iam:PassRole."""
    if _WILDCARD_ONLY_RE.match(resource):
        return True
    parts = resource.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return False
    arn_service = parts[2].lower()
    targets = _RESOURCE_SERVICES.get(service, (service,))
    return any(string_like(arn_service, t) or string_like(t, arn_service) for t in targets)


# sts:AssumeRole names its target by role ARN, which is an `iam` ARN.
_RESOURCE_SERVICES = {"sts": ("sts", "iam")}


def _escalation_resource(statement: Statement, escalation: _Escalation) -> Tri:
    """Does the statement's Resource let the escalation action work as escalation? For the
    `requires_resource_star` actions only `*`-like resources count."""
    service = escalation.action.split(":", 1)[0]
    if statement.not_resources is not None:
        return True  # everything except a few resources
    if statement.resources is None:
        return False
    verdict: Tri = False
    for text in statement.resources.texts():
        if not isinstance(text, str):
            verdict = None
            continue
        if not _resource_applies(text, service):
            continue
        if not escalation.requires_resource_star or is_wildcard_resource(text):
            return True
    if verdict is False and not statement.resources.complete:
        return None
    return verdict


def _star_resource(statement: Statement, escalation: _Escalation) -> str:
    if statement.not_resources is not None or statement.resources is None:
        return "every resource (NotResource)"
    service = escalation.action.split(":", 1)[0]
    for text in statement.resources.texts():
        if isinstance(text, str) and _resource_applies(text, service) and is_wildcard_resource(text):
            return f'"{text}"'
    return '"*"'  # pragma: no cover - only called for statements _escalation_resource accepted


@functools.lru_cache(maxsize=4096)
def _escalations_granted_by(pattern: str) -> tuple[_Escalation, ...]:
    """The escalation table's entries an action pattern grants, in table order (policies repeat
    their actions: matching each against the whole table once per statement was 7 ms of IRSA013
    on the 1k-service bench corpus)."""
    escalations, _ = _escalation_table()
    return tuple(e for e in escalations if _pattern_grants(pattern, e.action))


def _granted(pattern: str, statement: Statement) -> list[_Escalation]:
    return [e for e in _escalations_granted_by(pattern) if _escalation_resource(statement, e) is True]


def _escalation_message(what: str, granted: list[_Escalation], reach: _Reach, exact: bool) -> str:
    first = granted[0]
    shown = _display_action(first.action)
    scope = f" on {_star_resource(reach.statement, first)}" if first.requires_resource_star else ""
    advice = _generated_hint(reach.statement) or "Remove it, or scope it to the exact resources the workload needs."
    tail = f" {first.why} {advice}"
    if exact:
        return f"{what}{scope} lets {_irsa_roles(reach)} escalate {_their(reach)} privileges.{tail}"
    others = [_display_action(e.action) for e in granted[1:]]
    more = f" (and {join_some(others, 2)})" if others else ""
    return f"{what} lets {_irsa_roles(reach)} escalate {_their(reach)} privileges. It grants {shown}{scope}{more}.{tail}"


def privilege_escalation(graph: IrsaGraph, params: Mapping[str, Any]) -> Iterator[Hit]:
    for reach in _allow_statements(graph):
        statement = reach.statement
        if statement.not_actions is not None:
            if not statement.not_actions.complete:
                continue
            texts = statement.not_actions.texts()
            if any(not isinstance(t, str) for t in texts):
                continue
            escalations, _ = _escalation_table()
            excluded = [t for t in texts if isinstance(t, str)]
            granted = [
                e for e in escalations
                if not any(_pattern_grants(p, e.action) for p in excluded) and _escalation_resource(statement, e) is True
            ]
            if granted:
                yield Hit(
                    _escalation_message("Allow with NotAction", granted, reach, exact=False),
                    statement.not_actions.loc,
                    f"{_entity(reach)} NotAction",
                    _related(reach),
                )
        if statement.actions is None:
            continue
        for value in statement.actions.values:
            text = value.text
            if not isinstance(text, str):
                continue
            granted = _granted(text, statement)
            if granted:
                yield Hit(
                    _escalation_message(
                        f'Action "{text}"', granted, reach, exact=len(granted) == 1 and text.lower() == granted[0].action
                    ),
                    value.loc,
                    f"{_entity(reach)} {text}",
                    _related(reach),
                )
    _, managed = _escalation_table()
    for role, kind in graph.pod_roles():
        for arn in graph.role_managed_arns.get(role.id, []):
            name = aws_managed_policy_name(arn.value)
            if name is None or name not in managed:
                continue
            yield Hit(
                f"AWS managed policy {name} is attached to {kind} role {role_label(role)}. Every pod running as "
                f"its ServiceAccount holds it. {managed[name]} Attach a policy that grants only what the "
                "workload needs.",
                arn.loc,
                f"Role {role.address} {name}",
                ((f"role {role_label(role)}", role.loc),) if role.loc != arn.loc else (),
            )


def _generated_hint(statement: Statement) -> str:
    """For statements synthesized from a module flag: which variable scopes them."""
    origin = statement.generated_by
    if origin is None:
        return ""
    if origin.explicit:
        return (
            f"{origin.module} sets {origin.variable} to a wildcard for its {origin.flag} policy: "
            f"set {origin.variable} to the exact ARNs."
        )
    return (
        f"{origin.module} generates this with {origin.flag} = true and {origin.variable} left at its "
        f"wildcard default: set {origin.variable} to the exact ARNs."
    )

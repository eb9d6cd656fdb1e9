"""`aws_eks_fargate_profile`: the pods of a cluster that run on Fargate (IRSA028: Fargate has no
EKS Pod Identity). A selector matches a pod by namespace and by every label it lists."""

from __future__ import annotations

from collections.abc import Iterator

from irsalint.load.hcl import Block, ObjectExpr
from irsalint.model import UNKNOWN, FargateProfile, FargateSelector, Str
from irsalint.sources.terraform.base import ResourceAdapter
from irsalint.sources.terraform.context import ModuleContext
from irsalint.sources.terraform.records import Record


def profile(ctx: ModuleContext, kind: str, name: str, block: Block) -> Iterator[Record]:
    body = block.body
    selectors = tuple(_selector(ctx, selector) for selector in body.blocks_of("selector"))
    # `dynamic "selector"` blocks are generated at plan time: other pods may match too
    dynamic = any(b.type == "dynamic" and b.labels[:1] == ("selector",) for b in body.blocks)
    yield FargateProfile(
        id=ctx.node_id(f"{kind}.{name}"),
        address=f"{kind}.{name}",
        cluster_name=ctx.known(body, "cluster_name"),
        selectors=selectors,
        complete=not dynamic,
        loc=block.loc,
    )


def _selector(ctx: ModuleContext, block: Block) -> FargateSelector:
    body = block.body
    labels: list[tuple[str, Str]] = []
    complete = True
    attribute = body.attr("labels")
    if attribute is not None:
        expr = ctx.evaluator.resolve_expr(attribute.expr)
        value = ctx.eval(attribute.expr)
        if isinstance(expr, ObjectExpr):
            for item in expr.items:
                key = ctx.eval(item.key)
                if not isinstance(key, str):
                    complete = False
                    continue
                text = ctx.eval(item.value)
                labels.append((key, text if isinstance(text, str) else UNKNOWN))
        elif isinstance(value, dict):
            labels.extend((str(k), v if isinstance(v, str) else UNKNOWN) for k, v in value.items())
        elif value is not None:
            complete = False
    return FargateSelector(ctx.known(body, "namespace"), tuple(labels), complete, block.loc)


ADAPTERS = (ResourceAdapter(("aws_eks_fargate_profile",), profile),)

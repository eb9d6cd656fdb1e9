"""hashicorp/helm `helm_release`: the ServiceAccounts its values and `set` entries describe, and
for a chart kept in this repository, the release its values files are deployed by."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from irsalint.load.hcl import Block, Template, Traversal
from irsalint.sources.terraform.base import ResourceAdapter
from irsalint.sources.terraform.context import ModuleContext
from irsalint.sources.terraform.helm import chart_name, helm_service_accounts, helm_sets, helm_values
from irsalint.sources.terraform.records import HelmRelease, Record


def release(ctx: ModuleContext, kind: str, name: str, block: Block) -> Iterator[Record]:
    body = block.body
    namespace = ctx.known(body, "namespace", "default")
    yield from helm_service_accounts(
        ctx, f"helm_release.{name}", namespace, helm_values(ctx, body.attr("values")), helm_sets(ctx, body), block.loc,
        chart=chart_name(ctx.known(body, "chart")), release=ctx.known(body, "name"),
    )
    chart_dir = local_chart_dir(ctx, block)
    if chart_dir is not None:
        yield HelmRelease(f"helm_release.{name}", chart_dir, namespace, block.loc)


def local_chart_dir(ctx: ModuleContext, block: Block) -> str | None:
    """`chart = "./charts/x"` or "${path.module}/charts/x": the chart's repository-relative
    directory (its values files are deployed by this release); None for a chart from a
    repository, which is not in the scan."""
    chart_expr = block.body.expr("chart")
    chart = ctx.evaluator.eval_str(chart_expr)
    if not isinstance(chart, str) and isinstance(chart_expr, Template):
        parts = chart_expr.parts
        if (len(parts) == 2 and isinstance(parts[1], str) and isinstance(parts[0], Traversal)
                and parts[0].root == "path" and parts[0].steps == ("module",)):
            chart = "." + parts[1]  # "${path.module}/charts/x"
    if not isinstance(chart, str) or not chart.startswith(("./", "../")):
        return None
    chart_dir = posixpath.normpath(posixpath.join(ctx.scope.directory, chart))
    return None if chart_dir.startswith("..") else chart_dir


ADAPTERS = (ResourceAdapter(("helm_release",), release),)

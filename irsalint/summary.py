"""What the stages after the rules read of a project (suppressions, reports), kept for a whole
unchanged run in the cache instead of the project itself: loading it back takes a few
milliseconds and imports none of the loaders, sources or checks (docs/design.md, "Warm runs")."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Union

from irsalint.core import Annotation, SkipNote, positional_reduce

if TYPE_CHECKING:
    from irsalint.project import Project


@dataclass(frozen=True, slots=True)
class ProjectSummary:
    files: tuple[str, ...]
    skipped: tuple[SkipNote, ...]
    live_files: frozenset[str]
    annotations: tuple[Annotation, ...]  # the `irsalint.dev/ignore` annotations, in project order

    def ignore_annotations(self) -> Iterator[Annotation]:
        return iter(self.annotations)

    @classmethod
    def of(cls, project: Project) -> ProjectSummary:
        return cls(project.files, project.skipped, project.live_files, tuple(project.ignore_annotations()))

    __reduce__ = positional_reduce


# What a LintResult carries: the project when the rules ran, its summary when the run was reused.
ProjectView = Union["Project", ProjectSummary]

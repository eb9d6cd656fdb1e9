"""What the stages after the rules read of a project (suppressions, reports), kept for a whole
unchanged run in the cache instead of the project itself: loading it back takes a few
milliseconds and imports none of the loaders, sources or checks (docs/design.md, "Warm runs")."""

from __future__ import annotations

from collections.abc import Iterator

from irsalint.core import Annotation, SkipNote
from irsalint.record import record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (2 ms of a warm run): annotations only
if TYPE_CHECKING:
    from typing import Union

    from irsalint.project import Project


@record
class ProjectSummary:
    """What a report needs of a Project, small enough to cache with a whole run's findings."""

    files: tuple[str, ...]
    skipped: tuple[SkipNote, ...]
    live_files: frozenset[str]
    annotations: tuple[Annotation, ...]  # the `irsalint.dev/ignore` annotations, in project order
    # files read besides the scanned ones, with the digest of what was read (irsalint.inputs)
    inputs: tuple[tuple[str, str], ...] = ()

    def ignore_annotations(self) -> Iterator[Annotation]:
        return iter(self.annotations)

    @classmethod
    def of(cls, project: Project) -> ProjectSummary:
        return cls(project.files, project.skipped, project.live_files, tuple(project.ignore_annotations()),
                   project.terraform.inputs)

    def inputs_unchanged(self, base: str) -> bool:
        """Is every file the run read besides the scanned ones still as it was read?"""
        from irsalint.inputs import current_digest

        return all(current_digest(base, path) == digest for path, digest in self.inputs)


# What a LintResult carries: the project when the rules ran, its summary when the run was reused.
if TYPE_CHECKING:
    ProjectView = Union[Project, ProjectSummary]

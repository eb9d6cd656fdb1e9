"""Hypothesis profiles. By default every run draws the same examples (derandomized): a red build
means a change broke something, never that a new random example turned up in CI. Exploring with
new examples is a separate, deliberate run: `HYPOTHESIS_PROFILE=explore python -m pytest`
(docs/fuzzing.md); what it finds is fixed and pinned as an explicit example."""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

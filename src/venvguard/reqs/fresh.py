"""Fresh resolution (``--fresh``): placeholder until written."""

from __future__ import annotations

from venvguard.config import Config
from venvguard.project import Project
from venvguard.reqs.analysis import Analysis


def judge_fresh(project: Project, config: Config, analysis: Analysis) -> None:
    return None

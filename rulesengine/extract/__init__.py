"""Extraction: plan text → typed, quoted targets and topic mentions."""

from rulesengine.extract.targets import extract_targets
from rulesengine.extract.topics import extract_topics

__all__ = ["extract_targets", "extract_topics"]

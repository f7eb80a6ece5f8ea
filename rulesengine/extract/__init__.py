"""Extraction: plan text → typed, quoted targets and topic mentions."""

from rulesengine.extract.targets import extract_targets

__all__ = ["extract_targets"]

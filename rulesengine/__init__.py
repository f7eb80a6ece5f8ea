"""planalign's library: model, ingestion, extraction, catalog, regions and the rule engine."""

__version__ = "0.1.0"

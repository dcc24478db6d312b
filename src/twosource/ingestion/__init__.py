"""The ingest stage: articles into the index, from files, collections, URLs, feeds and sitemaps; ``watch``."""

from .batch import BATCH_SIZE, IngestSummary, ingest, ingest_articles, ingest_links, prepare_batch

__all__ = ["BATCH_SIZE", "IngestSummary", "ingest", "ingest_articles", "ingest_links", "prepare_batch"]

"""Crawling: sources → list pages and pagination → detail pages → ``ingest`` → ``store``.

``fetch`` is the only module that touches httpx; ``engine`` runs a crawl; ``discover`` knows the list dialects.
"""

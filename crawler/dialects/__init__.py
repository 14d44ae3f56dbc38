"""List dialects, one module per portal family; ``crawler.discover`` picks one per page."""

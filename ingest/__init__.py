"""Pure extraction: page bytes + URL + options in, an :class:`ExtractedReport` out. Imports nothing of ours.

The cascade (``extract.extract_report``): decode → parse (lexbor) → body container (known CMS containers, else
text density) → edge trimming of chrome lines → fields (meta tags → info table → visible lines → body → URL)
→ classification (report / not a report / blocked) → normalized body → sha256 identity.
"""

from ingest.extract import extract_report
from ingest.identity import content_hash, normalize_body
from ingest.model import Attachment, ExtractedReport, SourceHints
from ingest.options import DEFAULT_OPTIONS, ExtractOptions

__all__ = [
    "DEFAULT_OPTIONS",
    "Attachment",
    "ExtractOptions",
    "ExtractedReport",
    "SourceHints",
    "content_hash",
    "extract_report",
    "normalize_body",
]

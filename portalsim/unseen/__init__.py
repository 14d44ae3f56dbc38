"""Templates designed independently of ``ingest/`` (issue 11): six CMS generations our other templates do not imitate.

``divcms`` (div-only, hashed classes, long sidebars), ``county`` (nested tables, GB18030 bytes, ``<br>`` paragraphs),
``word`` (Word-pasted body, chrome inside the container), ``jsonapp`` (the article only in a script's JSON),
``html5`` (``<div>`` paragraphs, ``<title>`` = site name) and ``newsrel`` (a related block larger than the article).
Each renders the five seed reports and two non-reports; ``build_unseen_portals`` serves each as a crawlable portal.
"""

from portalsim.unseen.portals import TEMPLATES, build_unseen_portals, site_for

HOSTS = {t.key: t.host for t in TEMPLATES}

__all__ = ["HOSTS", "TEMPLATES", "build_unseen_portals", "site_for"]

"""Simulated government portals for the demo and the tests (never imported by production code).

One process serves five portals, each on its own loopback address, each in the platform family of one seed source
(PORTALS.md): Chongqing TRS, Tianjin TRS, Guangdong NFCMS + gkmlpt, Guangdong NFCMS, Zhejiang Hanweb.
"""

from portalsim.server import DEFAULT_PORT, HOSTS, build_portals, serve_portals

__all__ = ["DEFAULT_PORT", "HOSTS", "build_portals", "serve_portals"]

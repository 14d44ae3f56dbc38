"""The ``fazhi`` commands, one module per group: ``demo`` (run, portals), ``data`` (crawl, index, extract,
export), ``ops`` (serve, recrawl, migrate, scheduler, worker). ``fazhi.cli`` registers them on one Typer app;
``common`` holds what they share (consoles, options, settings, the database, the sources file).
"""

"""The composition root: settings, logging, the CLI, and the service that wires crawler, store and API together.

Only this package imports everything; ``fazhi.settings`` is a leaf. The version is pyproject.toml's, read from the
installed package's metadata: one version string.
"""

from importlib.metadata import version

__version__ = version("fazhi")

"""The composition root: settings, logging, the CLI, and the service that wires crawler, store and API together.

Only this package imports everything; ``fazhi.settings`` is a leaf that ``crawler`` and ``api`` may import.
"""

__version__ = "0.1.0"

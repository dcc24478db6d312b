"""The web face: ``twosource serve``'s JSON API and pages (FastAPI), over the same library calls as the CLI.

Imports FastAPI; ``twosource`` imports this package only for ``serve``.
"""

from .app import LOOPBACK_HOSTS, ServeLimits, create_app, in_background, run

__all__ = ["LOOPBACK_HOSTS", "ServeLimits", "create_app", "in_background", "run"]

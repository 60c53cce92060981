"""Auth of the embedded service: OAuth clients, tokens, login pages, identities.

Start with ``routes.py``; ``tokens.py`` holds the token store every other service checks
callers against (through ``bearer.require_caller``).
"""

from __future__ import annotations

from gtui.sim.auth.routes import auth_routes
from gtui.sim.auth.tokens import AuthService

__all__ = ["AuthService", "auth_routes"]

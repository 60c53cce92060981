"""Groups v2 of the embedded service: groups, memberships, roles and policies.

Start with ``routes.py``; ``service.py`` holds the groups and ``access.py`` who may do what.
"""

from __future__ import annotations

from gtui.sim.groups.routes import groups_routes
from gtui.sim.groups.service import GroupsService

__all__ = ["GroupsService", "groups_routes"]

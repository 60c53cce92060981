"""Timers of the embedded service: transfers on a schedule, run by the service's own clock.

Start with ``routes.py``; ``service.py`` holds the store and the scheduler, ``runs.py`` what
one run does.
"""

from __future__ import annotations

from gtui.sim.timers.routes import timer_app, timer_routes
from gtui.sim.timers.service import TimersService

__all__ = ["TimersService", "timer_app", "timer_routes"]

"""Transfer API v0.10 of the embedded service, with a real transfer engine behind it."""

from __future__ import annotations

from gtui.sim.transfer.routes import transfer_routes
from gtui.sim.transfer.service import TransferService

__all__ = ["TransferService", "transfer_routes"]

"""The GCS Manager API of the demo world's GCSv5 endpoints, served over TLS."""

from __future__ import annotations

from gtui.sim.gcs.routes import gcs_app
from gtui.sim.gcs.service import GCSService

__all__ = ["GCSService", "gcs_app"]

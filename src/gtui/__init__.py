"""gtui: a terminal file-transfer manager for Globus."""

__version__ = "0.1.0"

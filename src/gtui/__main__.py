"""Allow ``python -m gtui``."""

from gtui.cli import main

raise SystemExit(main())

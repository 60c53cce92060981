"""The embedded Globus-compatible service behind ``gtui --demo`` and ``gtui sim serve``.

It talks to the client only through the wire format, so it imports nothing of gtui's client.
Read ``serve.py`` (start and stop), then ``app.py`` (one Starlette app mounting ``auth/``,
``transfer/``, ``groups/`` and ``search/``, each opened by its ``routes.py``), then
``context.py`` (the state the routes share) and ``world.py`` (the demo world).
"""

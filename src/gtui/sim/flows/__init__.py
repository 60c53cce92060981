"""The Flows service: flows, runs and their logs, run by the ASL interpreter in ``asl``.

Start with ``routes.py`` (``flows_app``); ``service.py`` holds the store and the runner,
``runner.py`` how a run goes on, ``actions.py`` the action providers runs call. Nothing is
imported here, so that the interpreter (``asl``) can be used without the web stack.
"""

"""The HQD JSON API (FastAPI): frameworks, datasets, runs and their results, the registry, chart options.

``hqd serve`` runs it; :func:`create_app` builds it for tests and embedding.  The routes are thin: they
call the same functions as the CLI (:mod:`hqd.pipeline`, :mod:`hqd.io.rundir`, :mod:`hqd.registry`,
:mod:`hqd.report.charts`).  See ``docs/api.md``.
"""

from hqd.api.settings import SETTINGS, ApiSettings

__all__ = ["SETTINGS", "ApiSettings", "create_app"]


def __getattr__(name: str) -> object:
    if name == "create_app":  # FastAPI is imported only when the app is built
        from hqd.api.app import create_app

        return create_app
    raise AttributeError(name)

"""Background jobs: building a run without holding the request open.

``POST /api/runs`` validates the inputs at once (problems come back as a 400), then queues a job and
answers 202 with it; ``GET /api/jobs/<id>`` reports its ``status`` (``queued``, ``running``, ``done``,
``failed``, ``interrupted``), ``progress`` (0–1), ``stage`` and, when it failed, the problems.  The job
builds the index (:func:`hqd.pipeline.build`), writes the run directory (:func:`hqd.io.rundir.write_run`)
and runs the requested analyses, exactly as ``hqd run`` / ``hqd demo`` do.  Its status is also written to
``<runs>/_jobs/<id>.json``, so it survives a restart (a job cut off by one is ``interrupted``).
"""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from hqd.api.errors import capped
from hqd.api.storage import Storage, read_json, utcnow, write_json
from hqd.errors import HqdError, Problem

log = logging.getLogger("hqd.api")

Step = Callable[[Callable[[str, float], None]], None]


class Jobs:
    """A small thread pool and the status of every job it ran."""

    def __init__(self, storage: Storage, workers: int = 1) -> None:
        self.storage = storage
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="hqd-job")
        self._lock = threading.Lock()
        self._status: dict[str, dict[str, Any]] = {}

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _save(self, jid: str, **changes: Any) -> dict[str, Any]:
        with self._lock:
            status = {**self._status.get(jid, {}), **changes, "updated_at": utcnow()}
            self._status[jid] = status
            write_json(self.storage.job_file(jid), status)
            return dict(status)

    def submit(self, jid: str, kind: str, owner: str | None, work: Step) -> dict[str, Any]:
        """Queue ``work(progress)``; ``progress(stage, fraction)`` reports how far it got."""
        status = self._save(jid, id=jid, kind=kind, run=jid, owner=owner, status="queued", stage="queued",
                            progress=0.0, created_at=utcnow(), errors=[])

        def report(stage: str, fraction: float) -> None:
            self._save(jid, status="running", stage=stage, progress=round(min(max(fraction, 0.0), 1.0), 3))

        def body() -> None:
            report("starting", 0.01)
            try:
                work(report)
            except HqdError as err:
                self._save(jid, status="failed", stage="failed", errors=capped([p.to_dict() for p in err.problems]))
                shutil.rmtree(self.storage.building_dir(jid), ignore_errors=True)
                return
            except Exception as exc:  # a bug: keep the server alive, report it without internals
                log.exception("job %s failed", jid)
                self._save(jid, status="failed", stage="failed", errors=[Problem(
                    "internal_error", f"the job failed unexpectedly ({exc.__class__.__name__}); the server "
                    "log has the details").to_dict()])
                shutil.rmtree(self.storage.building_dir(jid), ignore_errors=True)
                return
            self._save(jid, status="done", stage="done", progress=1.0)

        self._pool.submit(body)
        return status

    def get(self, jid: str) -> dict[str, Any]:
        with self._lock:
            if jid in self._status:
                return dict(self._status[jid])
        path = self.storage.job_file(jid)
        if not path.exists():
            raise HqdError([Problem("unknown_job", f"no job {jid!r}")])
        status = read_json(path)
        if status.get("status") in ("queued", "running"):  # written by a server that has stopped since
            status = {**status, "status": "interrupted", "stage": "interrupted"}
        return status

    def all(self) -> list[dict[str, Any]]:
        found = {p.stem for p in self.storage.jobs_dir.glob("*.json")}
        with self._lock:
            found |= set(self._status)
        return sorted((self.get(j) for j in found), key=lambda s: str(s.get("created_at")), reverse=True)

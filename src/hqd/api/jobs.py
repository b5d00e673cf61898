"""Background jobs: building a run without holding the request open.

``POST /api/runs`` validates the inputs at once (problems come back as a 400), then queues a job and
answers 202 with it; ``GET /api/jobs/<id>`` reports its ``status`` (``queued``, ``running``, ``done``,
``failed``, ``cancelled``, ``timed_out``, ``interrupted``), ``progress`` (0–1), ``stage`` and, when it
failed, the problems.  ``DELETE /api/jobs/<id>`` cancels one (its owner or an admin).  The job
builds the index (:func:`hqd.pipeline.build`), writes the run directory (:func:`hqd.io.rundir.write_run`)
and runs the requested analyses, exactly as ``hqd run`` / ``hqd demo`` do.  Its status is also written to
``<runs>/_jobs/<id>.json``, so it survives a restart (a job cut off by one is ``interrupted``).
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from hqd.api.errors import ApiError, capped
from hqd.api.storage import Storage, read_json, utcnow, write_json
from hqd.errors import HqdError, Problem

log = logging.getLogger("hqd.api")

Step = Callable[[Callable[[str, float], None]], None]


class _Stopped(Exception):
    """Raised inside a job at its next progress report once it is cancelled or over its time."""

    def __init__(self, status: str, problem: Problem) -> None:
        super().__init__(status)
        self.status = status
        self.problem = problem


ACTIVE = ("queued", "running")


class Jobs:
    """A bounded pool and queue of jobs, and the status of every job it ran.

    ``workers`` jobs run at once and at most ``queue_max`` more wait; a job beyond is refused at once (503
    ``queue_full``).  A queued job can be cancelled before it starts; a running one is stopped at its next
    progress report (between the stages of a build), as is a job that has run longer than ``timeout_s``
    (``timed_out``): Python threads cannot be killed, so a single long stage runs to its end before the job
    stops, and its files are removed.
    """

    def __init__(self, storage: Storage, workers: int = 1, *, queue_max: int = 8,
                 timeout_s: float | None = None) -> None:
        self.storage = storage
        self.workers = workers
        self.queue_max = queue_max
        self.timeout_s = timeout_s
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="hqd-job")
        self._lock = threading.Lock()
        self._status: dict[str, dict[str, Any]] = {}
        self._futures: dict[str, Future[None]] = {}
        self._cancel: dict[str, threading.Event] = {}

    def shutdown(self) -> None:
        for event in list(self._cancel.values()):
            event.set()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _save(self, jid: str, **changes: Any) -> dict[str, Any]:
        with self._lock:
            status = {**self._status.get(jid, {}), **changes, "updated_at": utcnow()}
            self._status[jid] = status
            write_json(self.storage.job_file(jid), status)
            return dict(status)

    def active(self) -> int:
        with self._lock:
            return sum(1 for s in self._status.values() if s.get("status") in ACTIVE)

    def submit(self, jid: str, kind: str, owner: str | None, work: Step) -> dict[str, Any]:
        """Queue ``work(progress)``; ``progress(stage, fraction)`` reports how far it got (and is where a
        cancelled or timed-out job stops).  ``queue_full`` (503) when ``workers + queue_max`` jobs are
        already queued or running."""
        with self._lock:
            if sum(1 for s in self._status.values() if s.get("status") in ACTIVE) >= self.workers + self.queue_max:
                raise ApiError(503, "queue_full", f"{self.workers} job(s) are running and {self.queue_max} waiting, "
                               "the server's limit (job_workers, job_queue_max); try again later",
                               headers={"Retry-After": "30"})
            self._status[jid] = {"status": "queued"}  # reserve the place before anyone else counts
        cancel = threading.Event()
        self._cancel[jid] = cancel
        status = self._save(jid, id=jid, kind=kind, run=jid, owner=owner, status="queued", stage="queued",
                            progress=0.0, created_at=utcnow(), errors=[])
        started: list[float] = []

        def report(stage: str, fraction: float) -> None:
            if cancel.is_set():
                raise _Stopped("cancelled", Problem("cancelled", "the job was cancelled"))
            if self.timeout_s is not None and started and time.monotonic() - started[0] > self.timeout_s:
                raise _Stopped("timed_out", Problem("timed_out", f"the job ran longer than the server's limit of "
                                                    f"{self.timeout_s / 60:g} min (job_timeout_minutes)"))
            self._save(jid, status="running", stage=stage, progress=round(min(max(fraction, 0.0), 1.0), 3))

        def failed(status: str, problems: list[dict[str, Any]]) -> None:
            self._save(jid, status=status, stage=status, errors=capped(problems))
            shutil.rmtree(self.storage.building_dir(jid), ignore_errors=True)

        def body() -> None:
            started.append(time.monotonic())
            try:
                report("starting", 0.01)
                work(report)
                report("done", 1.0)
            except _Stopped as stop:
                failed(stop.status, [stop.problem.to_dict()])
                return
            except HqdError as err:
                failed("failed", [p.to_dict() for p in err.problems])
                return
            except Exception as exc:  # a bug: keep the server alive, report it without internals
                log.exception("job %s failed", jid)
                failed("failed", [Problem("internal_error", f"the job failed unexpectedly "
                                          f"({exc.__class__.__name__}); the server log has the details").to_dict()])
                return
            finally:
                self._futures.pop(jid, None)
                self._cancel.pop(jid, None)
            self._save(jid, status="done", stage="done", progress=1.0)

        self._futures[jid] = self._pool.submit(body)
        return status

    def cancel(self, jid: str) -> dict[str, Any]:
        """Cancel a queued job (it never starts) or stop a running one at its next progress report;
        ``conflict`` when the job has already finished."""
        status = self.get(jid)
        if status.get("status") not in ACTIVE:
            raise HqdError([Problem("conflict", f"job {jid!r} has already finished ({status.get('status')})")])
        event = self._cancel.get(jid)
        if event is not None:
            event.set()
        future = self._futures.get(jid)
        if future is not None and future.cancel():  # had not started
            self._futures.pop(jid, None)
            self._cancel.pop(jid, None)
            return self._save(jid, status="cancelled", stage="cancelled",
                              errors=[Problem("cancelled", "the job was cancelled before it started").to_dict()])
        return self._save(jid, stage="cancelling")

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

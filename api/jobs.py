"""The background runner of batch jobs: one thread per API process, the database its queue.

Why a thread and not a task queue (Celery, RQ): the work is already a row in the service's own
database, claimed with row locks (``api.services.batches.claim``), so a job survives a restart
and several API processes share the work with nothing else to run or operate. The thread does
the work through the same services the requests use, and the checks run on the app's checker
(its engine worker processes when there are any), so a batch is exactly a series of uploads and
checks made on its submitter's behalf.

The runner polls while idle (``poll`` seconds) and renews its claims from a second thread while
it works, so a long document (a scan being OCR'd) does not lose its claim; a process that dies
stops renewing, and after ``lease`` another runner takes its item.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from api.engine import Checker
from api.services import batches
from api.settings import Settings
from rulesengine.rulebook import Rulebook

__all__ = ["JobRunner", "wake"]

log = logging.getLogger("planalign.jobs")


class JobRunner:
    """Claims and does batch work until stopped; ``start``/``stop`` from the app's lifespan."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        checker: Checker,
        *,
        poll: float = 1.0,
        lease: timedelta = batches.LEASE,
        rulebook: Rulebook | None = None,
    ) -> None:
        self.engine, self.settings, self.checker, self.rulebook = engine, settings, checker, rulebook
        self.poll, self.lease = poll, lease
        self.owner = batches.runner_id()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._threads: list[threading.Thread] = []
        self._current: int | None = None  # the item being worked on: the one claim renewed

    def start(self) -> None:
        for target, name in ((self._run, "planalign-jobs"), (self._renew, "planalign-jobs-lease")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def wake(self) -> None:
        """New work was stored: look now rather than at the next poll."""
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout)

    def step(self) -> bool:
        """Do one piece of work; False when there was none."""
        with Session(self.engine, expire_on_commit=False) as session:
            work = batches.claim(session, self.owner, self.lease)
            if work is None:
                return False
            self._current = work.item_id
            try:
                return batches.process(
                    session,
                    work,
                    settings=self.settings,
                    checker=self.checker,
                    owner=self.owner,
                    rulebook=self.rulebook,
                )
            finally:
                self._current = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                busy = self.step()
            except OperationalError as exc:  # the database restarting or busy: wait and go on
                log.warning("batch runner: database unavailable (%s); retrying", exc.orig)
                busy = False
            except Exception:  # never let one bad step end the runner
                log.exception("batch runner step failed")
                busy = False
            if not busy:
                self._wake.wait(self.poll)
                self._wake.clear()

    def _renew(self) -> None:
        every = max(self.lease.total_seconds() / 4, 0.5)
        while not self._stop.wait(every):
            try:
                current = self._current
                if current is not None:
                    with Session(self.engine) as session:
                        batches.renew(session, self.owner, current)
            except Exception:
                log.exception("batch runner could not renew its claims")


def wake(state: object) -> None:
    """Tell this process's runner (``app.state.job_runner``, absent when turned off) that new
    work was stored, so it looks now rather than at its next poll."""
    runner = getattr(state, "job_runner", None)
    if isinstance(runner, JobRunner):
        runner.wake()

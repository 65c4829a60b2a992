"""Helpers of the DataStore and xloader tests: an empty DataStore database, jobs run in the test process,
files served over HTTP."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckanext.datastore.backend.postgres import get_write_engine


def empty_datastore() -> None:
    """Drop every table of the test DataStore (CKAN's test reset does not touch that database)."""
    with get_write_engine().begin() as conn:
        names = conn.execute(
            sa.text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_table_stats'")
        ).scalars()
        for name in list(names):
            conn.execute(sa.text(f'DROP TABLE "{name}" CASCADE'))
        conn.execute(sa.text('DELETE FROM "_table_stats"'))


@dataclass
class FakeJob:
    id: str


@dataclass
class SyncQueue:
    """Stands for CKAN's job queue: jobs are kept and run, in order, by ``run``."""

    pending: list[tuple[Callable[..., Any], list[Any], dict[str, Any]]] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def enqueue(
        self,
        fn: Callable[..., Any],
        args: list[Any] | None = None,
        kwargs: dict[str, Any] | None = None,
        title: str | None = None,
        queue: str | None = None,
        rq_kwargs: dict[str, Any] | None = None,
    ) -> FakeJob:
        self.pending.append((fn, list(args or []), dict(kwargs or {})))
        self.titles.append(title or "")
        return FakeJob(id=f"sync-job-{next(self._ids)}")

    def run(self) -> int:
        """Run the queued jobs (and those they queue) until none is left; how many ran."""
        import ckan.model as model

        count = 0
        while self.pending:
            fn, args, kwargs = self.pending.pop(0)
            model.Session.remove()  # as CKAN's worker does: the job starts from a fresh session
            fn(*args, **kwargs)
            model.Session.remove()
            count += 1
        return count

    def clear(self) -> None:
        self.pending.clear()
        self.titles.clear()


def install_sync_queue(monkeypatch: Any) -> SyncQueue:
    """Jobs queued through ``tk.enqueue_job`` (the CIM load) go to a SyncQueue."""
    queue = SyncQueue()
    monkeypatch.setattr(tk, "enqueue_job", queue.enqueue)
    return queue


def shared_client() -> Any:
    """A test client of the app the suite builds once (tests/conftest.py), for module-scoped fixtures
    (the ``app`` fixture is function-scoped)."""
    from ckan.tests.helpers import CKANTestApp, _get_test_app

    from tests.conftest import _SHARED

    if "app" not in _SHARED:
        _SHARED["app"] = _get_test_app().app
    return CKANTestApp(_SHARED["app"])

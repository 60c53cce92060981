"""One row of the Activity view, whatever started it: a transfer or delete task, a timer's
run, or a flow's run.

Each service describes its work in its own document (Transfer's task, a Timers run with
the task it started as ``details``, a Flows run). The Activity view shows them side by side,
filters them with one filter and exports them in one table, so they are read here into one
frozen shape with the same columns: kind, status, label, both collections, times, bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Literal

from gtui.core.models import Task, parse_time
from gtui.core.timer_models import TimerRun

Kind = Literal["transfer", "delete", "timer run", "flow run"]
KINDS: tuple[Kind, ...] = ("transfer", "delete", "timer run", "flow run")
STATUSES = ("ACTIVE", "INACTIVE", "SUCCEEDED", "FAILED", "ENDED", "SKIPPED")
"""Transfer's four, Flows' ENDED (a cancelled run), and a timer's skipped run."""
TASK_STATUSES = ("ACTIVE", "INACTIVE", "SUCCEEDED", "FAILED")
OLDEST = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class ActivityRow:
    """What the Activity view shows of one piece of work, and what opens it."""

    kind: Kind
    id: str
    """The task id, the flow run id, or for a timer run its timer id and time."""
    status: str
    label: str = ""
    source_id: str | None = None
    source_name: str | None = None
    destination_id: str | None = None
    destination_name: str | None = None
    started: datetime | None = None
    ended: datetime | None = None
    bytes: int | None = None
    task_id: str | None = None
    """The Transfer task this row is or started (opened by Enter)."""
    timer_id: str | None = None
    timer_name: str | None = None
    flow_id: str | None = None
    flow_title: str | None = None
    deadline: datetime | None = None
    files: int | None = None
    faults: int | None = None

    @property
    def order_key(self) -> tuple[datetime, str]:
        """Newest first sorts by this, descending (a row without a start time is oldest)."""
        return (self.started or OLDEST, self.id)

    @property
    def is_task(self) -> bool:
        return self.kind in ("transfer", "delete")

    @property
    def is_running(self) -> bool:
        return self.status in ("ACTIVE", "INACTIVE")

    def collections_text(self) -> str:
        """Every name and id of both collections, for free-text search."""
        return " ".join(
            value
            for value in (
                self.source_name,
                self.source_id,
                self.destination_name,
                self.destination_id,
            )
            if value
        )


def row_from_task(doc: Mapping[str, Any]) -> ActivityRow:
    """A transfer or delete task from its Transfer document."""
    task = Task.from_api(doc)
    return _task_row(task, "delete" if task.type == "DELETE" else "transfer", task.task_id)


def _task_row(task: Task, kind: Kind, row_id: str, **extra: Any) -> ActivityRow:
    fields: dict[str, Any] = {
        "kind": kind,
        "id": row_id,
        "status": task.status,
        "label": task.label or "",
        "source_id": task.source_endpoint_id,
        "source_name": task.source_endpoint_display_name,
        "destination_id": task.destination_endpoint_id,
        "destination_name": task.destination_endpoint_display_name,
        "started": task.request_time,
        "ended": task.completion_time,
        "bytes": task.bytes_transferred,
        "task_id": task.task_id,
        "deadline": task.deadline,
        "files": task.files,
        "faults": task.faults,
    }
    fields.update(extra)
    return ActivityRow(**fields)


def rows_from_job(job: Mapping[str, Any]) -> list[ActivityRow]:
    """Every run of a timer, from its ``/jobs/{id}`` document (``results.data``), newest first.

    A run that started a task carries that task's document (``data.details``), so the row
    shows the task's status, collections and bytes; a run Transfer refused, or one skipped
    because the previous was still going, has only its time and errors.
    """
    job_id = str(job.get("job_id") or "")
    name = str(job.get("name") or "")
    body = _mapping(_mapping(job.get("callback_body")).get("body"))
    results = job.get("results")
    listed = results if isinstance(results, list) else _mapping(results).get("data")
    rows: list[ActivityRow] = []
    for doc in listed if isinstance(listed, list) else []:
        if not isinstance(doc, Mapping):
            continue
        run = TimerRun.from_document(doc)
        when = run.ran_at.isoformat() if run.ran_at else str(len(rows))
        row_id = f"{job_id}@{when}"
        extra = {"timer_id": job_id, "timer_name": name}
        details = _mapping(_mapping(doc.get("data")).get("details"))
        if details.get("task_id"):
            row = _task_row(Task.from_api(details), "timer run", row_id, **extra)
            rows.append(row if row.started else replace(row, started=run.ran_at))
            continue
        status = "SKIPPED" if run.skipped else "FAILED" if run.failed else "ACTIVE"
        rows.append(
            ActivityRow(
                kind="timer run",
                id=row_id,
                status=run.task_status or status,
                label=run.label or str(body.get("label") or name),
                source_id=_text(body, "source_endpoint", "source_endpoint_id"),
                destination_id=_text(body, "destination_endpoint", "destination_endpoint_id"),
                started=run.ran_at,
                ended=run.ran_at if status != "ACTIVE" else None,
                task_id=run.task_id,
                timer_id=job_id,
                timer_name=name,
            )
        )
    rows.sort(key=lambda row: row.order_key, reverse=True)
    return rows


def row_from_flow_run(doc: Mapping[str, Any]) -> ActivityRow:
    """A flow's run from its Flows document (``GET /runs``).

    Its collections stay blank: the listing carries no run input (only ``details``, the last
    log entry or, once succeeded, the flow's own output shape), and reading each run's log
    for them would cost a request per row.
    """
    run_id = str(doc.get("run_id") or doc.get("action_id") or "")
    return ActivityRow(
        kind="flow run",
        id=run_id,
        status=str(doc.get("status") or ""),
        label=str(doc.get("label") or ""),
        started=parse_time(doc.get("start_time")),
        ended=parse_time(doc.get("completion_time")),
        flow_id=_text(doc, "flow_id"),
        flow_title=_text(doc, "flow_title"),
    )


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(doc: Mapping[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = doc.get(key)
        if isinstance(value, str) and value:
            return value
    return None

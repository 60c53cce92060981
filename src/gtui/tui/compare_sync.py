"""Syncing from the compare view: exactly the difference, previewed, asked twice before
anything is deleted, and followed until done so the view can compare again.

The plan (``core/sync_plan.py``) lists each differing file (a folder missing on the
destination as one recursive item), so the transfer copies what the comparison found and
nothing else; extra entries on the destination are removed by a delete task of their own,
since Globus's "delete extra files" acts only inside recursive items.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Sequence

from textual.dom import DOMNode

from gtui.core.compare import Comparison, Place
from gtui.core.cpu_work import run_cpu
from gtui.core.errors import GlobusError
from gtui.core.models import Collection
from gtui.core.sync_plan import PlanError, SyncPlan, plan_sync
from gtui.core.transfer_data import TransferData
from gtui.tui.context import gtui
from gtui.tui.format import plural
from gtui.tui.screen_wait import wait_for_screen
from gtui.tui.screens.confirm import ConfirmScreen
from gtui.tui.screens.transfer_options import TransferChoices, TransferOptionsScreen
from gtui.tui.task_submission import announce, default_choices, submit

ARROWS = {"left_to_right": "→", "right_to_left": "←"}
SHOWN_DELETES = 8
WAIT_POLL_SECONDS = 0.5


def apply_choices(plan_data: TransferData, choices: TransferChoices) -> TransferData:
    """The plan's items with the options chosen in the dialog (the sync level stays off:
    the items are the difference already)."""
    data = TransferData(
        plan_data["source_endpoint"],
        plan_data["destination_endpoint"],
        label=choices.label,
        verify_checksum=choices.verify_checksum,
        preserve_timestamp=choices.preserve_timestamp,
        encrypt_data=choices.encrypt_data,
        deadline=choices.deadline,
        skip_source_errors=choices.skip_source_errors,
        fail_on_quota_errors=choices.fail_on_quota_errors,
        notify_on_succeeded=choices.notify,
        notify_on_failed=choices.notify,
        notify_on_inactive=choices.notify,
    )
    data["DATA"] = list(plan_data["DATA"])
    return data


def delete_warning(plan: SyncPlan) -> str:
    """What "delete extra files" would delete, named (the dialog's warning)."""
    if not plan.delete_count:
        return "Nothing is only on the destination: nothing would be deleted."
    names = ", ".join(plan.delete_paths[:SHOWN_DELETES])
    more = (
        f" and {len(plan.delete_paths) - SHOWN_DELETES:,} more"
        if (len(plan.delete_paths) > SHOWN_DELETES)
        else ""
    )
    return (
        f"⚠ Deletes {plural(plan.delete_count, 'entry', 'entries')} found only on the "
        f"destination: {names}{more}."
    )


async def sync_difference(
    node: DOMNode,
    comparison: Comparison,
    direction: str,
    selection: Sequence[int] | None,
    names: tuple[str, str],
) -> list[str] | None:
    """Copy what differs in ``direction`` (the selection, or everything); once the tasks
    have ended, the folders they touched (to compare again), else None."""
    app = gtui(node)
    try:
        plan = await run_cpu(plan_sync, comparison, direction, selection=selection)
        with_deletes = await run_cpu(
            plan_sync, comparison, direction, selection=selection, delete_extra=True
        )
    except PlanError as exc:
        node.app.notify(str(exc), severity="warning", timeout=6)
        return None
    if with_deletes.is_empty:
        node.app.notify("Nothing differs that way: there is nothing to copy.", timeout=4)
        return None
    left, right = names
    source, target = (left, right) if direction == "left_to_right" else (right, left)
    label = f"sync {source}:{plan.source.path} {ARROWS[direction]} {target}:{plan.destination.path}"
    # Times are kept, or every file copied would compare as newer on the destination.
    defaults = dataclasses.replace(
        default_choices(app, label[:128]),
        sync_level=None,
        preserve_timestamp=True,
        delete_destination_extra=False,
    )
    summary = "\n".join(plan.preview_lines(max_deletes=0))
    items = [str(item["source_path"]) for item in (plan.transfer or {"DATA": []})["DATA"]]
    choices = await wait_for_screen(
        node.app,
        TransferOptionsScreen(
            summary,
            items[:8] + ([] if len(items) <= 8 else ["…"]),
            defaults,
            delete_warning=delete_warning(with_deletes),
        ),
    )
    if choices is None:
        return None
    if choices.schedule is not None:
        node.app.notify(
            "A sync of exactly these files is made once; to repeat it, use Keep in sync (K).",
            severity="warning",
            timeout=6,
        )
        return None
    chosen = with_deletes if choices.delete_destination_extra else plan
    if chosen.deletes is not None and not await _confirm_deletes(node, chosen):
        return None
    task_ids = await _submit(node, chosen, choices, names)
    if not task_ids:
        return None
    await _wait_for(node, task_ids)
    return chosen.touched


async def _confirm_deletes(node: DOMNode, plan: SyncPlan) -> bool:
    count = plural(plan.delete_count, "entry", "entries")
    confirm: ConfirmScreen = ConfirmScreen(
        f"Delete {count} on {plan.destination.path}?",
        "These are only on the destination; the delete cannot be undone.",
        plan.delete_paths[:50],
        yes=f"Delete {count}",
    )
    answer = await wait_for_screen(node.app, confirm)
    return bool(answer)


async def _submit(
    node: DOMNode, plan: SyncPlan, choices: TransferChoices, names: tuple[str, str]
) -> list[str]:
    app = gtui(node)
    left, right = names
    source_name, target_name = (left, right) if plan.direction == "left_to_right" else (right, left)
    source = (plan.source.collection_id, source_name)
    target = (plan.destination.collection_id, target_name)
    started: list[str] = []
    if plan.transfer is not None:
        data = apply_choices(plan.transfer, choices)
        task_id = await submit(node, data, "transfer")
        if task_id is None:
            return started
        announce(app, task_id, data, source, target)
        app.feed.watch(task_id)
        started.append(task_id)
    if plan.deletes is not None:
        task_id = await submit(node, plan.deletes, "delete")
        if task_id is not None:
            announce(app, task_id, plan.deletes, target, None)
            app.feed.watch(task_id)
            started.append(task_id)
    if started:
        node.app.notify(
            f"Sync submitted ({plural(len(started), 'task')}); the comparison is made again "
            "when it ends.",
            timeout=5,
        )
    return started


async def _wait_for(node: DOMNode, task_ids: list[str]) -> None:
    """Until every task has ended (the feed follows them)."""
    feed = gtui(node).feed
    while True:
        tasks = [feed.tasks.get(t) for t in task_ids]
        if all(task is not None and task.is_finished for task in tasks):
            return
        await asyncio.sleep(WAIT_POLL_SECONDS)


async def keep_in_sync(node: DOMNode, left: Place, right: Place, names: tuple[str, str]) -> bool:
    """A recurring timer that copies the left folder onto the right by modification time."""
    from gtui.tui.timer_submission import create_timer

    app = gtui(node)
    left_name, right_name = names
    label = f"keep {left_name}:{left.path} → {right_name}:{right.path} in sync"[:128]
    defaults = dataclasses.replace(
        default_choices(app, label), sync_level="mtime", preserve_timestamp=True
    )
    summary = (
        f"Copy what is newer or missing from {left_name}:{left.path}\n"
        f"  to {right_name}:{right.path}, on a schedule (a timer)"
    )
    choices = await wait_for_screen(
        node.app, TransferOptionsScreen(summary, [left.path], defaults, repeat_every="1d")
    )
    if choices is None or choices.schedule is None:
        return False
    if choices.delete_destination_extra and not await wait_for_screen(
        node.app,
        ConfirmScreen(
            "Delete extra files at every run?",
            f"Each run deletes what is in {right_name}:{right.path} and not in "
            f"{left_name}:{left.path}.",
            yes="Keep in sync and delete",
        ),
    ):
        return False
    data = TransferData(
        left.collection_id,
        right.collection_id,
        label=choices.label,
        sync_level=choices.sync_level,
        verify_checksum=choices.verify_checksum,
        preserve_timestamp=choices.preserve_timestamp,
        encrypt_data=choices.encrypt_data,
        skip_source_errors=choices.skip_source_errors,
        fail_on_quota_errors=choices.fail_on_quota_errors,
        delete_destination_extra=choices.delete_destination_extra,
        notify_on_succeeded=choices.notify,
        notify_on_failed=choices.notify,
        notify_on_inactive=choices.notify,
    )
    data.add_item(left.path, right.path, recursive=True)
    collections = await _collections(node, (left.collection_id, right.collection_id))
    timer = await create_timer(node, choices.label, data, choices.schedule, collections)
    return timer is not None


async def _collections(node: DOMNode, ids: Sequence[str]) -> list[Collection]:
    found = []
    for collection_id in dict.fromkeys(ids):
        try:
            document = (await gtui(node).session.transfer.get_endpoint(collection_id)).document()
        except GlobusError:
            continue
        found.append(Collection.from_api(document))
    return found

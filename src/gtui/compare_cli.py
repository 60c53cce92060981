"""``gtui compare`` and ``gtui sync``: the folder compare and the exact sync, for scripts.

``compare`` prints one line per entry in ``rclone check --combined`` style (``=`` same, ``+``
missing on the destination, ``-`` only on the destination, ``*`` different, ``!`` a type
conflict or not comparable), then the totals; it exits 0 when the folders are equal, 1 when
they differ and 2 on an error (folders that could not be listed included). ``sync`` submits
the transfer (and, with ``--delete-extra``, the delete) that ``gtui.core.sync_plan`` plans;
``--dry-run`` prints those documents instead. Both work against the demo with ``--demo``.

Importing this module is cheap (``gtui --help`` builds the parser); the client core is
imported when a command runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TextIO

from gtui.auth_cli import CommandError, command_session

if TYPE_CHECKING:
    from gtui.core.compare import CompareProgress, Comparison, Place
    from gtui.core.session import GlobusSession

FINAL_STATUSES = ("SUCCEEDED", "FAILED")
POLL_SECONDS = (0.5, 1.0, 2.0, 5.0)


def add_arguments(sub: Any) -> None:
    """Add ``compare`` and ``sync`` to the ``gtui`` sub-command parsers."""
    compare = sub.add_parser(
        "compare",
        help="compare two folders by size and modification time (exit 0 equal, 1 different)",
        description="Walk both folders and print one line per entry: '=' same, '+' missing "
        "on the destination, '-' only on the destination, '*' different, '!' a type conflict "
        "or not comparable (links, folders that could not be listed); then the totals. "
        "Contents are not compared. Exit status: 0 equal, 1 different, 2 error.",
    )
    _places(compare)
    compare.add_argument("--json", action="store_true", help="print one JSON document instead")
    sync = sub.add_parser(
        "sync",
        help="copy exactly what differs from SRC to DST (compare, then one transfer task)",
        description="Compare, then submit one transfer of exactly the entries that differ "
        "(a folder missing on the destination as one recursive item). Type conflicts and links "
        "are never copied. With --dry-run the task documents are printed (JSON, on stdout) "
        "with the preview (on stderr) and nothing is submitted.",
    )
    _places(sync)
    sync.add_argument("--dry-run", action="store_true", help="print the tasks, submit nothing")
    sync.add_argument("--wait", action="store_true", help="follow the tasks until they end")
    sync.add_argument(
        "--delete-extra",
        action="store_true",
        help="also delete what is only on the destination (a second, delete task)",
    )
    sync.add_argument("--label", help="the tasks' label")


def _places(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", metavar="SRC_COLLECTION:PATH", help="e.g. <uuid>:/data/run1/")
    parser.add_argument("destination", metavar="DST_COLLECTION:PATH")


def parse_place(text: str) -> Place:
    """``COLLECTION_ID:/path`` as a ``Place`` (a folder); a ``CommandError`` otherwise."""
    from gtui.core.compare import Place

    collection, colon, path = text.partition(":")
    if not colon or not collection.strip() or not path.strip():
        raise CommandError(
            f"{text!r} is not COLLECTION_ID:PATH (for example "
            "6c54cade-bde5-45c1-bdea-f4bd71dba2cc:/home/me/data/).",
            status=2,
        )
    return Place(collection.strip(), path)


def one_line(text: str) -> str:
    """A message on one line (the service's own messages hold line breaks)."""
    return " ".join(text.split())


def _run(
    main: Callable[[], Coroutine[Any, Any, int]], args: argparse.Namespace, err: TextIO
) -> int:
    """Run a command; every failure is one line on ``err`` and exit status 2."""
    from gtui.core.errors import GlobusError, LoginRequired

    try:
        return asyncio.run(main())
    except CommandError as exc:
        print(f"gtui: {one_line(str(exc))}", file=err)
        return 2
    except LoginRequired:
        login = "gtui --demo login" if getattr(args, "demo", False) else "gtui login"
        print(f"gtui: You are not logged in. Run `{login}`.", file=err)
        return 2
    except GlobusError as exc:
        print(f"gtui: {one_line(str(exc))}", file=err)
        return 2


def _progress_printer(err: TextIO) -> Callable[[CompareProgress], None] | None:
    """A progress line rewritten in place on a terminal; nothing otherwise."""
    if not err.isatty():
        return None

    def show(progress: CompareProgress) -> None:
        (lf, rf), (le, re) = progress.folders, progress.entries
        end = "\n" if progress.done else ""
        text = f"Listed {lf + rf:,} folders, {le + re:,} entries"
        print(f"\r{text}{'.' if progress.done else '…'}", end=end, file=err, flush=True)

    return show


async def _compare_places(
    session: GlobusSession, source: Place, destination: Place, err: TextIO
) -> Comparison:
    """The comparison, or a ``CommandError`` when either folder could not be listed at all."""
    from gtui.core.compare_walk import compare_folders
    from gtui.core.errors import LoginRequired

    if not session.has_tokens():
        raise LoginRequired()
    comparison = await compare_folders(
        session.transfer, source, destination, on_progress=_progress_printer(err)
    )
    if not comparison.left_exists:
        raise CommandError(
            f"The source folder {source.path} was not found on {source.collection_id}.", 2
        )
    for error in comparison.errors:
        if not error.rel_path:
            side = "source" if error.side == "left" else "destination"
            place = source if error.side == "left" else destination
            raise CommandError(f"Cannot list the {side} folder {place.path}: {error.message}", 2)
    return comparison


# -- compare -------------------------------------------------------------------------------

CLASS_WORDS = (
    ("=", "same", "same"),
    ("+", "only_source", "missing on destination"),
    ("-", "only_destination", "only on destination"),
    ("*", "newer_source", "newer on source"),
    ("*", "newer_destination", "newer on destination"),
    ("*", "size_differs", "same time, other size"),
    ("!", "type_conflict", "file vs folder"),
    ("!", "not_comparable", "not comparable"),
)
"""By ``Diff`` value: the line's symbol, the JSON class name, the totals' words."""

KIND_WORDS = {1: "file", 2: "folder", 3: "link"}


def compare(
    args: argparse.Namespace, *, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """``gtui compare``: 0 when the folders are equal, 1 when they differ, 2 on an error."""
    error_stream = err or sys.stderr
    return _run(lambda: _compare(args, out or sys.stdout, error_stream), args, error_stream)


async def _compare(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    source, destination = parse_place(args.source), parse_place(args.destination)
    async with command_session(args) as session:
        comparison = await _compare_places(session, source, destination, err)
    if args.json:
        json.dump(comparison_document(comparison), out, ensure_ascii=False, indent=1)
        print(file=out)
    else:
        for line in entry_lines(comparison):
            print(line, file=out)
        for line in totals_lines(comparison):
            print(line, file=out)
    _print_errors(comparison, err)
    if comparison.errors:
        return 2
    return 0 if comparison.is_equal() else 1


def entry_lines(comparison: Comparison) -> list[str]:
    """``= path`` … per file; folders (``path/``) only when they are not the same."""
    lines = []
    for index, name in enumerate(comparison.names):
        diff = comparison.diff[index]
        folder = comparison.is_folder(index)
        if folder and diff == 0:
            continue
        lines.append(f"{CLASS_WORDS[diff][0]} {name}{'/' if folder else ''}")
    return lines


def totals_lines(comparison: Comparison) -> list[str]:
    from gtui.core.compare import Diff
    from gtui.core.sync_plan import size_words

    totals, counts = comparison.totals(), comparison.counts()
    lines = ["Totals (sizes and modification times compared, not contents):"]
    for diff, (symbol, _, words) in zip(Diff, CLASS_WORDS, strict=True):
        files, size = totals[diff]
        folders = counts[diff] - files
        if not files and not folders:
            continue
        what = f"{files:,} file{'' if files == 1 else 's'}, {size_words(size)}"
        if folders:
            what += f"; {folders:,} folder{'' if folders == 1 else 's'}"
        lines.append(f"  {symbol} {words:<24} {what}")
    verdict = "equal" if comparison.is_equal() else "different"
    lines.append(f"The folders are {verdict}.")
    return lines


def _print_errors(comparison: Comparison, err: TextIO) -> None:
    for error in comparison.errors:
        side = "source" if error.side == "left" else "destination"
        message = one_line(error.message)
        print(f"gtui: could not list {side} folder {error.rel_path}/: {message}", file=err)


def _time_text(seconds: float) -> str | None:
    if seconds != seconds:  # NaN: absent or unknown
        return None
    return datetime.fromtimestamp(seconds, UTC).isoformat()


def comparison_document(comparison: Comparison) -> dict[str, Any]:
    """The comparison as JSON: places, verdict, totals per class, entries, errors."""
    from gtui.core.compare import Diff

    c = comparison
    totals, counts = c.totals(), c.counts()

    def side(kind: int, size: int, mtime: float) -> dict[str, Any] | None:
        if not kind:
            return None
        return {"kind": KIND_WORDS[kind], "size": size, "mtime": _time_text(mtime)}

    return {
        "source": {"collection_id": c.left.collection_id, "path": c.left.path},
        "destination": {
            "collection_id": c.right.collection_id,
            "path": c.right.path,
            "exists": c.right_exists,
        },
        "equal": c.is_equal(),
        "totals": {
            CLASS_WORDS[d][1]: {"entries": counts[d], "files": totals[d][0], "bytes": totals[d][1]}
            for d in Diff
        },
        "entries": [
            {
                "path": name,
                "class": CLASS_WORDS[c.diff[i]][1],
                "source": side(c.left_kind[i], c.left_size[i], c.left_mtime[i]),
                "destination": side(c.right_kind[i], c.right_size[i], c.right_mtime[i]),
            }
            for i, name in enumerate(c.names)
        ],
        "errors": [
            {
                "side": "source" if e.side == "left" else "destination",
                "path": e.rel_path,
                "message": e.message,
                "code": e.code,
            }
            for e in c.errors
        ],
    }


# -- sync ----------------------------------------------------------------------------------


def sync(args: argparse.Namespace, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """``gtui sync``: 0 when submitted (and, with ``--wait``, succeeded), else 1 or 2."""
    error_stream = err or sys.stderr
    return _run(lambda: _sync(args, out or sys.stdout, error_stream), args, error_stream)


async def _sync(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from gtui.core.sync_plan import PlanError, plan_sync

    source, destination = parse_place(args.source), parse_place(args.destination)
    async with command_session(args) as session:
        comparison = await _compare_places(session, source, destination, err)
        _print_errors(comparison, err)
        try:
            plan = plan_sync(
                comparison, "left_to_right", delete_extra=args.delete_extra, label=args.label
            )
        except PlanError as exc:
            raise CommandError(str(exc), 2) from exc
        for line in plan.preview_lines():
            print(line, file=err if args.dry_run else out)
        if args.dry_run:
            documents = {"transfer": plan.transfer, "delete": plan.deletes}
            json.dump(documents, out, ensure_ascii=False, indent=1)
            print(file=out)
            return 0
        if plan.is_empty:
            print("Nothing to submit.", file=out)
            return 0
        tasks: list[tuple[str, str]] = []
        if plan.transfer is not None:
            answer = await session.transfer.submit_transfer(plan.transfer)
            tasks.append(("Transfer", str(answer["task_id"])))
        if plan.deletes is not None:
            answer = await session.transfer.submit_delete(plan.deletes)
            tasks.append(("Delete", str(answer["task_id"])))
        for kind, task_id in tasks:
            print(f"{kind} task: {task_id}", file=out, flush=True)
        if not args.wait:
            return 0
        failed = False
        for kind, task_id in tasks:
            status = await _wait_for(session, task_id, kind, out, err)
            failed = failed or status != "SUCCEEDED"
        if failed:
            return 1
        from gtui.core.compare_again import recompare_subtrees

        after = await recompare_subtrees(session.transfer, comparison, plan.touched)
    verdict = "now the same" if after.is_equal() else "still different where nothing was copied"
    print(f"Compared again: the folders are {verdict}.", file=out)
    return 0


async def _wait_for(
    session: GlobusSession, task_id: str, kind: str, out: TextIO, err: TextIO
) -> str:
    """Poll a task until it ends; its final status (an INACTIVE task is waited for, said once)."""
    from gtui.core.models import Task

    told_inactive = False
    attempt = 0
    while True:
        task = Task.from_api((await session.transfer.get_task(task_id)).data or {})
        if task.status in FINAL_STATUSES:
            print(
                f"{kind} task {task_id}: {task.status} ({task.files_transferred:,} files, "
                f"{task.bytes_transferred:,} bytes, {task.faults:,} faults)",
                file=out,
            )
            return task.status
        if task.status == "INACTIVE" and not told_inactive:
            why = task.nice_status_short_description or task.nice_status or "inactive"
            print(f"gtui: {kind.lower()} task {task_id} is waiting: {why}", file=err)
            told_inactive = True
        await asyncio.sleep(POLL_SECONDS[min(attempt, len(POLL_SECONDS) - 1)])
        attempt += 1

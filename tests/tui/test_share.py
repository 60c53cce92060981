"""Sharing a folder from the pane: x on a scratch folder makes a guest collection rooted there
(asking for the GCS Manager consent on the way), the form shares it read-only with Ada by
username, and Ada can then list and read it — and not write."""

from __future__ import annotations

from typing import Any

import globus_sdk
import pytest

from gtui.sim.serve import RunningSim
from gtui.sim.world import ADA_USER_ID, SCRATCH_ID
from gtui.tui.screens.share import ShareScreen
from gtui.tui.state import PanePlace
from tests.sim_login import by_resource_server, login_through_page
from tests.tui.test_consent import consent_screen, grant
from tests.tui.tui_helpers import collection_path, pane, ready, wait_for

SIZE = (160, 48)
TRANSFER_RS = "transfer.api.globus.org"


pytestmark = pytest.mark.usefixtures("over_ssh")


def ada_transfer(sim: RunningSim) -> globus_sdk.TransferClient:
    tokens = by_resource_server(login_through_page(sim, identity_id=ADA_USER_ID))
    return globus_sdk.TransferClient(
        authorizer=globus_sdk.AccessTokenAuthorizer(tokens[TRANSFER_RS]),
        base_url=sim.service_urls["transfer"],
    )


async def test_share_a_folder_read_only_with_a_colleague_in_a_few_keys(
    make_app: Any, sim: RunningSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As `gtui --demo` does: trust the certificate authority of the service's GCS Manager.
    monkeypatch.setenv("GLOBUS_SDK_VERIFY_SSL", str(sim.ca_bundle))
    folder = collection_path(sim, SCRATCH_ID, "/~/results-2026")
    folder.mkdir(parents=True)
    (folder / "table.csv").write_text("a,b\n1,2\n")
    app = await make_app(right=PanePlace(SCRATCH_ID, "/~/"))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        right = pane(app, "right")
        await wait_for(pilot, lambda: right.file_list.row_of("results-2026") is not None)
        right.file_list.focus()
        right.file_list.cursor = right.file_list.row_of("results-2026")
        keys = ["x"]
        await pilot.press("x")

        def shown_or_asked() -> Any:
            return isinstance(app.screen, ShareScreen) or consent_screen(app)

        await wait_for(pilot, shown_or_asked)
        if not isinstance(app.screen, ShareScreen):
            await grant(pilot, app.screen)
        screen = await wait_for(
            pilot, lambda: app.screen if isinstance(app.screen, ShareScreen) else None
        )
        assert screen.shared.created and screen.shared.path == "/"
        assert "results-2026 (shared by" in screen.shared.collection_name
        # A new guest collection: only the access its roles give (its maker administers it),
        # and the line above the rows says so rather than "not shared with anyone".
        await wait_for(
            pilot,
            lambda: (
                "Shared with no one beyond its roles"
                in str(screen.query_one("#share-status").render())
            ),
        )
        rules_table = screen.query_one("#share-rules")
        notes = [str(rules_table.get_row_at(i)[4]) for i in range(rules_table.row_count)]
        assert notes and all(note.startswith("by role") for note in notes), notes
        username = "ada@gtui.example"
        await pilot.press(*username, "enter")
        keys += ["<username>", "enter"]
        await wait_for(pilot, lambda: "1 rule" in str(screen.query_one("#share-status").render()))
        rows = [
            [str(c) for c in screen.query_one("#share-rules").get_row_at(i)]
            for i in range(screen.query_one("#share-rules").row_count)
        ]
        assert [username, "read only", "/", "never"] in [row[:4] for row in rows], rows
        assert len(keys) < 10
        guest_id = screen.shared.collection_id

    ada = ada_transfer(sim)
    shared = {doc["id"] for doc in ada.endpoint_search(filter_scope="shared-with-me")}
    assert guest_id in shared
    listed = {entry["name"] for entry in ada.operation_ls(guest_id, path="/")}
    assert listed == {"table.csv"}
    with pytest.raises(globus_sdk.TransferAPIError) as refused:
        ada.operation_mkdir(guest_id, "/new-folder/")
    assert refused.value.http_status == 403
    assert "read-only" in refused.value.message

"""Sharing a folder from a pane: find the guest collection rooted at it, or make one.

A folder of a GCSv5 mapped collection is shared through a guest collection rooted there
(made on the endpoint's GCS Manager, which needs ``manage_collections`` with the mapped
collection's ``data_access``: the consent dialog repairs it like any other). A folder inside
a guest collection is shared in that collection, by a rule on its path. Who may use it is
then the guest collection's access list (``screens/share.py``).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from textual.dom import DOMNode

from gtui.core.gcs import GCSClient, GuestCollectionDocument
from gtui.core.models import Collection
from gtui.tui.context import gtui
from gtui.tui.session_flows import with_consent_repair

MAPPED = "GCSv5_mapped_collection"
GUEST = "GCSv5_guest_collection"


class CannotShare(Exception):
    """The folder cannot be shared from here; the message says why in a sentence."""


@dataclass(frozen=True)
class SharedFolder:
    """Where the rules go: the guest collection, and the folder's path inside it."""

    collection_id: str
    collection_name: str
    path: str
    created: bool = False


def folder_path(path: str) -> str:
    return path if path.endswith("/") else path + "/"


async def absolute_path(node: DOMNode, collection: Collection, path: str) -> str:
    """The folder's path from the collection's root (``/~/`` resolved by Transfer)."""
    if not path.startswith("/~"):
        return folder_path(path)
    answer = await gtui(node).session.transfer.operation_ls(collection.id, path, limit=1)
    listed = answer.get("absolute_path") or answer.get("path")
    if not isinstance(listed, str) or not listed.startswith("/") or listed.startswith("/~"):
        raise CannotShare("Transfer did not say where this folder is; refresh and try again.")
    return folder_path(listed)


def gcs_for(node: DOMNode, mapped: Collection) -> GCSClient:
    if not mapped.gcs_manager_url or not mapped.owner_id:
        raise CannotShare(f"{mapped.display_name} does not say where its GCS Manager is.")
    return gtui(node).session.gcs_client(
        mapped.gcs_manager_url,
        mapped.owner_id,
        data_access_collection=mapped.id if mapped.requires_data_access else None,
    )


async def share_target(node: DOMNode, collection: Collection, path: str) -> SharedFolder:
    """The guest collection and path to put rules on for ``collection:path`` (made if
    there is none yet). Raises ``CannotShare`` or ``GlobusError``."""
    if collection.entity_type == GUEST:
        return SharedFolder(collection.id, collection.display_name, folder_path(path))
    if collection.entity_type != MAPPED:
        kind = "a Globus Connect Personal" if collection.is_globus_connect else "this kind of"
        raise CannotShare(
            f"{collection.display_name} is {kind} collection: folders are shared from a "
            "Globus Connect Server collection (GCSv5 mapped), which makes a guest collection."
        )
    if not collection.shareable:
        raise CannotShare(f"{collection.display_name} does not allow sharing (not shareable).")
    base = await absolute_path(node, collection, path)
    client = gcs_for(node, collection)
    existing = await _existing_guest(node, client, collection, base)
    if existing is not None:
        return existing
    return await _new_guest(node, client, collection, base)


async def _existing_guest(
    node: DOMNode, client: GCSClient, mapped: Collection, base: str
) -> SharedFolder | None:
    listed = await with_consent_repair(
        node,
        lambda: client.get_collection_list(mapped_collection_id=mapped.id, filter="managed_by_me"),
    )
    for document in listed:
        if document.get("collection_type") != "guest":
            continue
        if folder_path(str(document.get("collection_base_path") or "")) == base:
            return SharedFolder(str(document["id"]), str(document.get("display_name")), "/")
    return None


async def _new_guest(
    node: DOMNode, client: GCSClient, mapped: Collection, base: str
) -> SharedFolder:
    credentials = await with_consent_repair(node, client.get_user_credential_list)
    documents = list(credentials)
    if not documents:
        raise CannotShare(
            f"You have no user credential on {mapped.display_name}'s endpoint, so no guest "
            "collection can be made there."
        )
    me = gtui(node).username or "me"
    name = posixpath.basename(base.rstrip("/")) or mapped.display_name
    document = GuestCollectionDocument(
        mapped_collection_id=mapped.id,
        user_credential_id=str(documents[0]["id"]),
        collection_base_path=base,
        display_name=f"{name} (shared by {me})"[:128],
        public=False,
    )
    answer = await with_consent_repair(node, lambda: client.create_collection(document))
    made = answer.unpacked("collection")
    return SharedFolder(str(made["id"]), str(made.get("display_name") or name), "/", True)

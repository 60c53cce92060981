"""The documents a GCS Manager answers, in the shapes of the SDK's fixtures.

Every answer is a ``result`` document whose ``data`` list holds the documents
(``collection#1.x.0``, ``endpoint#1.2.0``, ``storage_gateway#1.0.0``,
``user_credential#1.0.0``, ``role#1.0.0``, ``info#1.0.0``); the SDK picks the first of the
expected type out of it.

Each endpoint has one POSIX storage gateway, and every identity that calls it has one user
credential on it, made on first sight (as a gateway that maps identities to accounts does):
their ids are derived from the endpoint and the identity, so nothing needs storing.
"""

from __future__ import annotations

import uuid
from typing import Any

from gtui.sim.world import Collection, GCSEndpoint

RESULT_DATA_TYPE = "result#1.0.0"
COLLECTION_DATA_TYPE = "collection#1.15.0"
ENDPOINT_DATA_TYPE = "endpoint#1.2.0"
STORAGE_GATEWAY_DATA_TYPE = "storage_gateway#1.0.0"
USER_CREDENTIAL_DATA_TYPE = "user_credential#1.0.0"
INFO_DATA_TYPE = "info#1.0.0"
POSIX_CONNECTOR_ID = "145812c8-decc-41f1-83cf-bb2a85a2a70b"
GCS_VERSION = "5.4.80"
API_VERSION = "1.29.0"
_IDS = uuid.UUID("8c1b7f0e-5d8e-4d4e-9c38-3d1f3a5e9b21")  # namespace of the derived ids


def result(
    data: list[dict[str, Any]],
    *,
    has_next_page: bool = False,
    marker: str | None = None,
    message: str | None = None,
) -> dict[str, Any]:
    """A successful answer holding ``data``."""
    doc: dict[str, Any] = {
        "DATA_TYPE": RESULT_DATA_TYPE,
        "code": "success",
        "detail": "success",
        "http_response_code": 200,
        "has_next_page": has_next_page,
        "data": data,
    }
    if marker is not None:
        doc["marker"] = marker
    if message is not None:
        doc["message"] = message
    return doc


def storage_gateway_id(endpoint_id: str) -> str:
    return str(uuid.uuid5(_IDS, f"storage-gateway:{endpoint_id}"))


def user_credential_id(endpoint_id: str, identity_id: str) -> str:
    return str(uuid.uuid5(_IDS, f"user-credential:{endpoint_id}:{identity_id}"))


def local_username(username: str) -> str:
    """The local account an identity maps to: its username before the ``@``."""
    return username.split("@", 1)[0]


def info_docs(endpoint: GCSEndpoint) -> list[dict[str, Any]]:
    """``GET /info`` (unauthenticated): the endpoint's client id, which is its id."""
    return [
        {
            "DATA_TYPE": INFO_DATA_TYPE,
            "api_version": API_VERSION,
            "client_id": endpoint.id,
            "domain_name": "127.0.0.1",
            "endpoint_id": endpoint.id,
            "manager_version": GCS_VERSION,
        },
        {
            "DATA_TYPE": "connector#1.1.0",
            "display_name": "POSIX",
            "id": POSIX_CONNECTOR_ID,
            "is_baa": False,
            "is_ha": False,
        },
    ]


def endpoint_doc(endpoint: GCSEndpoint) -> dict[str, Any]:
    """``GET /endpoint``."""
    return {
        "DATA_TYPE": ENDPOINT_DATA_TYPE,
        "id": endpoint.id,
        "display_name": endpoint.display_name,
        "allow_udt": False,
        "contact_email": endpoint.contact_email,
        "contact_info": None,
        "department": "Research Computing",
        "description": endpoint.description,
        "earliest_last_access": None,
        "gcs_manager_url": endpoint.gcs_manager_url,
        "gridftp_control_channel_port": 443,
        "info_link": None,
        "keywords": [k for k in endpoint.keywords.split(",") if k],
        "network_use": "normal",
        "max_concurrency": None,
        "max_parallelism": None,
        "preferred_concurrency": None,
        "preferred_parallelism": None,
        "organization": endpoint.organization,
        "public": endpoint.public,
        "subscription_id": "964be8f5-5f9b-11e4-b64e-12313940394d",
    }


def storage_gateway_doc(endpoint: GCSEndpoint) -> dict[str, Any]:
    """The endpoint's one POSIX storage gateway."""
    return {
        "DATA_TYPE": STORAGE_GATEWAY_DATA_TYPE,
        "id": storage_gateway_id(endpoint.id),
        "display_name": f"{endpoint.display_name} POSIX storage",
        "connector_id": POSIX_CONNECTOR_ID,
        "high_assurance": False,
        "require_high_assurance": False,
        "require_mfa": False,
        "authentication_assurance_timeout": 15840,
        "authentication_timeout_mins": 15840,
        "allowed_domains": ["gtui.example", "orcid.org", "clients.auth.globus.org"],
        "identity_mappings": [],
        "mapping": "username_without_domain",
        "restrict_paths": None,
        "policies": {
            "DATA_TYPE": "posix_storage_gateway#1.0.0",
            "groups_allow": [],
            "groups_deny": [],
        },
        "users_allow": [],
        "users_deny": [],
        "process_user": None,
        "load_dsi_module": None,
    }


def user_credential_doc(endpoint: GCSEndpoint, identity_id: str, username: str) -> dict[str, Any]:
    """An identity's credential on the endpoint's storage gateway."""
    return {
        "DATA_TYPE": USER_CREDENTIAL_DATA_TYPE,
        "id": user_credential_id(endpoint.id, identity_id),
        "identity_id": identity_id,
        "username": local_username(username),
        "display_name": f"{local_username(username)} on {endpoint.display_name}",
        "connector_id": POSIX_CONNECTOR_ID,
        "storage_gateway_id": storage_gateway_id(endpoint.id),
        "invalid": False,
        "provisioned": False,
        "policies": {"DATA_TYPE": "posix_user_credential_policies#1.0.0"},
    }


def collection_doc(
    collection: Collection,
    endpoint: GCSEndpoint,
    *,
    created_at: str | None,
    user_credential: str | None = None,
    collection_base_path: str = "/",
    extra: dict[str, Any] | None = None,
    private: bool = False,
) -> dict[str, Any]:
    """A mapped or guest collection as ``/collections`` answers it; ``private`` adds what
    ``include=private_policies`` asks for (its root path, the sharing restrictions)."""
    guest = collection.entity_type == "GCSv5_guest_collection"
    doc: dict[str, Any] = {
        "DATA_TYPE": COLLECTION_DATA_TYPE,
        "id": collection.id,
        "display_name": collection.display_name,
        "collection_type": "guest" if guest else "mapped",
        "identity_id": collection.owner_identity_id,
        "connector_id": POSIX_CONNECTOR_ID,
        "collection_base_path": collection_base_path,
        "default_directory": collection.default_directory,
        "public": collection.public,
        "high_assurance": collection.high_assurance,
        "require_high_assurance": collection.high_assurance,
        "authentication_assurance_timeout": None,
        "authentication_timeout_mins": None,
        "require_mfa": False,
        "force_encryption": False,
        "force_verify": False,
        "disable_verify": False,
        "enable_https": True,
        "manager_url": endpoint.gcs_manager_url,
        "https_url": f"https://{collection.id[:6]}.data.gtui.example",
        "tlsftp_url": f"tlsftp://{collection.id[:6]}.data.gtui.example:443",
        "domain_name": f"{collection.id[:6]}.data.gtui.example",
        "organization": collection.organization,
        "department": "Research Computing",
        "description": collection.description or None,
        "keywords": [k for k in collection.keywords.split(",") if k],
        "contact_email": collection.contact_email or None,
        "contact_info": None,
        "info_link": None,
        "user_message": None,
        "user_message_link": None,
        "created_at": created_at,
        "last_access": None,
        "deleted": False,
        "acl_expiration_mins": None,
        "associated_flow_policy": None,
        "restrict_transfers_to_high_assurance": None,
    }
    if guest:
        doc.update(
            {
                "mapped_collection_id": collection.host_endpoint_id,
                "storage_gateway_id": storage_gateway_id(endpoint.id),
                "user_credential_id": user_credential,
                "skip_auto_delete": False,
                "activity_notification_policy": {"status": []},
            }
        )
    else:
        doc.update(
            {
                "storage_gateway_id": storage_gateway_id(endpoint.id),
                "allow_guest_collections": True,
                "disable_anonymous_writes": False,
                "delete_protected": True,
                "guest_auth_policy_id": None,
                "auto_delete_timeout": None,
                "policies": {
                    "DATA_TYPE": "posix_collection_policies#1.0.0",
                    "sharing_groups_allow": [],
                    "sharing_groups_deny": [],
                },
            }
        )
    doc.update(extra or {})
    if private:
        doc["root_path"] = collection_base_path
        if not guest:
            doc.update(
                {
                    "sharing_restrict_paths": None,
                    "sharing_users_allow": None,
                    "sharing_users_deny": None,
                }
            )
    return doc

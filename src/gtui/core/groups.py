"""`GroupsClient` for Globus Groups v2 (globus-api.md §4), and `GroupsManager` for single actions.

Every membership change is a batch action, ``POST /v2/groups/{id}`` with lists under ``add``,
``invite``, ``remove``, ``approve``, ``reject``, ``accept``, ``decline``, ``join``, ``leave``,
``request_join`` and ``change_role``. A role change uses the API's own ``change_role`` action
(as the Globus SDK's ``GroupsManager.change_role`` does) rather than remove-then-add, which
would drop the membership's history and briefly lock the person out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar, Literal
from uuid import UUID

from gtui.core.errors import GroupsAPIError
from gtui.core.http import ServiceClient
from gtui.core.response import GlobusResponse

ID = UUID | str
Role = Literal["member", "manager", "admin"]
ROLES = ("member", "manager", "admin")
MEMBERSHIP_STATUSES = ("active", "invited", "pending", "rejected", "removed", "left", "declined")
GROUP_INCLUDES = ("memberships", "my_memberships", "policies", "allowed_actions", "child_ids")
BATCH_ACTIONS = (
    "add",
    "invite",
    "remove",
    "approve",
    "reject",
    "accept",
    "decline",
    "join",
    "leave",
    "request_join",
    "change_role",
)


def _comma(value: str | Iterable[str] | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return ",".join(value)


def _ids(identity_ids: ID | Iterable[ID]) -> list[str]:
    if isinstance(identity_ids, str | UUID):
        return [str(identity_ids)]
    return [str(i) for i in identity_ids]


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise ValueError(f"Unrecognized role {role!r} (one of {', '.join(ROLES)})")
    return role


class BatchMembershipActions(dict[str, Any]):
    """The body of a batch membership request; each method adds entries to one action list."""

    def _add(self, action: str, entries: Iterable[dict[str, str]]) -> BatchMembershipActions:
        self.setdefault(action, []).extend(entries)
        return self

    def add_members(
        self, identity_ids: ID | Iterable[ID], role: Role = "member"
    ) -> BatchMembershipActions:
        checked = _check_role(role)
        return self._add("add", ({"identity_id": i, "role": checked} for i in _ids(identity_ids)))

    def invite_members(
        self, identity_ids: ID | Iterable[ID], role: Role = "member"
    ) -> BatchMembershipActions:
        checked = _check_role(role)
        entries = ({"identity_id": i, "role": checked} for i in _ids(identity_ids))
        return self._add("invite", entries)

    def change_roles(self, role: Role, identity_ids: ID | Iterable[ID]) -> BatchMembershipActions:
        checked = _check_role(role)
        entries = ({"identity_id": i, "role": checked} for i in _ids(identity_ids))
        return self._add("change_role", entries)

    def _plain(self, action: str, identity_ids: ID | Iterable[ID]) -> BatchMembershipActions:
        return self._add(action, ({"identity_id": i} for i in _ids(identity_ids)))

    def remove_members(self, identity_ids: ID | Iterable[ID]) -> BatchMembershipActions:
        return self._plain("remove", identity_ids)

    def approve_pending(self, identity_ids: ID | Iterable[ID]) -> BatchMembershipActions:
        return self._plain("approve", identity_ids)

    def reject_join_requests(self, identity_ids: ID | Iterable[ID]) -> BatchMembershipActions:
        return self._plain("reject", identity_ids)

    def accept_invites(self, identity_ids: ID | Iterable[ID]) -> BatchMembershipActions:
        return self._plain("accept", identity_ids)

    def decline_invites(self, identity_ids: ID | Iterable[ID]) -> BatchMembershipActions:
        return self._plain("decline", identity_ids)

    def join(self, identity_ids: ID | Iterable[ID]) -> BatchMembershipActions:
        return self._plain("join", identity_ids)

    def leave(self, identity_ids: ID | Iterable[ID]) -> BatchMembershipActions:
        return self._plain("leave", identity_ids)

    def request_join(self, identity_ids: ID | Iterable[ID]) -> BatchMembershipActions:
        return self._plain("request_join", identity_ids)


class GroupsClient(ServiceClient):
    """Async client for Globus Groups v2."""

    service_name: ClassVar[str] = "groups"
    base_path: ClassVar[str] = "/v2/"
    error_class: ClassVar[type[GroupsAPIError]] = GroupsAPIError

    async def get_my_groups(
        self,
        *,
        statuses: str | Iterable[str] | None = None,
        query_params: Mapping[str, Any] | None = None,
    ) -> GlobusResponse:
        """The caller's groups (a JSON array, not paged); ``statuses`` widens beyond active."""
        params = dict(query_params or {})
        if statuses is not None:
            params["statuses"] = _comma(statuses)
        return await self.get("groups/my_groups", query_params=params)

    async def get_group(
        self, group_id: ID, *, include: str | Iterable[str] | None = None
    ) -> GlobusResponse:
        """One group; ``include`` adds memberships, policies, allowed_actions, ..."""
        params = {"include": _comma(include)} if include is not None else None
        return await self.get(f"groups/{group_id}", query_params=params)

    async def create_group(self, data: Mapping[str, Any]) -> GlobusResponse:
        return await self.post("groups", data=dict(data))

    async def update_group(self, group_id: ID, data: Mapping[str, Any]) -> GlobusResponse:
        return await self.put(f"groups/{group_id}", data=dict(data))

    async def delete_group(self, group_id: ID) -> GlobusResponse:
        return await self.delete(f"groups/{group_id}")

    async def get_group_policies(self, group_id: ID) -> GlobusResponse:
        return await self.get(f"groups/{group_id}/policies")

    async def set_group_policies(self, group_id: ID, data: Mapping[str, Any]) -> GlobusResponse:
        return await self.put(f"groups/{group_id}/policies", data=dict(data))

    async def batch_membership_action(
        self, group_id: ID, actions: Mapping[str, Sequence[Mapping[str, Any]]]
    ) -> GlobusResponse:
        """Run several membership actions at once; per-identity failures come back in ``errors``."""
        unknown = set(actions) - set(BATCH_ACTIONS)
        if unknown:
            raise ValueError(f"Unrecognized membership actions: {', '.join(sorted(unknown))}")
        return await self.post(f"groups/{group_id}", data=dict(actions))


class GroupsManager:
    """One call per membership change, built on ``batch_membership_action``."""

    def __init__(self, client: GroupsClient) -> None:
        self.client = client

    async def _run(self, group_id: ID, actions: BatchMembershipActions) -> GlobusResponse:
        return await self.client.batch_membership_action(group_id, actions)

    async def create_group(
        self, name: str, description: str | None = None, *, parent_id: ID | None = None
    ) -> GlobusResponse:
        data: dict[str, Any] = {"name": name}
        if description is not None:
            data["description"] = description
        if parent_id is not None:
            data["parent_id"] = str(parent_id)
        return await self.client.create_group(data)

    async def set_group_policies(
        self,
        group_id: ID,
        *,
        is_high_assurance: bool,
        group_visibility: Literal["authenticated", "private"],
        group_members_visibility: Literal["members", "managers"],
        join_requests: bool,
        signup_fields: Iterable[str] = (),
        authentication_assurance_timeout: int | None = None,
    ) -> GlobusResponse:
        data = {
            "is_high_assurance": is_high_assurance,
            "group_visibility": group_visibility,
            "group_members_visibility": group_members_visibility,
            "join_requests": join_requests,
            "signup_fields": list(signup_fields),
            "authentication_assurance_timeout": authentication_assurance_timeout,
        }
        return await self.client.set_group_policies(group_id, data)

    async def add_member(
        self, group_id: ID, identity_id: ID, role: Role = "member"
    ) -> GlobusResponse:
        return await self._run(group_id, BatchMembershipActions().add_members(identity_id, role))

    async def invite_member(
        self, group_id: ID, identity_id: ID, role: Role = "member"
    ) -> GlobusResponse:
        actions = BatchMembershipActions().invite_members(identity_id, role)
        return await self._run(group_id, actions)

    async def change_role(self, group_id: ID, identity_id: ID, role: Role) -> GlobusResponse:
        actions = BatchMembershipActions().change_roles(role, identity_id)
        return await self._run(group_id, actions)

    async def remove_member(self, group_id: ID, identity_id: ID) -> GlobusResponse:
        return await self._run(group_id, BatchMembershipActions().remove_members(identity_id))

    async def approve_pending(
        self, group_id: ID, identity_ids: ID | Iterable[ID]
    ) -> GlobusResponse:
        return await self._run(group_id, BatchMembershipActions().approve_pending(identity_ids))

    async def reject_pending(self, group_id: ID, identity_ids: ID | Iterable[ID]) -> GlobusResponse:
        actions = BatchMembershipActions().reject_join_requests(identity_ids)
        return await self._run(group_id, actions)

    async def accept_invite(self, group_id: ID, identity_id: ID) -> GlobusResponse:
        return await self._run(group_id, BatchMembershipActions().accept_invites(identity_id))

    async def decline_invite(self, group_id: ID, identity_id: ID) -> GlobusResponse:
        return await self._run(group_id, BatchMembershipActions().decline_invites(identity_id))

    async def join(self, group_id: ID, identity_id: ID) -> GlobusResponse:
        return await self._run(group_id, BatchMembershipActions().join(identity_id))

    async def leave(self, group_id: ID, identity_id: ID) -> GlobusResponse:
        return await self._run(group_id, BatchMembershipActions().leave(identity_id))

    async def request_join(self, group_id: ID, identity_id: ID) -> GlobusResponse:
        return await self._run(group_id, BatchMembershipActions().request_join(identity_id))


def batch_errors(response: GlobusResponse) -> dict[str, list[dict[str, Any]]]:
    """The per-action failures of a batch reply, e.g. ``{"add": [{"code": "ALREADY_ACTIVE"}]}``."""
    errors = response.get("errors")
    if not isinstance(errors, Mapping):
        return {}
    # A malformed entry (not a list of objects) is skipped, never iterated into a crash.
    return {
        action: [e for e in failures if isinstance(e, dict)]
        for action, failures in errors.items()
        if isinstance(failures, list) and failures
    }

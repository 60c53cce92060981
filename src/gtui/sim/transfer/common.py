"""What every Transfer route needs: the caller, parameters, collections, consent, access,
answers."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from gtui.sim.auth.bearer import require_caller
from gtui.sim.auth.tokens import Caller
from gtui.sim.context import context_of
from gtui.sim.errors import SimAPIError, new_request_id
from gtui.sim.transfer.paths import ResolvedPath, real_globus_path
from gtui.sim.world import Collection

if TYPE_CHECKING:
    from gtui.sim.transfer.access_policy import AccessPolicy
    from gtui.sim.transfer.service import TransferService

TRANSFER_RESOURCE_SERVER = "transfer.api.globus.org"
TRANSFER_SCOPE = "urn:globus:auth:scope:transfer.api.globus.org:all"


def caller_of(request: Request) -> Caller:
    """The authenticated caller, or a 401 AuthenticationFailed."""
    return require_caller(request, TRANSFER_RESOURCE_SERVER)


def service_of(request: Request) -> TransferService:
    """The Transfer service of the application (``build_app`` starts it with the app)."""
    transfer = context_of(request).transfer
    if transfer is None:
        raise RuntimeError("the Transfer service was not started with the application")
    return transfer


def resource_of(request: Request) -> str:
    """The request path from the API version on, as Transfer reports it in answers."""
    path = request.url.path
    index = path.find("/v0.10/")
    return path[index:] if index >= 0 else path


def answer(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status)


def raw_json(text: str, status: int = 200) -> Response:
    return Response(text.encode("utf-8"), status_code=status, media_type="application/json")


def result(
    request: Request, data_type: str, code: str, message: str, **extra: Any
) -> dict[str, Any]:
    """A result document (``mkdir_result``, ``result``, ...) with request id and resource."""
    return {
        "DATA_TYPE": data_type,
        "code": code,
        "message": message,
        "request_id": new_request_id(),
        "resource": resource_of(request),
        **extra,
    }


def query_int(
    request: Request, name: str, default: int, *, minimum: int = 0, maximum: int | None = None
) -> int:
    """An integer query parameter, refused with 400 when it is not one or out of range."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SimAPIError(
            400, "ClientError.BadRequest", f"Invalid value for {name}: {raw!r} is not an integer"
        ) from None
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f">= {minimum}"
        raise SimAPIError(
            400, "ClientError.BadRequest", f"Invalid value for {name}: must be {bound}"
        )
    return value


def query_bool(request: Request, name: str, default: bool) -> bool:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.lower()
    if lowered in ("1", "true", "t", "yes", "y"):
        return True
    if lowered in ("0", "false", "f", "no", "n"):
        return False
    raise SimAPIError(400, "ClientError.BadRequest", f"Invalid value for {name}: {raw!r}")


async def read_document(request: Request) -> dict[str, Any]:
    """The JSON object in the request body, or 400 for anything else."""
    body = await request.body()
    try:
        data = json.loads(body) if body else None
    except (ValueError, UnicodeDecodeError):
        raise SimAPIError(
            400, "ClientError.BadRequest.BadJSON", "Request body is not valid JSON"
        ) from None
    if not isinstance(data, dict):
        raise SimAPIError(400, "ClientError.BadRequest", "Request body must be a JSON object")
    return data


def endpoint_not_found(endpoint_id: str) -> SimAPIError:
    return SimAPIError(404, "EndpointNotFound", f"No such endpoint '{endpoint_id}'")


def access_of(request: Request) -> AccessPolicy:
    """The service's access policy (roles and access rules); the Transfer routes set it."""
    access = context_of(request).access
    if access is None:
        raise RuntimeError("the access policy was not attached with the Transfer routes")
    return access


def collection_for(request: Request, endpoint_id: str, caller: Caller) -> Collection:
    """The collection ``endpoint_id`` if it exists and the caller may see it: the world lets
    them in, or (on a guest collection) a role or a live access rule names them."""
    world = context_of(request).world
    collection = world.collections.get(endpoint_id)
    if collection is None:
        raise endpoint_not_found(endpoint_id)
    if not access_of(request).may_see(collection, caller.identity_id):
        raise SimAPIError(
            403,
            "PermissionDenied",
            f"You do not have permission to access endpoint '{endpoint_id}'",
        )
    return collection


def data_access_scope(collection_id: str) -> str:
    return f"https://auth.globus.org/scopes/{collection_id}/data_access"


def require_data_access(request: Request, collection: Collection, caller: Caller) -> None:
    """403 ConsentRequired on a collection that needs data_access the caller does not hold."""
    faults = context_of(request).settings.faults
    if collection.id not in faults.consent_collections or caller.has_data_access(collection.id):
        return
    scopes = [f"{TRANSFER_SCOPE}[*{data_access_scope(collection.id)}]"]
    message = "Missing required data_access consent"
    raise SimAPIError(
        403,
        "ConsentRequired",
        message,
        required_scopes=scopes,
        authorization_parameters={"required_scopes": scopes, "session_message": message},
    )


def usable_collection(request: Request, endpoint_id: str, caller: Caller) -> Collection:
    """A collection the caller may read and write data on right now."""
    collection = collection_for(request, endpoint_id, caller)
    require_data_access(request, collection, caller)
    return collection


def require_path(
    request: Request, collection: Collection, caller: Caller, path: str, need: str
) -> None:
    """403 PermissionDenied unless the caller may ``need`` (``r``/``rw``) a Globus path."""
    denial = access_of(request).denial(collection, caller.identity_id, path, need)
    if denial is not None:
        raise SimAPIError(403, "PermissionDenied", denial)


def require_resolved(
    request: Request, resolved: ResolvedPath, caller: Caller, need: str, *, follow: bool = True
) -> None:
    """``require_path`` on a resolved path and on where its symlinks lead, so that a link in
    a shared folder does not open a folder that is not shared."""
    access = access_of(request)
    collection = resolved.collection
    limits = access.restrictions(collection, caller.identity_id)
    if limits is None:
        return
    paths = [resolved.globus_path]
    real = real_globus_path(resolved, follow=follow)
    if real is not None and real != resolved.globus_path:
        paths.append(real)
    for path in paths:
        denial = access.refusal(collection, limits, path, need)
        if denial is not None:
            raise SimAPIError(403, "PermissionDenied", denial)

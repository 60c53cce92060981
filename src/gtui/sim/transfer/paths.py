"""Map Globus paths on a collection to real paths under its root folder, and nowhere else.

A collection's paths are rooted at its folder: ``/home/demo/x`` on a collection is
``<root>/home/demo/x`` on disk, and ``/~/`` (or ``~``) is the collection's home. Every way of
leaving the root is refused the way the real service refuses it: ``..`` above the root, NUL
bytes, symlinks that resolve outside the root, and the settings' denied paths.

A path arrives already decoded from the URL or the JSON body and is used as it is: ``%2e%2e``
in it is a name of six characters (legal, like any name without ``/`` or NUL), never decoded
again, so it cannot climb out of the root.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from gtui.sim.errors import SimAPIError
from gtui.sim.settings import FaultSettings
from gtui.sim.world import Collection

MAX_PATH_LENGTH = 4096
MAX_NAME_BYTES = 255


@dataclass(frozen=True)
class ResolvedPath:
    """A Globus path resolved on one collection."""

    collection: Collection
    requested: str
    globus_path: str
    real: Path

    @property
    def echo(self) -> str:
        """The requested path as the service echoes it for a folder: with a trailing slash."""
        return self.requested if self.requested.endswith("/") else self.requested + "/"

    @property
    def folder_path(self) -> str:
        """The absolute Globus path with a trailing slash."""
        return self.globus_path if self.globus_path.endswith("/") else self.globus_path + "/"

    def child(self, name: str) -> str:
        """The absolute Globus path of an entry of this folder."""
        return self.folder_path + name


def bad_path(message: str) -> SimAPIError:
    return SimAPIError(400, "ClientError.BadRequest", message)


def path_denied(collection: Collection, path: str) -> SimAPIError:
    return SimAPIError(
        403,
        "EndpointPermissionDenied",
        f"Denied by endpoint, Error (list)\nEndpoint: {collection.display_name} "
        f"({collection.id})\nCommand: MLST {path}\nMessage: Fatal FTP Response\n---\n"
        "Details: 500 Command failed : Path not allowed.\\r\\n\n",
    )


def _real_root(collection: Collection) -> str:
    return os.path.realpath(collection.root)


def _expand_home(collection: Collection, path: str) -> str:
    home = collection.home if collection.home.endswith("/") else collection.home + "/"
    if path in ("~", "/~"):
        return home
    for prefix in ("/~/", "~/"):
        if path.startswith(prefix):
            return home + path[len(prefix) :]
    if not path.startswith("/"):
        return home + path
    return path


def normalize(collection: Collection, path: str) -> str:
    """The absolute Globus path that ``path`` names, or an error if it leaves the root."""
    if "\x00" in path:
        raise bad_path("Invalid path: it contains a NUL character")
    if len(path) > MAX_PATH_LENGTH:
        raise bad_path("Invalid path: it is too long")
    parts: list[str] = []
    for segment in _expand_home(collection, path).split("/"):
        if segment in ("", "."):
            continue
        if len(segment.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
            raise bad_path(f"Invalid path: a name is longer than {MAX_NAME_BYTES} bytes")
        if segment == "..":
            if not parts:
                raise path_denied(collection, path)
            parts.pop()
            continue
        parts.append(segment)
    return "/" + "/".join(parts)


def _inside(real_root: str, candidate: str) -> bool:
    return candidate == real_root or candidate.startswith(real_root.rstrip("/") + "/")


def resolve(
    collection: Collection,
    path: str | None,
    faults: FaultSettings,
    *,
    follow_final_symlink: bool = True,
) -> ResolvedPath:
    """Resolve ``path`` on ``collection``; raise the service's error if it may not be used.

    With ``follow_final_symlink`` false only the parent folder must resolve inside the root, so
    a symlink itself can be renamed or deleted wherever it points.
    """
    requested = path if path else collection.default_directory
    globus_path = normalize(collection, requested)
    if faults.is_denied(collection.id, globus_path) or faults.is_denied(
        collection.id, globus_path.rstrip("/") + "/"
    ):
        raise path_denied(collection, requested)
    root = Path(collection.root)
    real = root.joinpath(*[p for p in globus_path.split("/") if p])
    real_root = _real_root(collection)
    if follow_final_symlink:
        target = os.path.realpath(real)
    else:
        target = os.path.join(os.path.realpath(real.parent), real.name)
    if not _inside(real_root, target):
        raise path_denied(collection, requested)
    return ResolvedPath(collection, requested, globus_path, real)


def is_inside_root(collection: Collection, real: Path | str) -> bool:
    """Whether ``real`` (following every symlink) stays inside the collection's root."""
    return _inside(_real_root(collection), os.path.realpath(real))


def globus_path_of(collection: Collection, real: Path | str) -> str | None:
    """The absolute Globus path of a real path inside the collection's root, else None."""
    real_root = _real_root(collection)
    resolved = os.path.realpath(real)
    if not _inside(real_root, resolved):
        return None
    rel = os.path.relpath(resolved, real_root)
    return "/" if rel == "." else "/" + rel.replace(os.sep, "/")


def real_globus_path(resolved: ResolvedPath, *, follow: bool = True) -> str | None:
    """The Globus path a resolved path's symlinks lead to (the final one too when
    ``follow``), or None when that is outside the root."""
    if follow:
        return globus_path_of(resolved.collection, resolved.real)
    if resolved.globus_path == "/":
        return "/"
    parent = globus_path_of(resolved.collection, resolved.real.parent)
    return None if parent is None else parent.rstrip("/") + "/" + resolved.real.name

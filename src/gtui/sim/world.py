"""The demo world: fixed ids, its users and its collections, each a folder under the root.

Folders under ``root`` (one per collection, each collection's paths are relative to it):

- ``laptop/``  — ``LAPTOP_ID``, "Demo Laptop", a Globus Connect Personal collection owned by
  the demo user (home ``/home/demo/``); holds the 3 GB survey ``LARGE_DATASET_PATH``, created
  on first use, and the test fixtures under ``FIXTURES_PATH``.
- ``scratch/`` — ``SCRATCH_ID``, "HPC Cluster Scratch", a GCSv5 mapped collection (home
  ``/home/demo/``); holds the 100,000-entry folder ``BIG_FOLDER_PATH`` and the wide tree
  ``WIDE_TREE_PATH``, both created on first use.
- ``archive/`` — ``ARCHIVE_ID``, "Tape Archive", a GCSv5 mapped collection whose data needs the
  ``data_access`` consent (home ``/home/demo/``).
- ``shared/``  — ``GUEST_ID``, "Shared Results", a GCSv5 guest collection on the scratch
  endpoint, owned by the other user and shared with the demo user (home ``/``).

The ids live in ``gtui.sim.ids`` and are re-exported here. This module imports nothing of
the web stack, so the constants are cheap to import.
"""

from __future__ import annotations

import os
import random
import shutil
import stat
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gtui.sim import demo_data
from gtui.sim.demo_data import (
    FIXTURES_PATH,
    LARGE_DATASET_BYTES,
    LARGE_DATASET_NAME,
    LARGE_DATASET_PATH,
    LARGE_DATASET_SEED,
)
from gtui.sim.ids import (
    ADA_USER_ID,
    ALAN_USER_ID,
    ARCHIVE_ENDPOINT_ID,
    ARCHIVE_FLOW_ID,
    ARCHIVE_ID,
    CLIENT_IDENTITY_DOMAIN,
    CLIMATE_GROUP_ID,
    DEMO_CONFIDENTIAL_CLIENT_ID,
    DEMO_CONFIDENTIAL_CLIENT_SECRET,
    DEMO_INDEX_ID,
    DEMO_NATIVE_CLIENT_ID,
    DEMO_ORCID_ID,
    DEMO_USER_ID,
    DEMO_USERNAME,
    GENOME_GROUP_ID,
    GRACE_USER_ID,
    GUEST_ID,
    HPC_USERS_GROUP_ID,
    LAPTOP_ID,
    MOVE_FLOW_ID,
    OPEN_DATA_GROUP_ID,
    ORCID_PROVIDER_ID,
    OTHER_USER_ID,
    OTHER_USERNAME,
    PRIVATE_FLOW_ID,
    SCRATCH_ENDPOINT_ID,
    SCRATCH_ID,
    SHARED_FLOW_ID,
    TWO_STAGE_FLOW_ID,
    VIEW_ONLY_FLOW_ID,
)
from gtui.sim.settings import gcs_manager_url

if TYPE_CHECKING:
    from gtui.sim.settings import SimSettings

__all__ = [
    "ADA_USER_ID",
    "ALAN_USER_ID",
    "ARCHIVE_ENDPOINT_ID",
    "ARCHIVE_FLOW_ID",
    "ARCHIVE_ID",
    "BIG_FOLDER_ENTRIES",
    "BIG_FOLDER_PATH",
    "CLIENT_IDENTITY_DOMAIN",
    "CLIMATE_GROUP_ID",
    "COLLECTION_FOLDERS",
    "DEMO_CONFIDENTIAL_CLIENT_ID",
    "DEMO_CONFIDENTIAL_CLIENT_SECRET",
    "DEMO_INDEX_ID",
    "DEMO_NATIVE_CLIENT_ID",
    "DEMO_ORCID_ID",
    "DEMO_USERNAME",
    "DEMO_USER_ID",
    "FIXTURES_PATH",
    "GENOME_GROUP_ID",
    "GRACE_USER_ID",
    "GUEST_ID",
    "HPC_USERS_GROUP_ID",
    "LAPTOP_ID",
    "LARGE_DATASET_NAME",
    "LARGE_DATASET_PATH",
    "MOVE_FLOW_ID",
    "OPEN_DATA_GROUP_ID",
    "ORCID_PROVIDER_ID",
    "OTHER_USERNAME",
    "OTHER_USER_ID",
    "PRIVATE_FLOW_ID",
    "SCRATCH_ENDPOINT_ID",
    "SCRATCH_ID",
    "SHARED_FLOW_ID",
    "TWO_STAGE_FLOW_ID",
    "VIEW_ONLY_FLOW_ID",
    "WIDE_TREE_FANOUT",
    "WIDE_TREE_PATH",
    "Collection",
    "GCSEndpoint",
    "User",
    "World",
    "demo_collections",
    "demo_endpoints",
    "demo_users",
]

BIG_FOLDER_PATH = "/big/100k/"
BIG_FOLDER_ENTRIES = 100_000
WIDE_TREE_PATH = "/wide/"
WIDE_TREE_FANOUT = (8, 16, 16)

COLLECTION_FOLDERS = {
    LAPTOP_ID: "laptop",
    SCRATCH_ID: "scratch",
    ARCHIVE_ID: "archive",
    GUEST_ID: "shared",
}


@dataclass(frozen=True)
class User:
    """One identity of the demo world."""

    id: str
    username: str
    name: str
    email: str
    organization: str = "gtui Demo University"
    identity_provider: str = "41143743-f3c8-4d60-bbdb-eeecaba85bd9"
    linked: tuple[str, ...] = ()

    def to_identity_doc(self) -> dict[str, Any]:
        """The identity as Auth's ``/v2/api/identities`` lists it."""
        return {
            "id": self.id,
            "username": self.username,
            "name": self.name,
            "email": self.email,
            "organization": self.organization,
            "status": "used",
            "identity_provider": self.identity_provider,
            "identity_type": "login",
        }


@dataclass
class Collection:
    """A collection: a folder under the root that the Transfer API serves.

    ``owner_id`` is what Transfer documents say: the person for a Globus Connect Personal
    collection, the GCSv5 endpoint's id for a GCSv5 mapped or guest collection (clients build
    the endpoint's ``manage_collections`` scope from it). ``owner_identity_id`` is the person
    who owns it either way (a guest collection's creator, a mapped collection's endpoint
    administrator; ``owner_id`` when not given): who may use it, whose "my endpoints" it is.
    A guest collection's ``host_endpoint_id`` is its mapped collection; a mapped one has none.
    """

    id: str
    display_name: str
    canonical_name: str
    entity_type: str
    owner_id: str
    owner_string: str
    root: Path
    organization: str = "gtui Demo University"
    description: str = ""
    keywords: str = ""
    default_directory: str = "/~/"
    home: str = "/home/demo/"
    high_assurance: bool = False
    shared_with: set[str] = field(default_factory=set)
    requires_data_access: bool = False
    host_endpoint_id: str | None = None
    gcs_manager_url: str | None = None
    public: bool = False
    contact_email: str = "support@gtui.example"
    owner_identity_id: str = ""

    def __post_init__(self) -> None:
        if not self.owner_identity_id:
            self.owner_identity_id = self.owner_id

    @property
    def is_gcp(self) -> bool:
        return self.entity_type == "GCP_mapped_collection"

    def can_access(self, identity_id: str) -> bool:
        """Whether an identity may see and use this collection. A public guest collection is
        only listed as public: its data is open to those its access rules name."""
        if identity_id == self.owner_identity_id or identity_id in self.shared_with:
            return True
        return self.public and self.entity_type != "GCSv5_guest_collection"

    def to_endpoint_doc(self) -> dict[str, Any]:
        """The collection as Transfer's ``GET /endpoint/{id}`` answers it."""
        gcs = self.entity_type.startswith("GCSv5")
        return {
            "DATA_TYPE": "endpoint",
            "id": self.id,
            "display_name": self.display_name,
            "canonical_name": self.canonical_name,
            "name": self.canonical_name.split("#", 1)[-1],
            "username": self.owner_string.split("@", 1)[0],
            "owner_id": self.owner_id,
            "owner_string": self.owner_string,
            "organization": self.organization,
            "department": "Research Computing",
            "description": self.description,
            "keywords": self.keywords,
            "contact_email": self.contact_email,
            "contact_info": None,
            "info_link": None,
            "entity_type": self.entity_type,
            "public": self.public,
            "is_globus_connect": self.is_gcp,
            "globus_connect_setup_key": None,
            "gcp_connected": True if self.is_gcp else None,
            "gcp_paused": False if self.is_gcp else None,
            "gcs_version": "5.4.80" if gcs else None,
            "gcs_manager_url": self.gcs_manager_url,
            "host_endpoint": None,
            "host_endpoint_id": self.host_endpoint_id,
            "host_endpoint_display_name": None,
            "host_path": None,
            "mapped_collection_id": self.host_endpoint_id
            if self.entity_type == "GCSv5_guest_collection"
            else None,
            "mapped_collection_display_name": None,
            "high_assurance": self.high_assurance,
            "authentication_assurance_timeout": None,
            "authentication_timeout_mins": None,
            "requires_data_access_consent": self.requires_data_access,
            "disable_verify": False,
            "disable_anonymous_writes": False,
            "force_verify": False,
            "force_encryption": False,
            "mfa_required": False,
            "myproxy_server": None,
            "myproxy_dn": None,
            "oauth_server": None,
            "non_functional": False,
            "non_functional_endpoint_display_name": None,
            "non_functional_endpoint_id": None,
            "default_directory": self.default_directory,
            "activated": False,
            "expires_in": -1,
            "expire_time": None,
            "shareable": self.entity_type != "GCSv5_guest_collection",
            "acl_available": self.entity_type == "GCSv5_guest_collection",
            "acl_editable": False,
            "in_use": False,
            "local_user_info_available": gcs,
            "french_english_bilingual": False,
            "user_message": None,
            "user_message_link": None,
            "subscription_id": "964be8f5-5f9b-11e4-b64e-12313940394d",
            "s3_url": None,
            "s3_owner_activated": False,
            "https_server": f"https://{self.id[:6]}.data.gtui.example" if gcs else None,
            "tlsftp_server": f"tlsftp://{self.id[:6]}.data.gtui.example:443" if gcs else None,
            "preferred_transfer_command": None,
            "max_concurrency": None,
            "preferred_concurrency": None,
            "max_parallelism": None,
            "preferred_parallelism": None,
            "network_use": None,
            "location": None,
            # Newer fields (as in the SDK's and CLI's endpoint fixtures). ``my_effective_roles``
            # depends on who asks: the Transfer routes fill it in for the caller.
            "my_effective_roles": [],
            "sharing_target_endpoint": None,
            "sharing_target_root_path": None,
            "storage_type": None,
            "authentication_policy_id": None,
            "acl_max_expiration_period_mins": None,
            "last_accessed_time": None,
            "requester_pays": False,
            "DATA": [],
        }


@dataclass(frozen=True)
class GCSEndpoint:
    """A Globus Connect Server v5 endpoint: the host of mapped collections, with its GCS
    Manager at ``gcs_manager_url``. It is no collection (nothing to list), but Transfer
    answers its document (``entity_type`` ``GCSv5_endpoint``) as for any endpoint."""

    id: str
    display_name: str
    administrator_id: str
    owner_string: str
    gcs_manager_url: str
    organization: str = "gtui Demo University"
    description: str = ""
    keywords: str = ""
    contact_email: str = "support@gtui.example"
    public: bool = True

    def to_endpoint_doc(self) -> dict[str, Any]:
        """The endpoint as Transfer's ``GET /endpoint/{id}`` answers it: a collection's
        document (the same fields) with what an endpoint lacks emptied."""
        doc = Collection(
            self.id,
            self.display_name,
            f"gcs#{self.id}",
            "GCSv5_endpoint",
            self.id,
            self.owner_string,
            Path(),
            organization=self.organization,
            description=self.description,
            keywords=self.keywords,
            gcs_manager_url=self.gcs_manager_url,
            public=self.public,
            contact_email=self.contact_email,
            owner_identity_id=self.administrator_id,
        ).to_endpoint_doc()
        doc.update(
            {
                "name": self.id,
                "default_directory": None,
                "shareable": False,
                "acl_available": False,
                "local_user_info_available": None,
                "https_server": None,
                "tlsftp_server": None,
            }
        )
        return doc


class World:
    """The demo world of one service run: users, collections, sample data on disk."""

    def __init__(
        self,
        root: Path,
        users: dict[str, User],
        collections: dict[str, Collection],
        endpoints: dict[str, GCSEndpoint] | None = None,
    ) -> None:
        self.root = root
        self.users = users
        self.collections = collections
        self.endpoints = endpoints or {}
        self._big_lock = threading.Lock()
        self._wide_lock = threading.Lock()
        self._large_lock = threading.Lock()

    @classmethod
    def load(cls, settings: SimSettings) -> World:
        """Build the world under ``settings.root``, creating folders and sample data if missing."""
        root = Path(settings.root)
        world = cls(
            root,
            demo_users(),
            demo_collections(root, gcs_base_url=settings.gcs_base_url),
            demo_endpoints(settings.gcs_base_url),
        )
        for collection in world.collections.values():
            collection.root.mkdir(parents=True, exist_ok=True)
        demo_data.populate(root, {cid: c.root for cid, c in world.collections.items()})
        return world

    def collection_root(self, collection_id: str) -> Path:
        return self.collections[collection_id].root

    def visible_collections(self, identity_id: str) -> list[Collection]:
        """The collections an identity may see, in a stable order."""
        return [c for c in self.collections.values() if c.can_access(identity_id)]

    def user_for(self, identity_id: str) -> User | None:
        return self.users.get(identity_id)

    def identity_set(self, identity_id: str) -> list[User]:
        """The identity and the identities linked to it, the primary first."""
        user = self.users.get(identity_id)
        if user is None:
            return []
        return [user, *(self.users[i] for i in user.linked if i in self.users)]

    def user_by_username(self, username: str) -> User | None:
        wanted = username.lower()
        return next((u for u in self.users.values() if u.username.lower() == wanted), None)

    def ensure_big_folder(self) -> Path:
        """Create the 100,000-entry folder (empty files) on first use; return its real path.

        It is built under a temporary name and renamed when complete, so a listing never sees
        half of it, and an interrupted build starts over.
        """
        folder = self.collection_root(SCRATCH_ID) / BIG_FOLDER_PATH.strip("/")
        if folder.is_dir():
            return folder
        with self._big_lock:
            if folder.is_dir():
                return folder
            partial = folder.with_name(folder.name + ".partial")
            if partial.exists():
                shutil.rmtree(partial)
            partial.mkdir(parents=True)
            _make_empty_files(partial, BIG_FOLDER_ENTRIES)
            os.rename(partial, folder)
        return folder

    def ensure_large_dataset(self) -> Path:
        """Create the 3 GB survey file (sparse) on first use; return its real path.

        Written under a temporary name and renamed when complete, like the big folder, so a
        listing never shows it half made.
        """
        folder = self.collection_root(LAPTOP_ID) / LARGE_DATASET_PATH.strip("/")
        path = folder / LARGE_DATASET_NAME
        if path.is_file():
            return path
        with self._large_lock:
            if path.is_file():
                return path
            partial = path.with_name(path.name + ".partial")
            demo_data.write_large_file(
                partial, LARGE_DATASET_BYTES, random.Random(LARGE_DATASET_SEED)
            )
            os.rename(partial, path)
        return path

    def ensure_wide_tree(self) -> Path:
        """Create the wide tree (8×16×16 folders, one small file in each leaf) on first use."""
        top = self.collection_root(SCRATCH_ID) / WIDE_TREE_PATH.strip("/")
        marker = top / ".wide-complete"
        if marker.exists():
            return top
        with self._wide_lock:
            if marker.exists():
                return top
            a, b, c = WIDE_TREE_FANOUT
            for i in range(a):
                for j in range(b):
                    for k in range(c):
                        leaf = top / f"group_{i:02d}" / f"set_{j:02d}" / f"run_{k:02d}"
                        leaf.mkdir(parents=True, exist_ok=True)
                        (leaf / "result.txt").write_text(f"run {i}.{j}.{k}\n", encoding="utf-8")
            marker.touch()
        return top


def _make_empty_files(folder: Path, count: int) -> None:
    """``count`` empty files named ``entry_NNNNNN.dat``, one system call each."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        for i in range(count):
            name = f"entry_{i:06d}.dat"
            try:
                os.mknod(name, 0o644 | stat.S_IFREG, dir_fd=fd)
            except PermissionError:
                os.close(os.open(name, os.O_CREAT | os.O_WRONLY, 0o644, dir_fd=fd))
    finally:
        os.close(fd)


def demo_users() -> dict[str, User]:
    """The identities of the demo world."""
    users = [
        User(
            DEMO_USER_ID, DEMO_USERNAME, "Demo User", "demo@gtui.example", linked=(DEMO_ORCID_ID,)
        ),
        User(
            DEMO_ORCID_ID,
            "0000-0002-1825-0097@orcid.org",
            "Demo User",
            "demo@gtui.example",
            organization="ORCID",
            identity_provider=ORCID_PROVIDER_ID,
            linked=(DEMO_USER_ID,),
        ),
        User(
            OTHER_USER_ID,
            OTHER_USERNAME,
            "Other User",
            "other@gtui.example",
            organization="Elsewhere Institute",
        ),
        User(ADA_USER_ID, "ada@gtui.example", "Ada Lovelace", "ada@gtui.example"),
        User(GRACE_USER_ID, "grace@gtui.example", "Grace Hopper", "grace@gtui.example"),
        User(ALAN_USER_ID, "alan@gtui.example", "Alan Turing", "alan@gtui.example"),
    ]
    return {u.id: u for u in users}


def demo_endpoints(gcs_base_url: str = "") -> dict[str, GCSEndpoint]:
    """The demo world's two GCSv5 endpoints (the other user administers both), their GCS
    Managers on the service's TLS listener at ``gcs_base_url``."""
    endpoints = [
        GCSEndpoint(
            SCRATCH_ENDPOINT_ID,
            "HPC Cluster",
            OTHER_USER_ID,
            OTHER_USERNAME,
            gcs_manager_url(gcs_base_url, SCRATCH_ENDPOINT_ID),
            description="Globus Connect Server of the demo HPC cluster",
            keywords="hpc,cluster",
        ),
        GCSEndpoint(
            ARCHIVE_ENDPOINT_ID,
            "Tape Archive Server",
            OTHER_USER_ID,
            OTHER_USERNAME,
            gcs_manager_url(gcs_base_url, ARCHIVE_ENDPOINT_ID),
            description="Globus Connect Server of the demo tape archive",
            keywords="archive,tape",
        ),
    ]
    return {e.id: e for e in endpoints}


def demo_collections(root: Path, *, gcs_base_url: str = "") -> dict[str, Collection]:
    """The four collections of the demo world, rooted in their folders under ``root``; the
    GCSv5 ones name their endpoint's GCS Manager on the TLS listener at ``gcs_base_url``."""
    owner = DEMO_USERNAME
    scratch_manager = gcs_manager_url(gcs_base_url, SCRATCH_ENDPOINT_ID)
    colls = [
        Collection(
            LAPTOP_ID,
            "Demo Laptop",
            f"{owner}#demo-laptop",
            "GCP_mapped_collection",
            DEMO_USER_ID,
            owner,
            root / COLLECTION_FOLDERS[LAPTOP_ID],
            description="Globus Connect Personal on the demo user's laptop",
            keywords="laptop,personal",
            shared_with={DEMO_CONFIDENTIAL_CLIENT_ID},
        ),
        Collection(
            SCRATCH_ID,
            "HPC Cluster Scratch",
            "hpc#scratch",
            "GCSv5_mapped_collection",
            SCRATCH_ENDPOINT_ID,
            OTHER_USERNAME,
            root / COLLECTION_FOLDERS[SCRATCH_ID],
            description="Scratch file system of the demo HPC cluster; purged after 30 days",
            keywords="hpc,scratch,cluster",
            gcs_manager_url=scratch_manager,
            public=True,
            owner_identity_id=OTHER_USER_ID,
        ),
        Collection(
            ARCHIVE_ID,
            "Tape Archive",
            "hpc#archive",
            "GCSv5_mapped_collection",
            ARCHIVE_ENDPOINT_ID,
            OTHER_USERNAME,
            root / COLLECTION_FOLDERS[ARCHIVE_ID],
            description="Long-term tape archive; needs data_access consent",
            keywords="archive,tape,long-term",
            requires_data_access=True,
            gcs_manager_url=gcs_manager_url(gcs_base_url, ARCHIVE_ENDPOINT_ID),
            public=True,
            owner_identity_id=OTHER_USER_ID,
        ),
        Collection(
            GUEST_ID,
            "Shared Results",
            "hpc#shared-results",
            "GCSv5_guest_collection",
            SCRATCH_ENDPOINT_ID,
            OTHER_USERNAME,
            root / COLLECTION_FOLDERS[GUEST_ID],
            description="Results shared with collaborators",
            keywords="shared,results",
            home="/",
            default_directory="/",
            shared_with={DEMO_USER_ID, DEMO_CONFIDENTIAL_CLIENT_ID},
            host_endpoint_id=SCRATCH_ID,
            gcs_manager_url=scratch_manager,
            owner_identity_id=OTHER_USER_ID,
        ),
    ]
    return {c.id: c for c in colls}

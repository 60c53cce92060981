"""The fixed ids of the demo world: users, OAuth clients, collections, groups, the index.

A leaf module (it imports nothing), so the settings and the sample data can name
collections without importing the world that is built from them. ``gtui.sim.world``
re-exports every name, and code outside the service imports them from there.
"""

from __future__ import annotations

DEMO_USER_ID = "f982aefb-c5d2-41c0-8a5a-718a8d0c828c"
DEMO_USERNAME = "demo@gtui.example"
OTHER_USER_ID = "bd736f89-f88d-4d06-8eec-75cd3dd35779"
OTHER_USERNAME = "other@gtui.example"
ADA_USER_ID = "aad380b0-3a92-426a-8cb5-bb9300b956a9"
GRACE_USER_ID = "cd69a4a3-cc16-4098-a2b9-ff820cd69ee8"
ALAN_USER_ID = "40ccbf4d-980d-46c9-b1c3-76f97102110d"
DEMO_ORCID_ID = "a67bc441-9bc4-4601-9e74-5edc549f26a0"
ORCID_PROVIDER_ID = "ef7c9a5e-8a4a-4c7e-8d5a-2a9a4f1b6a11"

DEMO_NATIVE_CLIENT_ID = "a444ebf7-54a3-4631-9ee5-07762fb5c31b"
DEMO_CONFIDENTIAL_CLIENT_ID = "ef6fb27c-3f95-414b-8944-3ea6e2260dd1"
DEMO_CONFIDENTIAL_CLIENT_SECRET = "gtui-demo-secret-4639639f4f1e4241"  # noqa: S105
CLIENT_IDENTITY_DOMAIN = "clients.auth.globus.org"

LAPTOP_ID = "85bcf520-92eb-4a71-8281-550125062da2"
SCRATCH_ID = "a9e6fcb5-f22b-48be-85f9-29d91af40177"
ARCHIVE_ID = "c39824e6-d48a-4ed9-afe5-aa3ffbdd79e0"
GUEST_ID = "6f3b264e-351b-4d41-a950-6c4db21c5844"
SCRATCH_ENDPOINT_ID = "d6210145-78e4-4c8a-bf95-d9616378a5c9"
ARCHIVE_ENDPOINT_ID = "d51a95a2-6cc1-43fe-a276-1d9a64e70012"
DEMO_INDEX_ID = "1b3668b4-1770-48fb-b3bb-201efb776da3"

CLIMATE_GROUP_ID = "6ff95ab1-048a-4859-a099-b27b0bd8b477"
HPC_USERS_GROUP_ID = "64f7a3e6-d82d-47e4-9b3f-04fecc69e1d0"
GENOME_GROUP_ID = "5891e838-aeed-45e3-9498-5b0ac862fc44"
OPEN_DATA_GROUP_ID = "db2cb6e6-90c6-490f-ba77-84ab602dfd9f"

MOVE_FLOW_ID = "8b7e4c3a-5d21-4f0e-9a6b-3c1d2e4f5a01"
TWO_STAGE_FLOW_ID = "8b7e4c3a-5d21-4f0e-9a6b-3c1d2e4f5a02"
ARCHIVE_FLOW_ID = "8b7e4c3a-5d21-4f0e-9a6b-3c1d2e4f5a03"
SHARED_FLOW_ID = "8b7e4c3a-5d21-4f0e-9a6b-3c1d2e4f5a04"
VIEW_ONLY_FLOW_ID = "8b7e4c3a-5d21-4f0e-9a6b-3c1d2e4f5a05"
PRIVATE_FLOW_ID = "8b7e4c3a-5d21-4f0e-9a6b-3c1d2e4f5a06"

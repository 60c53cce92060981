"""Sample data of the demo world, written once per root (a marker file records completion).

Ordinary project trees with files of mixed sizes, two large sparse files
(so throttled demo transfers show progress), a deep tree, names with spaces and non-ASCII
characters, hidden files, a symlink inside its collection, one pointing outside it, and an
unreadable file. Content is deterministic so checksums are stable between runs.
"""

from __future__ import annotations

import os
import random
from collections.abc import Mapping
from pathlib import Path

from gtui.sim.ids import ARCHIVE_ID, GUEST_ID, LAPTOP_ID, SCRATCH_ID

DATA_VERSION = "1"
MARKER_NAME = ".demo-data-complete"
DEEP_TREE_DEPTH = 10
MIB = 1024 * 1024
UNREADABLE_NAME = "private.key"
OUTSIDE_LINK_NAME = "system-passwd"
INSIDE_LINK_NAME = "latest-results"

PROJECT_README = """# {title}

Demo project of the gtui demo world. Data were generated for illustration.
Contact: demo@gtui.example
"""

PY_SOURCE = '''"""{name}: part of the {project} pipeline."""


def run(values):
    return sum(v * v for v in values) / max(len(values), 1)
'''


def populate(root: Path, collection_roots: Mapping[str, Path]) -> None:
    """Write the sample data under the collections' folders unless already there.

    ``root`` is the world's root (where the completion marker lives); ``collection_roots``
    maps each collection id to its folder.
    """
    marker = root / MARKER_NAME
    if marker.exists() and marker.read_text(encoding="utf-8").strip() == DATA_VERSION:
        return
    rng = random.Random(20261122)
    _laptop(collection_roots[LAPTOP_ID] / "home" / "demo", rng)
    _scratch(collection_roots[SCRATCH_ID] / "home" / "demo", rng)
    _archive(collection_roots[ARCHIVE_ID] / "home" / "demo", rng)
    _shared(collection_roots[GUEST_ID], rng)
    marker.write_text(DATA_VERSION + "\n", encoding="utf-8")


def _write(path: Path, data: bytes | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)


def _random_bytes(rng: random.Random, size: int) -> bytes:
    return rng.randbytes(size)


def _csv(rng: random.Random, rows: int) -> str:
    lines = ["time,temperature,pressure,humidity"]
    for i in range(rows):
        t, p, h = rng.gauss(15, 8), rng.gauss(1013, 9), rng.uniform(0, 100)
        lines.append(f"{i},{t:.3f},{p:.2f},{h:.1f}")
    return "\n".join(lines) + "\n"


def _large(path: Path, rng: random.Random, size: int) -> None:
    """A large sparse file: random first and last MiB, a hole in between (cheap to create,
    full-size to read and to copy, so throttled demo transfers show progress)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.write(rng.randbytes(MIB))
        handle.seek(size - MIB)
        handle.write(rng.randbytes(MIB))


def _project(base: Path, title: str, rng: random.Random, files: int) -> None:
    _write(base / "README.md", PROJECT_README.format(title=title))
    for name in ("prepare", "analyse", "plot"):
        _write(base / "src" / f"{name}.py", PY_SOURCE.format(name=name, project=title))
    for i in range(files):
        _write(base / "data" / f"sample_{i:03d}.csv", _csv(rng, 50 + 40 * i))
    for i in range(3):
        _write(base / "output" / f"figure_{i}.png", _random_bytes(rng, 20_000 + 30_000 * i))


def _deep(base: Path, depth: int) -> None:
    folder = base
    for level in range(1, depth + 1):
        folder = folder / f"level_{level:02d}"
        _write(folder / f"note_{level:02d}.txt", f"depth {level}\n")


def _laptop(home: Path, rng: random.Random) -> None:
    _project(home / "projects" / "climate-model", "Climate model", rng, 6)
    _project(home / "projects" / "genome assembly", "Genome assembly", rng, 4)
    _large(home / "projects" / "climate-model" / "output" / "run_001.nc", rng, 24 * MIB)
    _write(home / "Documents" / "notes café.txt", "Réunion lundi: données à transférer.\n")
    _write(home / "Documents" / "résumé 2026 — draft.txt", "Curriculum vitae (draft)\n")
    _write(home / "Documents" / "日本語のファイル.txt", "こんにちは\n")
    _write(home / "Documents" / "budget 2026.csv", _csv(rng, 30))
    _write(home / ".bashrc", "export PS1='$ '\n")
    _write(home / ".config" / "settings.ini", "[demo]\nenabled = true\n")
    _deep(home / "deep", DEEP_TREE_DEPTH)
    link = home / INSIDE_LINK_NAME
    if not link.is_symlink():
        link.symlink_to(Path("projects") / "climate-model" / "output")
    outside = home / OUTSIDE_LINK_NAME
    if not outside.is_symlink():
        outside.symlink_to("/etc/passwd")
    secret = home / UNREADABLE_NAME
    if secret.exists():
        os.chmod(secret, 0o600)
    _write(secret, "-----BEGIN DEMO KEY-----\nnot a real key\n-----END DEMO KEY-----\n")
    os.chmod(secret, 0)


def _scratch(home: Path, rng: random.Random) -> None:
    for run in range(1, 6):
        base = home / "simulations" / f"run_{run:03d}"
        _write(base / "params.json", f'{{"run": {run}, "steps": {run * 1000}}}\n')
        _write(base / "output.dat", _random_bytes(rng, 100_000 * run))
        _write(base / "log.txt", "".join(f"step {s} ok\n" for s in range(0, run * 200, 10)))
    _large(home / "datasets" / "ocean_temperature_2025.h5", rng, 40 * MIB)
    _write(home / "datasets" / "README.txt", "Ocean temperature reanalysis, 2025 subset.\n")
    _write(home / ".hidden_job_state", "queued\n")


def _archive(home: Path, rng: random.Random) -> None:
    for year in (2023, 2024, 2025):
        base = home / f"archive_{year}"
        _write(base / "manifest.txt", f"archive {year}\n")
        for part in range(3):
            _write(base / f"part_{part}.tar", _random_bytes(rng, 150_000 + 50_000 * part))
    _write(home / "README.md", PROJECT_README.format(title="Tape archive"))


def _shared(root: Path, rng: random.Random) -> None:
    _write(root / "README.md", PROJECT_README.format(title="Shared results"))
    _write(root / "results" / "summary.csv", _csv(rng, 200))
    for i in range(4):
        _write(root / "results" / "figures" / f"fig {i + 1}.png", _random_bytes(rng, 60_000))
    _write(root / "results" / "paper draft.md", "# Results\n\nSee figures.\n")

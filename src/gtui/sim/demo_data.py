"""Sample data of the demo world, written once per root (a marker file records completion).

The laptop home looks like a researcher's: projects with code, data and figures; datasets from
a few small CSV files to tens of MB; and one survey of 3 GB (built on first use by
``World.ensure_large_dataset``) that a throttled demo transfer takes minutes to copy. Large
files are sparse, so they cost almost no disk. Around them: a deep tree, names with spaces and
non-ASCII characters, hidden files and a symlink inside its collection. The cases only tests
need (a symlink pointing outside the collection, an unreadable file) live in
``FIXTURES_PATH``, outside the home the user lands in. Content is deterministic so checksums
are stable between runs.
"""

from __future__ import annotations

import os
import random
from collections.abc import Mapping
from pathlib import Path

from gtui.sim.ids import ARCHIVE_ID, GUEST_ID, LAPTOP_ID, SCRATCH_ID

DATA_VERSION = "2"
MARKER_NAME = ".demo-data-complete"
DEEP_TREE_DEPTH = 10
MIB = 1024 * 1024
GIB = 1024 * MIB
INSIDE_LINK_NAME = "latest-results"
# On the laptop collection, outside /home/demo/: what the service's defences are tested with.
FIXTURES_PATH = "/srv/test-fixtures/"
UNREADABLE_NAME = "private.key"
OUTSIDE_LINK_NAME = "system-passwd"
# The survey on the laptop that a throttled demo transfer takes minutes to copy.
LARGE_DATASET_PATH = "/home/demo/datasets/sky-survey-2026/"
LARGE_DATASET_NAME = "sky_survey_2026.fits"
LARGE_DATASET_BYTES = 3 * GIB
LARGE_DATASET_SEED = 2026

PROJECT_README = """# {title}

Demo project of the gtui demo world. Data were generated for illustration.
Contact: demo@gtui.example
"""

PY_SOURCE = '''"""{name}: part of the {project} pipeline."""


def run(values):
    return sum(v * v for v in values) / max(len(values), 1)
'''

DATASETS_README = """# Datasets

| folder | what | size |
| --- | --- | --- |
| weather-stations/ | hourly readings of 12 stations, one CSV each | a few KB each |
| air-quality-2025.csv | daily particulate matter, 40 sites | ~450 KB |
| microscopy/ | confocal image stacks of three plates | 6-18 MB each |
| sequencing/ | paired-end reads of sample A | ~30 MB each |
| sky-survey-2026/ | the full survey catalogue and images | 3 GB |

All data were generated for the gtui demo.
"""

SURVEY_README = """# Sky survey 2026

One FITS file with the survey's images and catalogue (3 GB). Copying it with `gtui --demo`
(throttled to 4 MB/s) takes about thirteen minutes: long enough to watch the task queue.
"""


def populate(root: Path, collection_roots: Mapping[str, Path]) -> None:
    """Write the sample data under the collections' folders unless already there.

    ``root`` is the world's root (where the completion marker lives); ``collection_roots``
    maps each collection id to its folder.
    """
    marker = root / MARKER_NAME
    if marker.exists() and marker.read_text(encoding="utf-8").strip() == DATA_VERSION:
        return
    rng = random.Random(20261122)
    laptop = collection_roots[LAPTOP_ID]
    _retire_version_1(laptop / "home" / "demo")
    _laptop(laptop / "home" / "demo", rng)
    _fixtures(laptop / FIXTURES_PATH.strip("/"))
    _scratch(collection_roots[SCRATCH_ID] / "home" / "demo", rng)
    _archive(collection_roots[ARCHIVE_ID] / "home" / "demo", rng)
    _shared(collection_roots[GUEST_ID], rng)
    marker.write_text(DATA_VERSION + "\n", encoding="utf-8")


def write_large_file(path: Path, size: int, rng: random.Random) -> None:
    """A large sparse file: random first and last MiB, a hole in between (cheap to create,
    full-size to read and to copy, so throttled demo transfers show progress)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.write(rng.randbytes(MIB))
        handle.seek(size - MIB)
        handle.write(rng.randbytes(MIB))


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


def _air_quality(rng: random.Random, sites: int, days: int) -> str:
    lines = ["date,site,pm25,pm10,no2"]
    for day in range(days):
        date = f"2025-{1 + day // 28:02d}-{1 + day % 28:02d}"
        for site in range(sites):
            pm25, pm10, no2 = rng.gammavariate(2, 6), rng.gammavariate(2, 10), rng.gauss(20, 6)
            lines.append(f"{date},site_{site:02d},{pm25:.1f},{pm10:.1f},{no2:.1f}")
    return "\n".join(lines) + "\n"


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


def _datasets(base: Path, rng: random.Random) -> None:
    _write(base / "README.md", DATASETS_README)
    for station in range(1, 13):
        _write(base / "weather-stations" / f"station_{station:02d}.csv", _csv(rng, 40 * station))
    _write(base / "air-quality-2025.csv", _air_quality(rng, sites=40, days=336))
    for plate, size in ((1, 12 * MIB), (2, 18 * MIB), (3, 6 * MIB)):
        write_large_file(base / "microscopy" / f"plate_{plate:02d}.tif", size, rng)
    for read in (1, 2):
        write_large_file(base / "sequencing" / f"sample_A_R{read}.fastq.gz", 30 * MIB, rng)
    _write(base / "sky-survey-2026" / "README.md", SURVEY_README)


def _laptop(home: Path, rng: random.Random) -> None:
    _project(home / "projects" / "climate-model", "Climate model", rng, 6)
    _project(home / "projects" / "genome assembly", "Genome assembly", rng, 4)
    write_large_file(home / "projects" / "climate-model" / "output" / "run_001.nc", 24 * MIB, rng)
    # Their own dice, so that the files of the first version keep their content.
    more = random.Random(DATA_VERSION)
    _project(home / "projects" / "air-quality-study", "Air quality study", more, 3)
    _datasets(home / "datasets", more)
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


def _fixtures(folder: Path) -> None:
    """A symlink leading out of the collection and a file nobody may read."""
    folder.mkdir(parents=True, exist_ok=True)
    outside = folder / OUTSIDE_LINK_NAME
    if not outside.is_symlink():
        outside.symlink_to("/etc/passwd")
    secret = folder / UNREADABLE_NAME
    if secret.exists():
        os.chmod(secret, 0o600)
    _write(secret, "-----BEGIN DEMO KEY-----\nnot a real key\n-----END DEMO KEY-----\n")
    os.chmod(secret, 0)


def _retire_version_1(home: Path) -> None:
    """Version 1 kept the test fixtures in the home itself; they move to ``FIXTURES_PATH``."""
    outside = home / OUTSIDE_LINK_NAME
    if outside.is_symlink() and os.readlink(outside) == "/etc/passwd":
        outside.unlink()
    secret = home / UNREADABLE_NAME
    if secret.is_file() and not secret.is_symlink():
        os.chmod(secret, 0o600)
        secret.unlink()


def _scratch(home: Path, rng: random.Random) -> None:
    for run in range(1, 6):
        base = home / "simulations" / f"run_{run:03d}"
        _write(base / "params.json", f'{{"run": {run}, "steps": {run * 1000}}}\n')
        _write(base / "output.dat", _random_bytes(rng, 100_000 * run))
        _write(base / "log.txt", "".join(f"step {s} ok\n" for s in range(0, run * 200, 10)))
    write_large_file(home / "datasets" / "ocean_temperature_2025.h5", 40 * MIB, rng)
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

"""Source trees written to a collection's folder, and digests to compare copies with."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path


def write_tree(base: Path, *, folders: int, files: int, seed: int) -> list[str]:
    """``folders`` nested folders and ``files`` loose files of random bytes; returns the names."""
    rng = random.Random(seed)
    names = []
    for i in range(folders):
        folder = base / f"folder {i:02d}"
        for j in range(3):
            _write(folder / f"part-{j}.bin", rng.randbytes(rng.randint(1, 40_000)))
        _write(folder / "nested" / "deeper" / "notes é.txt", f"folder {i}\n".encode())
        (folder / "empty").mkdir(parents=True, exist_ok=True)
        names.append(folder.name)
    for i in range(folders, folders + files):
        path = base / f"file-{i:02d}.dat"
        _write(path, rng.randbytes(rng.randint(0, 60_000)))
        names.append(path.name)
    return names


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def tree_digest(path: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file (and "<dir>" for every folder) under ``path``."""
    if path.is_file():
        return {".": hashlib.sha256(path.read_bytes()).hexdigest()}
    found = {}
    for item in sorted(path.rglob("*")):
        rel = str(item.relative_to(path))
        found[rel] = "<dir>" if item.is_dir() else hashlib.sha256(item.read_bytes()).hexdigest()
    return found

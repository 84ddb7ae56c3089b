"""Versioned model artifacts under ``models/``: one folder per version with the fitted
bundle (joblib) and a JSON manifest; a pointer file names the active version.

Loading checks the manifest's sha256 and library versions before unpickling anything,
so the store never unpickles a file it did not write or one that was changed since.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import joblib

from matcher.errors import ModelError, NotFoundError

ARTIFACT = "model.joblib"
MANIFEST = "manifest.json"
ACTIVE = "ACTIVE"
LIBRARIES = (
    "school-partner-matcher",
    "scikit-learn",
    "numpy",
    "scipy",
    "pandas",
    "joblib",
    "numba",
)


def library_versions() -> dict[str, str]:
    return {lib: metadata.version(lib) for lib in LIBRARIES}


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


class ModelStore:
    """Model versions in one folder.

    Parameters
    ----------
    root : Path
        The models folder (created on first save).
    keep : int
        How many versions to keep; older inactive ones are deleted after a save.
    """

    def __init__(self, root: Path, keep: int = 10) -> None:
        self.root = Path(root)
        self.keep = keep

    def save(self, bundle: Any, manifest: dict[str, Any], activate: bool = True) -> str:
        """Write a new version; returns its name. Written to a temporary folder first, so
        a crash never leaves a half-written version that looks complete."""
        self.root.mkdir(parents=True, exist_ok=True)
        now = datetime.now(UTC)
        version = now.strftime("v%Y%m%d-%H%M%S-%f")[:-3]
        tmp = Path(tempfile.mkdtemp(dir=self.root, prefix=".tmp-"))
        try:
            joblib.dump(bundle, tmp / ARTIFACT, compress=3)
            full = {
                **manifest,
                "version": version,
                "created_at": now.isoformat(timespec="seconds"),
                "libraries": library_versions(),
                "artifact": ARTIFACT,
                "sha256": sha256_file(tmp / ARTIFACT),
            }
            (tmp / MANIFEST).write_text(json.dumps(full, indent=2, default=str), "utf-8")
            os.replace(tmp, self.root / version)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        if activate:
            self.activate(version)
        self.prune()
        return version

    def versions(self) -> list[dict[str, Any]]:
        """Manifests of every stored version, oldest first, with an ``active`` flag."""
        if not self.root.is_dir():
            return []
        active = self.active_version()
        out = []
        for d in sorted(self.root.iterdir()):
            if d.is_dir() and not d.name.startswith(".") and (d / MANIFEST).is_file():
                try:
                    m = json.loads((d / MANIFEST).read_text("utf-8"))
                except ValueError:
                    continue
                m["active"] = d.name == active
                out.append(m)
        return out

    def manifest(self, version: str) -> dict[str, Any]:
        path = self.root / version / MANIFEST
        if not path.is_file() or "/" in version or version.startswith("."):
            raise NotFoundError(f"no model version {version!r} in {self.root}")
        try:
            return dict(json.loads(path.read_text("utf-8")))
        except ValueError:
            raise ModelError(f"manifest of model {version} is damaged; retrain") from None

    def active_version(self) -> str | None:
        p = self.root / ACTIVE
        if not p.is_file():
            return None
        v = p.read_text("utf-8").strip()
        return v or None

    def activate(self, version: str) -> None:
        """Make ``version`` the active model (an atomic pointer switch)."""
        self.manifest(version)
        _atomic_write(self.root / ACTIVE, version + "\n")

    def load(self, version: str | None = None) -> tuple[str, Any, dict[str, Any]]:
        """Check and unpickle a version (default: the active one).

        Raises
        ------
        ModelError
            No model yet, hash mismatch (tampered or damaged), or library versions that
            differ from the ones it was written with.
        """
        version = version or self.active_version()
        if version is None:
            raise ModelError(f"no trained model in {self.root}; run `matcher train` first")
        man = self.manifest(version)
        path = self.root / version / man.get("artifact", ARTIFACT)
        if not path.is_file():
            raise ModelError(f"model {version}: artifact missing; retrain with `matcher train`")
        if sha256_file(path) != man.get("sha256"):
            raise ModelError(
                f"model {version}: artifact sha256 does not match its manifest (changed or "
                "damaged); refusing to load it — retrain or activate another version"
            )
        have = library_versions()
        diff = {
            k: (v, have.get(k)) for k, v in man.get("libraries", {}).items() if have.get(k) != v
        }
        if diff:
            what = ", ".join(f"{k} {a} (installed {b})" for k, (a, b) in diff.items())
            raise ModelError(
                f"model {version} was written with {what}; retrain with `matcher train` "
                "or install the versions it names"
            )
        return version, joblib.load(path), man

    def prune(self) -> list[str]:
        """Delete the oldest inactive versions beyond ``keep``; returns what was removed."""
        versions = [m["version"] for m in self.versions()]
        active = self.active_version()
        extra = len(versions) - max(self.keep, 1)
        removed = []
        for v in versions:
            if extra <= 0:
                break
            if v != active:
                shutil.rmtree(self.root / v, ignore_errors=True)
                removed.append(v)
                extra -= 1
        return removed

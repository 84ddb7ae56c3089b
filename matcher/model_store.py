"""Versioned model artifacts under ``models/``: one folder per version with the fitted
bundle (joblib) and a signed JSON manifest; a pointer file names the active version.

Anyone who can write to ``models/`` could plant a pickle and recompute its sha256, so the
manifest is signed: an HMAC-SHA256 over its canonical JSON with a key kept outside
``models/`` (:func:`model_key`). Loading checks, in order and before unpickling anything:
every field present, the signature, a plain artifact file name, the artifact's sha256,
and the library versions. So the store only unpickles what a holder of the key wrote.

(skops' trusted-type loading was considered: it restricts which types a file may build,
but our bundle is mostly our own classes, which would all have to be declared trusted,
and it cannot tell who wrote a file. The signature answers that question, with the
standard library only.)
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
import secrets
import shutil
import tempfile
from collections.abc import Mapping
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import joblib

from matcher.errors import ModelError, NotFoundError

ARTIFACT = "model.joblib"
MANIFEST = "manifest.json"
ACTIVE = "ACTIVE"
TMP_PREFIX = ".tmp-"
LOCK = ".lock"
SIGNATURE = "signature"
# Every field a manifest must carry; the signature covers all of them.
REQUIRED = (
    "version",
    "created_at",
    "libraries",
    "artifact",
    "sha256",
    "parameters",
    "data",
    "metrics",
    SIGNATURE,
)
RETRAIN = "retrain with `matcher train`"
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
    """Versions a model depends on: the libraries, and this engine's own (a model
    pickled by another version of the engine may not fit its classes)."""
    from matcher import __version__

    return {"matcher": __version__} | {lib: metadata.version(lib) for lib in LIBRARIES}


def model_key_path(environ: Mapping[str, str] | None = None) -> Path:
    """Where the signing key lives when ``MATCHER_MODEL_KEY`` is not set:
    ``MATCHER_MODEL_KEY_FILE``, else ``$XDG_CONFIG_HOME/matcher/model.key`` (default
    ``~/.config/matcher/model.key``) — a per-user place, never inside ``models/``."""
    env = os.environ if environ is None else environ
    if given := env.get("MATCHER_MODEL_KEY_FILE", "").strip():
        return Path(given).expanduser()
    base = env.get("XDG_CONFIG_HOME", "").strip() or str(Path("~/.config").expanduser())
    return Path(base) / "matcher" / "model.key"


def model_key(environ: Mapping[str, str] | None = None) -> bytes:
    """The key that signs and checks manifests: ``MATCHER_MODEL_KEY`` (the key itself),
    else the key file of :func:`model_key_path`, created with mode 0600 on first use."""
    env = os.environ if environ is None else environ
    if given := env.get("MATCHER_MODEL_KEY", "").strip():
        return given.encode("utf-8")
    path = model_key_path(env)
    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(secrets.token_hex(32) + "\n")
        key = path.read_text("utf-8").strip()
    except FileExistsError:  # another process created it just now
        key = path.read_text("utf-8").strip()
    except OSError as exc:
        raise ModelError(
            f"cannot read or create the model signing key {path} ({exc.strerror or exc}); "
            "set MATCHER_MODEL_KEY or MATCHER_MODEL_KEY_FILE"
        ) from None
    if not key:
        raise ModelError(f"the model signing key file {path} is empty; delete it or fill it")
    return key.encode("utf-8")


def canonical(manifest: dict[str, Any]) -> bytes:
    """The bytes a signature covers: the manifest without its signature, as sorted,
    compact JSON (stable across writing and reading)."""
    body = {k: v for k, v in manifest.items() if k != SIGNATURE}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign(manifest: dict[str, Any], key: bytes) -> str:
    return "hmac-sha256:" + hmac.new(key, canonical(manifest), hashlib.sha256).hexdigest()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _in_use(tmp: Path) -> bool:
    """Whether a running save still holds the lock of this temporary folder."""
    try:
        fh = (tmp / LOCK).open("r")
    except OSError:
        return False
    with fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        return False


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

    key : bytes, optional
        The signing key; default :func:`model_key`, read when first needed.
    """

    def __init__(self, root: Path, keep: int = 10, key: bytes | None = None) -> None:
        self.root = Path(root)
        self.keep = keep
        self._key = key

    @property
    def key(self) -> bytes:
        if self._key is None:
            self._key = model_key()
        return self._key

    def save(self, bundle: Any, manifest: dict[str, Any], activate: bool = True) -> str:
        """Write a new version; returns its name. Written to a temporary folder first, so
        a crash never leaves a half-written version that looks complete."""
        self.root.mkdir(parents=True, exist_ok=True)
        key = self.key  # before any work: a missing key fails the save at once
        self.clean_leftovers()
        now = datetime.now(UTC)
        version = now.strftime("v%Y%m%d-%H%M%S-%f")[:-3]
        tmp = Path(tempfile.mkdtemp(dir=self.root, prefix=TMP_PREFIX))
        # held while writing, so a concurrent save's cleaning leaves this folder alone
        lock = (tmp / LOCK).open("w")
        fcntl.flock(lock, fcntl.LOCK_EX)
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
            full = json.loads(json.dumps(full, default=str))  # signed as it will be read
            full[SIGNATURE] = sign(full, key)
            (tmp / MANIFEST).write_text(json.dumps(full, indent=2), "utf-8")
            os.replace(tmp, self.root / version)
            (self.root / version / LOCK).unlink()
        finally:
            lock.close()
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        if activate:
            self.activate(version)
        self.prune()
        return version

    def clean_leftovers(self) -> list[str]:
        """Delete the temporary folders of saves that never finished (a killed
        ``matcher train``); returns their names. Run before each save."""
        removed = []
        if self.root.is_dir():
            for d in self.root.iterdir():
                if d.name.startswith(TMP_PREFIX) and d.is_dir() and not _in_use(d):
                    shutil.rmtree(d, ignore_errors=True)
                    removed.append(d.name)
        return sorted(removed)

    def versions(self) -> list[dict[str, Any]]:
        """Every stored version, oldest first, each with ``active`` and ``state``:
        ``"ok"``, or ``"refused"`` with the ``reason`` (unsigned, mis-signed, damaged or
        incomplete manifest) — broken versions are shown, not hidden. Unfinished saves
        (``.tmp-*``) are listed with state ``"incomplete"``."""
        if not self.root.is_dir():
            return []
        active = self.active_version()
        out = []
        for d in sorted(self.root.iterdir()):
            if not d.is_dir():
                continue
            if d.name.startswith(TMP_PREFIX):
                out.append(
                    {
                        "version": d.name,
                        "active": False,
                        "state": "incomplete",
                        "reason": "an unfinished save; removed by the next `matcher train`",
                    }
                )
                continue
            if d.name.startswith("."):
                continue
            try:
                m = self.manifest(d.name)
            except ModelError as exc:
                m = {"version": d.name, "state": "refused", "reason": str(exc)}
            else:
                m["state"] = "ok"
            m["active"] = d.name == active
            out.append(m)
        return out

    def _path(self, version: str) -> Path:
        if not version or "/" in version or "\\" in version or version.startswith("."):
            raise NotFoundError(f"no model version {version!r}")
        path = self.root / version / MANIFEST
        if not path.is_file():
            raise NotFoundError(f"no model version {version!r} in {self.root.name}/")
        return path

    def manifest(self, version: str) -> dict[str, Any]:
        """The manifest of ``version`` if it is complete and signed with our key.

        Raises
        ------
        NotFoundError
            No such version.
        ModelError
            Damaged, incomplete, unsigned or mis-signed (one line naming the reason).
        """
        path = self._path(version)
        try:
            man = json.loads(path.read_text("utf-8"))
        except (ValueError, OSError):
            raise ModelError(f"model {version}: manifest is damaged; {RETRAIN}") from None
        if not isinstance(man, dict):
            raise ModelError(f"model {version}: manifest is not a JSON object; {RETRAIN}")
        if SIGNATURE not in man:
            raise ModelError(
                f"model {version} is not signed (written before model signing, or not by "
                f"this installation); {RETRAIN}"
            )
        given = man[SIGNATURE]
        if not isinstance(given, str) or not hmac.compare_digest(given, sign(man, self.key)):
            raise ModelError(
                f"model {version}: manifest signature does not match (edited, or signed with "
                f"another key); refusing it — {RETRAIN} or set the key it was signed with"
            )
        if missing := [f for f in REQUIRED if f not in man]:
            raise ModelError(f"model {version}: manifest lacks {', '.join(missing)}; {RETRAIN}")
        if man["version"] != version:
            raise ModelError(f"model {version}: manifest names version {man['version']!r}")
        art = man["artifact"]
        if not isinstance(art, str) or Path(art).name != art or art in ("", ".", ".."):
            raise ModelError(f"model {version}: artifact must be a plain file name")
        libs = man["libraries"]
        if not isinstance(libs, dict) or any(lib not in libs for lib in LIBRARIES):
            raise ModelError(f"model {version}: manifest lacks library versions; {RETRAIN}")
        return dict(man)

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
            No model yet, a manifest that fails :meth:`manifest`, hash mismatch
            (tampered or damaged), or library versions that differ from the ones it was
            written with.
        """
        version = version or self.active_version()
        if version is None:
            raise ModelError(f"no trained model in {self.root.name}/; run `matcher train` first")
        man = self.check(version)
        return version, joblib.load(self.root / version / man["artifact"]), man

    def check(self, version: str) -> dict[str, Any]:
        """Every check :meth:`load` makes, without unpickling; returns the manifest."""
        man = self.manifest(version)
        path = self.root / version / man["artifact"]
        if not path.is_file():
            raise ModelError(f"model {version}: artifact missing; {RETRAIN}")
        if sha256_file(path) != man["sha256"]:
            raise ModelError(
                f"model {version}: artifact sha256 does not match its manifest (changed or "
                "damaged); refusing to load it — retrain or activate another version"
            )
        have = library_versions()
        wrote = {"matcher": "before 0.4.0"} | man["libraries"]
        diff = {k: (v, have.get(k)) for k, v in wrote.items() if have.get(k) != v}
        if diff:
            what = ", ".join(f"{k} {a} (installed {b})" for k, (a, b) in diff.items())
            raise ModelError(
                f"model {version} was written with {what}; retrain with `matcher train` "
                "or install the versions it names"
            )
        return man

    def prune(self) -> list[str]:
        """Delete the oldest inactive versions beyond ``keep``; returns what was removed."""
        versions = [m["version"] for m in self.versions() if m["state"] != "incomplete"]
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

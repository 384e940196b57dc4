"""A file into the pipeline, for every dataset: pre-flight, then read and validate in the sandbox.

`read()` takes an upload's bytes or a file on disk, checks the package before any parser
(preflight.py), parses and validates it in the sandboxed child process (sandbox.py, read.parse),
and computes its SHA-256; the caller's `meanwhile` (the database reads its next step wants)
runs while the child parses. What comes next differs by dataset: the records' plan and batch
(service.py), the accounts' checks and creation (accounts.py).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from . import datasets as D, gcpause, preflight, sandbox
from .problems import Refused
from .read import Parsed


@dataclass
class Intake:
    dataset: str
    filename: str
    sha256: str
    parsed: Parsed
    # The upload's bytes, kept for its annotated report; a file on disk is read again when needed.
    source: bytes = field(repr=False, default=b"")
    source_path: str | None = None

    @property
    def errors(self) -> list:
        return self.parsed.errors


def read(source: bytes | str | Path, filename: str, dataset: str,
         meanwhile: Callable[[preflight.Package], Any] | None = None) -> tuple[Intake, Any]:
    """The file read and validated, and what `meanwhile(package)` returned (None without one).

    Raises `Refused` for a file refused as a whole (hostile, broken, no header...).
    """
    D.get(dataset)
    limits = preflight.limits()
    if isinstance(source, (str, Path)):
        path = Path(source)
        if path.stat().st_size > limits["max_bytes"]:
            raise Refused("too_big", size_mb=round(path.stat().st_size / 1048576, 1),
                          max_mb=limits["max_bytes"] // 1048576)
        parsed, digest, extra = _read(path, filename, dataset, limits, meanwhile)
        return Intake(dataset, filename, digest, parsed, source_path=str(path)), extra
    data = bytes(source)
    suffix = Path(filename).suffix.lower()[:8] or ".bin"
    fd, tmp = tempfile.mkstemp(prefix="ipoverseas-upload-", suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        parsed, digest, extra = _read(Path(tmp), filename, dataset, limits, meanwhile)
    finally:
        os.unlink(tmp)
    return Intake(dataset, filename, digest, parsed, data), extra


def _read(path: Path, filename: str, dataset: str, limits: dict[str, int],
          meanwhile: Callable[[preflight.Package], Any] | None) -> tuple[Parsed, str, Any]:
    """Pre-flight, then parse and validate in the sandboxed child; the file's SHA-256 and
    `meanwhile` meanwhile.

    The package is checked first, with each sheet's declared range. When every sheet
    declares one, the scan of the cells (a second or so on a big file) runs here while
    the child parses, and a refusal by it wins: a range that lied is refused with its own
    message even when the reader crashed on it. Without a declared range the scan comes
    first. The child cannot know the error cells and formulas without a value the scan
    finds: a file that has some is parsed a second time with them (such a file is refused
    or fixed anyway).
    """
    target = "ipoverseas.imports.read.parse"
    preload = ("ipoverseas.imports.read", "python_calamine")
    child = sandbox.Child(preload=preload)
    try:
        package = preflight.check_package(path, filename)
        overlap = preflight.declared(package)
        if overlap:
            child.send(target, str(path), filename, dataset, package, limits)
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        preflight.check_cells(path, package)
        if overlap and preflight.broken_cells(package):
            child.kill()
            child.close()
            child = sandbox.Child(preload=preload)
            overlap = False
        if not overlap:
            child.send(target, str(path), filename, dataset, package, limits)
        with gcpause.paused():
            extra = meanwhile(package) if meanwhile is not None else None
            parsed = child.receive()
    except BaseException:
        child.kill()   # refused, or failed here: the child's result is not wanted
        raise
    finally:
        child.close()
    return parsed, digest.hexdigest(), extra

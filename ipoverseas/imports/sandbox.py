"""Run a parser in a child process with a memory limit and a timeout.

Native readers can abort the whole process (SIGABRT) or allocate gigabytes on a
hostile file (UPLOAD_SAFETY.md). The child is a fresh interpreter
(`python -m ipoverseas.imports.sandbox`: no copy of the server's threads,
sockets or `__main__`), limits its own address space, and sends back a pickled
result or exception; a crash, a MemoryError or a timeout in it becomes a
`Refused` in the parent, which keeps serving.

(multiprocessing's spawn context would re-run the parent's `__main__`, which
under Streamlit is the app script itself; a plain subprocess avoids that.)

The child dies with its parent within a second (a killed server must not leave a reader
parsing for nobody): on Linux the kernel kills it (prctl PR_SET_PDEATHSIG), and a watchdog
thread that sees the parent gone ends it too (other systems, or a prctl refused).
PR_SET_PDEATHSIG fires when the parent's *thread* that started the child ends; a Child is
started and awaited in one thread (intake.read), so that thread outlives it.
"""

from __future__ import annotations

import ctypes
import importlib
import logging
import os
import pickle
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from .problems import UploadRefusal, Refused

log = logging.getLogger(__name__)

MEMORY_LIMIT_MB = 3072
TOO_COMPLEX_EXIT = 3   # the child's exit code when pickling its result ran out of memory
TIMEOUT_S = 300
_ROOT = str(Path(__file__).resolve().parents[2])

_peak_child_kb = 0

PARENT_ENV = "IPOVERSEAS_SANDBOX_PARENT"
PR_SET_PDEATHSIG = 1
WATCH_EVERY_S = 0.25


def die_with_parent(parent: int, *, kernel: bool = True) -> None:
    """End this process when `parent` ends: the kernel's signal (Linux), and a watchdog thread."""
    if kernel and sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
                log.warning("prctl(PR_SET_PDEATHSIG) refused: errno %s", ctypes.get_errno())
        except (OSError, AttributeError):
            log.warning("prctl is not available: the watchdog alone ends the reader", exc_info=True)
    if os.getppid() != parent:   # the parent died before the signal was armed
        os._exit(1)
    threading.Thread(target=_watch, args=(parent,), name="parent-watchdog", daemon=True).start()


def _watch(parent: int) -> None:
    """The fallback: a child whose parent died is adopted by another process (its ppid changes)."""
    while os.getppid() == parent:
        time.sleep(WATCH_EVERY_S)
    os._exit(1)


def _child_main() -> None:
    if os.environ.get(PARENT_ENV, "").isdigit():
        die_with_parent(int(os.environ[PARENT_ENV]))
    for module in sys.argv[1:]:  # imported while the parent still checks the file
        try:
            importlib.import_module(module)
        except Exception:
            pass
    try:
        target, args, kwargs, memory_mb = pickle.load(sys.stdin.buffer)
    except EOFError:  # the parent refused the file before calling: nothing to do
        return
    limit = memory_mb * 1024 * 1024
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):  # pragma: no cover - platform without the limit
        pass
    try:
        module, name = target.rsplit(".", 1)
        message = ("ok", getattr(importlib.import_module(module), name)(*args, **kwargs))
    except UploadRefusal as exc:
        message = ("refused", exc)
    except MemoryError:
        message = ("refused", Refused("too_complex"))
    except BaseException as exc:  # anything else: a message, never a traceback to the user
        print(f"reader failed: {exc!r}", file=sys.stderr)
        message = ("refused", Refused("unreadable", detail=type(exc).__name__))
    try:
        # Straight into the pipe: the parent unpickles as this pickles, the two side by side
        # (a 100,000-row result is 41 MB: 0.4 s to pickle, 0.2 s to unpickle).
        pickle.dump(message, sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)
        sys.stdout.buffer.flush()
    except MemoryError:
        os._exit(TOO_COMPLEX_EXIT)   # part of the result may be out: the exit code says why


class Child:
    """A reader process started ahead of the call, so its start-up overlaps the pre-flight check."""

    def __init__(self, preload: tuple[str, ...] = ()):
        env = dict(os.environ)
        env["PYTHONPATH"] = _ROOT + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        env[PARENT_ENV] = str(os.getpid())
        # stderr into a file, never a pipe: the result is read as it comes, and a child that
        # filled a pipe nobody reads yet would wait for ever.
        self.err = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([sys.executable, "-m", "ipoverseas.imports.sandbox", *preload],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.err,
                                     env=env, cwd=_ROOT, close_fds=True)

    def call(self, target: str, *args: Any, memory_mb: int = MEMORY_LIMIT_MB, timeout: float = TIMEOUT_S,
             **kwargs: Any) -> Any:
        self.send(target, *args, memory_mb=memory_mb, **kwargs)
        return self.receive(timeout)

    def send(self, target: str, *args: Any, memory_mb: int = MEMORY_LIMIT_MB, **kwargs: Any) -> None:
        """Start `module.function(*args, **kwargs)` in the child; receive() waits for its result."""
        request = pickle.dumps((target, args, kwargs, memory_mb), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            # Not closed here: receive() closes it (the child reads one request to its end).
            self.proc.stdin.write(request)
            self.proc.stdin.flush()
        except OSError:  # the child is already gone: receive() says so
            pass

    def receive(self, timeout: float = TIMEOUT_S) -> Any:
        """The child's result, unpickled as it arrives; after `timeout` seconds the child is killed."""
        proc = self.proc
        expired = threading.Event()

        def expire() -> None:
            expired.set()
            proc.kill()

        timer = threading.Timer(timeout, expire)
        timer.daemon = True
        timer.start()
        try:
            try:
                proc.stdin.close()   # the request is sent: the child reads to its end
            except OSError:
                pass
            try:
                status, payload = pickle.load(proc.stdout)
            except Exception:   # nothing, or a cut result: the child died (its exit code says how)
                status, payload = None, None
                if proc.poll() is None:   # or this side failed mid-way: a child left writing would wait
                    proc.kill()
            proc.wait()
        finally:
            timer.cancel()
            _record_peak()
        if status is None and expired.is_set():
            log.warning("reader timed out after %ss", timeout)
            raise Refused("timeout", seconds=int(timeout))
        size = self.err.seek(0, os.SEEK_END)
        self.err.seek(max(0, size - 8192))   # its last words are enough for the log
        err = self.err.read()
        if err:
            log.warning("reader said: %s", err.decode("utf-8", "replace")[-2000:])
        if status is None:
            log.warning("reader process died (exit code %s)", proc.returncode)
            raise Refused("too_complex" if proc.returncode == TOO_COMPLEX_EXIT else "crashed")
        if status == "ok":
            return payload
        raise payload

    def kill(self) -> None:
        """Stop the child whatever it is doing (its result is no longer wanted)."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()

    def close(self) -> None:
        """End the child if it was never called (the file was refused first); close its pipes."""
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout, self.err):
            if stream and not stream.closed:
                try:
                    stream.close()
                except OSError:   # stdin of a child that is gone: nothing to flush
                    pass


def run(target: str, *args: Any, memory_mb: int = MEMORY_LIMIT_MB, timeout: float = TIMEOUT_S, **kwargs: Any) -> Any:
    """Call `module.function(*args, **kwargs)` in a child process and return its result."""
    child = Child()
    try:
        return child.call(target, *args, memory_mb=memory_mb, timeout=timeout, **kwargs)
    finally:
        child.close()


def _record_peak() -> None:
    global _peak_child_kb
    _peak_child_kb = max(_peak_child_kb, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)


def peak_child_mb() -> float:
    """The largest resident size any reader child reached, in MB (for the benchmark)."""
    _record_peak()
    return _peak_child_kb / 1024


if __name__ == "__main__":
    _child_main()

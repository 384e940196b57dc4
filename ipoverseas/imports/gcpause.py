"""Pause Python's cyclic garbage collector while an import makes and drops millions of tuples.

An upload's rows hold no reference cycles, so reference counting frees them; the cyclic
collector would only walk the growing heap again and again (about 5% of an import's
CPU). Process-wide, so nested and concurrent pauses are counted: the collector is back
on when the last one ends, if it was on before the first.
"""

from __future__ import annotations

import gc
import threading
from contextlib import contextmanager
from typing import Iterator

_lock = threading.Lock()
_depth = 0
_was_enabled = True


@contextmanager
def paused() -> Iterator[None]:
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()

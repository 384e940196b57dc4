"""The sandboxed reader dies with its parent within a second (the server killed mid-read)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# The parent: starts a reader busy for a minute, says its pid, and waits for it.
_PARENT = {
    "kernel": """
from ipoverseas.imports import sandbox
child = sandbox.Child()
child.send("time.sleep", 60)
print(child.proc.pid, flush=True)
child.receive(120)
""",
    # The fallback alone (no prctl): the watchdog thread sees the parent gone.
    "watchdog": """
import os, subprocess, sys
code = ("import os, sys, time; from ipoverseas.imports import sandbox; "
        "sandbox.die_with_parent(int(sys.argv[1]), kernel=False); print('armed', flush=True); time.sleep(60)")
child = subprocess.Popen([sys.executable, "-c", code, str(os.getpid())], stdout=subprocess.PIPE, text=True)
assert child.stdout.readline().strip() == "armed"
print(child.pid, flush=True)
child.wait()
""",
}


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] not in "ZX"   # a zombie has ended; only its entry waits


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("mode", ["kernel", "watchdog"])
def test_the_reader_dies_within_a_second_of_its_parent(mode):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    parent = subprocess.Popen([sys.executable, "-c", _PARENT[mode]], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, text=True)
    try:
        child = int(parent.stdout.readline())
        time.sleep(0.5)   # the reader is at work (sleeping in its target)
        assert _alive(child)
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        killed = time.monotonic()
        while _alive(child) and time.monotonic() - killed < 5:
            time.sleep(0.02)
        lived = time.monotonic() - killed
    finally:
        parent.kill()
        parent.stdout.close()
    if _alive(child):   # do not leave it behind whatever the verdict
        os.kill(child, signal.SIGKILL)
    print(f"sandbox.{mode}_outlived_parent_s={lived:.2f}")
    assert lived < 1.0, f"the reader outlived its parent by {lived:.2f} s"

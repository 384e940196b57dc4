"""Run the app as N processes behind nginx (tests/load/nginx.conf), and Locust against it.

    with cluster(database_url, procs, folder) as c:     # c.base: nginx's address; c.pids: the app's
        result = run_locust(c.base, folder, steps=[5, 10], step_seconds=60)
        rss = c.rss_mb()

`run_locust` runs Locust headless in a child process under `nice -n 19` (and `taskset` on the
CPUs given, when asked), so the app keeps its priority on the shared cores; it returns the
steps' figures and the share of the machine the generator took (its CPU seconds over wall
seconds times the number of CPUs).
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NGINX_TEMPLATE = Path(__file__).with_name("nginx.conf")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, proc: subprocess.Popen | None, log: Path | None, seconds: float = 90) -> None:
    deadline = time.time() + seconds
    while True:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).status == 200:
                return
        except OSError:
            pass
        if (proc is not None and proc.poll() is not None) or time.time() > deadline:
            raise RuntimeError(f"{url} did not start:\n" + (log.read_text(errors="replace")[-3000:] if log else ""))
        time.sleep(0.3)


def processes_cpu_seconds(name: str) -> float:
    """CPU seconds used so far by every process called `name` on this machine (the database server's
    `postgres` processes, say), and by their finished children (a closed connection's backend is
    counted in the postmaster's, which reaped it)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            head, tail = stat.read_text().rsplit(")", 1)
        except OSError:   # gone meanwhile
            continue
        if head.split("(", 1)[1] == name:
            fields = tail.split()
            total += sum(int(v) for v in fields[11:15])   # utime, stime, cutime, cstime
    return total / ticks


@dataclass
class Cluster:
    base: str
    procs: list[subprocess.Popen]
    folder: Path
    ports: list[int]

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.procs]

    def rss_mb(self, field: str = "VmRSS") -> float:
        """The app processes' memory (VmRSS now, or VmHWM: the peak), in MB, summed."""
        total = 0
        for pid in self.pids:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith(field + ":"):
                    total += int(line.split()[1])
        return total / 1024

    def cpu_seconds(self) -> float:
        """CPU seconds (user + system) the app processes have used so far, summed."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in self.pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])     # utime, stime (fields 14 and 15 of stat)
        return total / ticks

    def sessions_per_process(self) -> list[int]:
        """How many WebSocket sessions nginx sent to each app process (from its access log)."""
        lines = (self.folder / "access.log").read_text().splitlines() if (self.folder / "access.log").exists() else []
        counts = {}
        for line in lines:
            upstream, _, uri, *_ = line.split(" ")
            if uri.endswith("/_stcore/stream"):
                counts[upstream] = counts.get(upstream, 0) + 1
        return [counts.get(f"127.0.0.1:{port}", 0) for port in self.ports]


@contextmanager
def cluster(database_url: str, procs: int, folder: Path, env: dict | None = None):
    """`procs` Streamlit processes of app.py on `database_url`, behind nginx; stopped at the end."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    folder.mkdir(parents=True, exist_ok=True)
    started: list[subprocess.Popen] = []
    logs = []
    ports = [free_port() for _ in range(procs)]
    environment = {**os.environ, "IPOVERSEAS_DATABASE_URL": database_url, "IPOVERSEAS_LOAD_DEMO": "false",
                   **(env or {})}
    front = None
    try:
        for i, port in enumerate(ports):
            log = open(folder / f"app{i}.log", "wb")
            logs.append(log)
            started.append(subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                 "--server.address", "127.0.0.1", "--server.headless", "true"],
                cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT))
        for i, (port, proc) in enumerate(zip(ports, started)):
            wait_healthy(f"http://127.0.0.1:{port}", proc, folder / f"app{i}.log")
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (folder / sub).mkdir(exist_ok=True)
        port = free_port()
        servers = "\n".join(f"        server 127.0.0.1:{p};" for p in ports)
        conf = NGINX_TEMPLATE.read_text().format(folder=folder, servers=servers, port=port, procs=procs)
        (folder / "nginx.conf").write_text(conf)
        check = subprocess.run([nginx, "-t", "-c", str(folder / "nginx.conf")], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(check.stderr)
        front = subprocess.Popen([nginx, "-c", str(folder / "nginx.conf"), "-g", "daemon off;"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        wait_healthy(base, front, folder / "error.log", 20)
        yield Cluster(base, started, folder, ports)
    finally:
        for proc in ([front] if front else []) + started:
            proc.terminate()
        for proc in ([front] if front else []) + started:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        for log in logs:
            log.close()


@dataclass
class LoadResult:
    steps: list[dict]
    generator_cpu_s: float
    wall_s: float
    returncode: int
    output: str

    @property
    def generator_share(self) -> float:
        return self.generator_cpu_s / (self.wall_s * (os.cpu_count() or 1)) if self.wall_s else 0.0


def run_locust(base: str, folder: Path, *, steps: list[int], step_seconds: float, warmup_seconds: float = 15,
               think: str = "5,15", pool: Path | None = None, workbook: Path | None = None,
               cpus: str | None = None, spawn_rate: float = 2, stop_p95: float = 4.0) -> LoadResult:
    """Locust headless on `base` with the step shape of tests/load/locustfile.py, niced (and pinned to `cpus`)."""
    results = folder / "locust-results.json"
    results.unlink(missing_ok=True)
    env = {**os.environ, "LOAD_STEPS": ",".join(map(str, steps)), "LOAD_STEP_SECONDS": str(step_seconds),
           "LOAD_WARMUP_SECONDS": str(warmup_seconds), "LOAD_THINK": think, "LOAD_RESULTS": str(results),
           "LOAD_SPAWN_RATE": str(spawn_rate), "LOAD_STOP_P95": str(stop_p95), "PYTHONPATH": str(ROOT)}
    if pool:
        env["LOAD_POOL"] = str(pool)
    if workbook:
        env["LOAD_WORKBOOK"] = str(workbook)
    command = ["nice", "-n", "19"] + (["taskset", "-c", cpus] if cpus else []) + [
        sys.executable, "-m", "locust", "-f", str(ROOT / "tests" / "load" / "locustfile.py"), "--headless",
        "--host", base, "--only-summary", "--loglevel", "WARNING"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=step_seconds * len(steps) + 300)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    steps_out = json.loads(results.read_text())["steps"] if results.exists() else []
    return LoadResult(steps_out, cpu, wall, done.returncode, done.stdout[-4000:] + done.stderr[-4000:])


def sustained(steps: list[dict], limit_s: float = 2.0) -> int:
    """The highest user count of a step with zero errors and p95 page time within `limit_s` (0: none)."""
    ok = [s["users"] for s in steps if s["p95"] is not None and s["p95"] <= limit_s and s["errors"] == 0]
    return max(ok, default=0)

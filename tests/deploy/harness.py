"""Run the shipped deploy/nginx.conf (TLS, non-root, in a temporary folder, on free ports) in front
of app processes, and start or kill those processes: for tests/deploy and tests/e2e/test_cluster.py."""

from __future__ import annotations

import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NGINX_CONF = ROOT / "deploy" / "nginx.conf"
UPSTREAM_SERVER = re.compile(r"^( +)server 127\.0\.0\.1:\d+( [^;]*)?;\n", re.M)
# The access log names the process that answered each request, and the browser's routing cookie.
LOG_FORMAT = "log_format routed '$msec $request_method $uri $status $upstream_addr route=$cookie_ipo_route';"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_healthy(url: str, proc: subprocess.Popen | None = None, timeout: float = 60,
                       context: ssl.SSLContext | None = None) -> None:
    deadline = time.time() + timeout
    while True:
        try:
            if urllib.request.urlopen(url, timeout=2, context=context).status == 200:
                return
        except OSError:
            pass
        if (proc is not None and proc.poll() is not None) or time.time() > deadline:
            raise RuntimeError(f"{url} did not answer 200")
        time.sleep(0.2)


@dataclass
class AppProcess:
    """`streamlit run app.py` on a port, restartable (the same command as deploy/systemd)."""
    port: int
    env: dict
    folder: Path
    proc: subprocess.Popen | None = None
    starts: int = 0

    def start(self) -> None:
        self.starts += 1
        log = open(self.folder / f"app-{self.port}-{self.starts}.log", "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true"],
            cwd=ROOT, env={**os.environ, **self.env}, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        try:
            wait_until_healthy(f"http://127.0.0.1:{self.port}/_ipoverseas/health", self.proc)
        except RuntimeError:
            self.stop()
            raise

    def kill(self) -> None:
        """As a crash or the OOM killer would: SIGKILL, no goodbye to the browsers."""
        self.proc.kill()
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


@dataclass
class Nginx:
    base: str
    http: str
    ssl: ssl.SSLContext
    folder: Path
    proc: subprocess.Popen = field(repr=False)

    def log(self) -> list[dict]:
        """The access log: time (epoch seconds), method, uri, status, upstream (the app's port, ''
        for none), route cookie."""
        rows = []
        for line in (self.folder / "access.log").read_text().splitlines():
            msec, method, uri, status, upstream, route = line.split(" ", 5)
            port = upstream.rsplit(":", 1)[-1] if upstream != "-" else ""
            rows.append({"time": float(msec), "method": method, "uri": uri, "status": int(status), "port": port,
                         "route": route.removeprefix("route=")})
        return rows

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def site_config(app_ports: list[int], https_port: int, http_port: int, cert: Path, key: Path) -> str:
    """deploy/nginx.conf with the test's host, certificate, ports, and one upstream line per app."""
    site = NGINX_CONF.read_text()
    servers = UPSTREAM_SERVER.findall(site)
    assert servers, "deploy/nginx.conf has no `server 127.0.0.1:PORT` line in its upstream"
    indent, options = servers[0]
    lines = "".join(f"{indent}server 127.0.0.1:{port}{options};\n" for port in app_ports)
    first = UPSTREAM_SERVER.search(site)
    site = site[:first.start()] + lines + UPSTREAM_SERVER.sub("", site[first.start():])
    return (site.replace("ipoverseas.example.cn", "localhost")
                .replace("/etc/ssl/ipoverseas/fullchain.pem", str(cert))
                .replace("/etc/ssl/ipoverseas/privkey.pem", str(key))
                .replace("listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;")
                .replace("listen 80;", f"listen 127.0.0.1:{http_port};")
                .replace("listen [::]:443 ssl;\n", "").replace("listen [::]:80;\n", ""))


def start_nginx(folder: Path, app_ports: list[int]) -> Nginx:
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx is None:
        pytest.skip("nginx is not installed (apt-get install -y nginx)")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    https_port, http_port = free_port(), free_port()
    (folder / "site.conf").write_text(site_config(app_ports, https_port, http_port, cert, key))
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / sub).mkdir()
    (folder / "nginx.conf").write_text(f"""
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 256; }}
http {{
    {LOG_FORMAT}
    access_log {folder}/access.log routed;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/site.conf;
}}
""")
    check = subprocess.run([nginx, "-t", "-c", str(folder / "nginx.conf")], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    proc = subprocess.Popen([nginx, "-c", str(folder / "nginx.conf"), "-g", "daemon off;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    context = ssl.create_default_context(cafile=str(cert))
    front = Nginx(f"https://localhost:{https_port}", f"http://localhost:{http_port}", context, folder, proc)
    try:
        wait_until_healthy(front.base + "/_stcore/health", proc, timeout=20, context=context)
    except RuntimeError:
        front.stop()
        raise
    return front

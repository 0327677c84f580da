"""Host preparation for `stagdb setup`: system packages and a running Docker engine."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import docker
import docker.errors
import requests.exceptions

from app.drivers import shell

Report = Callable[[str], None]

PACKAGES_BY_TOOL = {
    "dockerd": "docker.io",
    "mkfs.btrfs": "btrfs-progs",
    "mkfs.xfs": "xfsprogs",
    "zfs-fuse": "zfs-fuse",
    "nft": "nftables",
}
ENGINE_START_TIMEOUT_S = 60
# Removing or building an image can take tens of seconds on a busy engine.
DOCKER_CALL_TIMEOUT_S = 60
POLICY_RC_D = Path("/usr/sbin/policy-rc.d")


class SetupError(Exception):
    """Setup cannot continue; the message says what is wrong and how to fix it."""


def ensure_tools(tools: list[str], report: Report) -> None:
    """Install the distribution packages that provide `tools`, when any is missing."""
    missing = [PACKAGES_BY_TOOL[tool] for tool in tools if not _has_tool(tool)]
    if missing:
        install_packages(missing, report)


def install_packages(packages: list[str], report: Report) -> None:
    """Install distribution packages without letting them start services: a server package
    installed only to build an engine image must not leave its server running."""
    if shutil.which("apt-get") is None:
        raise SetupError(f"Missing packages {', '.join(packages)}; install them and rerun setup")
    if os.geteuid() != 0:
        raise SetupError(f"Missing packages {', '.join(packages)}; rerun setup as root")
    report(f"installing {', '.join(packages)} from the distribution's packages")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    with _services_denied():
        for argv in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", *packages]):
            done = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
            if done.returncode != 0:
                raise SetupError(f"{' '.join(argv)} failed: {done.stderr.strip()[-500:]}")


@contextlib.contextmanager
def _services_denied() -> Iterator[None]:
    """Debian's policy-rc.d hook: while it exits 101, package scripts start no service."""
    if POLICY_RC_D.exists():
        yield
        return
    POLICY_RC_D.write_text("#!/bin/sh\nexit 101\n")
    POLICY_RC_D.chmod(0o755)
    try:
        yield
    finally:
        POLICY_RC_D.unlink(missing_ok=True)


def ensure_docker_engine(data_dir: Path, report: Report) -> docker.DockerClient:
    """A client for a running Docker engine, starting the engine when none answers."""
    client = _answering_client()
    if client is not None:
        return client
    if shutil.which("dockerd") is None:
        raise SetupError("No Docker engine: install docker.io (setup does this as root)")
    report("starting the Docker engine")
    if _systemd_running():
        shell.run(["systemctl", "start", "docker"], timeout_s=120)
    else:
        log_path = data_dir / "dockerd.log"
        with open(log_path, "ab") as log_file:
            subprocess.Popen(
                ["dockerd", "--bridge=none", "--iptables=false", "--ip-masq=false"],
                stdout=log_file,
                stderr=log_file,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
    deadline = time.monotonic() + ENGINE_START_TIMEOUT_S
    while time.monotonic() < deadline:
        client = _answering_client()
        if client is not None:
            return client
        time.sleep(0.5)
    raise SetupError("The Docker engine did not start within 60 s; see dockerd.log in the data dir")


def _answering_client() -> docker.DockerClient | None:
    try:
        client = docker.from_env(timeout=DOCKER_CALL_TIMEOUT_S)
        client.ping()
    except (docker.errors.DockerException, requests.exceptions.ConnectionError):
        return None
    return client


def _has_tool(tool: str) -> bool:
    return (
        any(
            Path(directory, tool).exists()
            for directory in ("/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/bin")
        )
        or shutil.which(tool) is not None
    )


def _systemd_running() -> bool:
    return Path("/run/systemd/system").is_dir()

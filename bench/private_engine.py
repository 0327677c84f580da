"""A private Docker engine (its own socket, data root and exec root) for benchmarks and tests
that stop and start the engine: nothing else on the machine is touched."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import docker

from app.drivers.storage import mounts


@dataclass
class PrivateEngine:
    root: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.root}/docker.sock"

    def start(self) -> None:
        log = open(self.root / "dockerd.log", "ab")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(
            ["dockerd", "-H", self.url, "--data-root", str(self.root / "data"),
             "--exec-root", str(self.root / "exec"), "--pidfile", str(self.root / "docker.pid"),
             "--bridge=none", "--iptables=false", "--ip-masq=false"],
            stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        log.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                docker.DockerClient(base_url=self.url, timeout=5).ping()
                return
            except Exception:
                time.sleep(0.2)
        raise RuntimeError("the private Docker engine did not start")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=120)
        self.process = None

    @property
    def client(self) -> docker.DockerClient:
        return docker.DockerClient(base_url=self.url, timeout=60)

    @classmethod
    def create(cls, image: str) -> PrivateEngine:
        """Start one with `image` copied in from the machine's engine."""
        engine = cls(Path(tempfile.mkdtemp(prefix=f"stagdb-engine-{os.getpid()}-")))
        engine.start()
        saved = b"".join(docker.from_env(timeout=120).images.get(image).save(named=True))
        engine.client.images.load(saved)
        return engine

    def destroy(self) -> None:
        """Remove its containers, stop it, and leave no mount or file behind."""
        try:
            for container in self.client.containers.list(all=True):
                container.remove(force=True)
        except Exception:
            pass
        self.stop()
        for mount in sorted(mounts(), key=lambda m: -len(m.mount_point.parts)):
            if mount.mount_point.is_relative_to(self.root):
                subprocess.run(["umount", "-l", str(mount.mount_point)], check=False)
        shutil.rmtree(self.root, ignore_errors=True)

"""`stagdb setup --service`: a systemd unit that starts the server at boot (after Docker),
restarts it when it fails, and keeps its configuration in an environment file."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path

from app.drivers import shell
from app.setup.host import SetupError

UNIT_NAME = "stagdb.service"


def unit_text(executable: str, environment_file: Path) -> str:
    return f"""[Unit]
Description=StagDB database branching server
Wants=docker.service
After=network-online.target docker.service

[Service]
Type=simple
EnvironmentFile={environment_file}
ExecStart={executable} serve
Restart=on-failure
RestartSec=5
TimeoutStopSec=60

[Install]
WantedBy=multi-user.target
"""


def environment_text(env: Mapping[str, str]) -> str:
    """The server's settings as they are now (every STAGDB_* variable), one per line."""
    lines = [f"{name}={value}" for name, value in sorted(env.items()) if name.startswith("STAGDB_")]
    return "\n".join(lines) + "\n"


def install_service(
    env: Mapping[str, str],
    systemd_dir: Path = Path("/etc/systemd/system"),
    config_dir: Path = Path("/etc/stagdb"),
) -> Path:
    """Write the unit and its environment file, then enable and start it."""
    if not Path("/run/systemd/system").is_dir() or shutil.which("systemctl") is None:
        raise SetupError(
            "systemd is not running on this host, so no service was installed; start the "
            "server from your init system or a @reboot cron line: `stagdb serve` brings the "
            "Docker engine, the pool and every database back by itself"
        )
    executable = str(Path(sys.executable).with_name("stagdb"))
    config_dir.mkdir(parents=True, exist_ok=True)
    environment_file = config_dir / "stagdb.env"
    environment_file.write_text(environment_text(env))
    os.chmod(environment_file, 0o600)  # it may hold the metadata database's password
    unit = systemd_dir / UNIT_NAME
    unit.write_text(unit_text(executable, environment_file))
    shell.run(["systemctl", "daemon-reload"], timeout_s=60)
    shell.run(["systemctl", "enable", "--now", UNIT_NAME], timeout_s=120)
    return unit

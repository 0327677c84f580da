"""The systemd unit `stagdb setup --service` installs."""

from __future__ import annotations

from pathlib import Path

from app.setup.service import environment_text, unit_text


def test_the_unit_starts_the_server_after_docker_and_restarts_it() -> None:
    unit = unit_text("/opt/stagdb/.venv/bin/stagdb", Path("/etc/stagdb/stagdb.env"))
    assert "ExecStart=/opt/stagdb/.venv/bin/stagdb serve" in unit
    assert "After=network-online.target docker.service" in unit
    assert "EnvironmentFile=/etc/stagdb/stagdb.env" in unit
    assert "Restart=on-failure" in unit and "WantedBy=multi-user.target" in unit


def test_the_environment_file_keeps_only_stagdb_settings() -> None:
    text = environment_text({"STAGDB_DATA_DIR": "/srv/stagdb", "HOME": "/root", "STAGDB_A": "1"})
    assert text == "STAGDB_A=1\nSTAGDB_DATA_DIR=/srv/stagdb\n"

"""Upkeep requests: durations, expiry, protection, schedules and auto-stop, as parsed from
create and update bodies (a field left out keeps its value, null clears it)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.config import ConfigError, Settings
from app.domain.databases import UpkeepDefaults
from app.domain.durations import format_duration, parse_duration
from app.domain.upkeep import SnapshotSchedule, Upkeep
from app.domain.views import SnapshotScheduleView
from app.errors import ValidationError

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "seconds"), [("90s", 90), ("15m", 900), ("2h", 7200), ("7d", 604800)]
)
def test_durations_read_and_print_back(text: str, seconds: int) -> None:
    assert parse_duration(text, "ttl") == seconds
    assert format_duration(seconds) == text


@pytest.mark.parametrize("bad", ["", "0s", "5", "1w", "-3m", "1.5h", 90, None, "3651d"])
def test_bad_durations_are_refused_naming_the_field(bad: object) -> None:
    with pytest.raises(ValidationError, match="ttl"):
        parse_duration(bad, "ttl")


def test_ttl_and_expires_at_set_and_clear_the_expiry() -> None:
    upkeep = Upkeep().changed({"ttl": "2h"}, NOW)
    assert upkeep.expires_at == NOW + timedelta(hours=2)
    assert upkeep.changed({"protected": True}, NOW).expires_at == upkeep.expires_at
    assert upkeep.changed({"ttl": None}, NOW).expires_at is None
    moment = upkeep.changed({"expires_at": "2026-12-01T12:00:00+01:00"}, NOW).expires_at
    assert moment == datetime(2026, 12, 1, 11, 0, tzinfo=UTC)
    assert upkeep.changed({"expires_at": None}, NOW).expires_at is None


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"ttl": "1h", "expires_at": "2026-12-01T12:00:00Z"}, "not both"),
        ({"expires_at": "2026-11-27T09:00:00Z"}, "future"),
        ({"expires_at": "2026-12-01T12:00:00"}, "time zone"),
        ({"expires_at": "tomorrow"}, "RFC 3339"),
        ({"protected": "yes"}, "protected"),
        ({"snapshot_schedule": {"every": "1h"}}, "snapshot_schedule"),
        ({"snapshot_schedule": {"every": "1h", "keep": 0}}, "keep"),
        ({"snapshot_schedule": {"every": "1h", "keep": True}}, "keep"),
        ({"snapshot_schedule": {"every": "soon", "keep": 3}}, "snapshot_schedule.every"),
        ({"auto_stop_after": "never"}, "auto_stop_after"),
    ],
)
def test_bad_upkeep_is_refused(given: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Upkeep().changed(given, NOW)


def test_schedule_and_auto_stop_are_set_kept_and_cleared() -> None:
    upkeep = Upkeep().changed(
        {"snapshot_schedule": {"every": "1h", "keep": 24}, "auto_stop_after": "15m"}, NOW
    )
    assert upkeep.schedule == SnapshotSchedule(3600, 24)
    assert upkeep.schedule.view() == SnapshotScheduleView("1h", 24)
    assert upkeep.auto_stop_after_s == 900
    kept = upkeep.changed({"ttl": "1d"}, NOW)
    assert (kept.schedule, kept.auto_stop_after_s) == (upkeep.schedule, 900)
    cleared = upkeep.changed({"snapshot_schedule": None, "auto_stop_after": None}, NOW)
    assert (cleared.schedule, cleared.auto_stop_after_s) == (None, None)
    assert cleared.columns()["snapshot_every_s"] is None


def test_server_defaults_give_branches_a_ttl_and_databases_an_auto_stop() -> None:
    defaults = UpkeepDefaults(branch_ttl_s=7 * 86400, auto_stop_after_s=900)
    branch = defaults.for_branch(NOW)
    assert branch.expires_at == NOW + timedelta(days=7) and branch.auto_stop_after_s == 900
    assert branch.changed({"ttl": None}, NOW).expires_at is None, "a request overrides them"
    assert defaults.for_database().expires_at is None
    assert UpkeepDefaults().for_branch(NOW) == Upkeep()


def test_settings_read_the_upkeep_variables() -> None:
    env = {"STAGDB_BRANCH_TTL": "7d", "STAGDB_AUTO_STOP_AFTER": "15m", "STAGDB_JOB_INTERVAL": "2"}
    settings = Settings.from_env(env)
    assert (settings.branch_ttl_s, settings.auto_stop_after_s) == (604800, 900)
    assert (settings.job_interval_s, settings.wake_timeout_s) == (2.0, 30.0)
    assert Settings.from_env({}).branch_ttl_s is None
    for bad in ({"STAGDB_JOB_INTERVAL": "6"}, {"STAGDB_BRANCH_TTL": "soon"},
                {"STAGDB_ENGINE_PORT_OFFSET": "60000"}):  # fmt: skip
        with pytest.raises(ConfigError):
            Settings.from_env(bad)

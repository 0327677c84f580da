"""Database states and the transitions allowed between them."""

from __future__ import annotations

CREATING = "creating"
RUNNING = "running"
STOPPED = "stopped"
DELETING = "deleting"
FAILED = "failed"

STATUSES = (CREATING, RUNNING, STOPPED, DELETING, FAILED)

CAN_START = (STOPPED, FAILED)
CAN_STOP = (RUNNING, FAILED)

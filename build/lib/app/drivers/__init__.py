"""Drivers: the container runtime and storage pools, behind small interfaces; no HTTP, no ORM."""

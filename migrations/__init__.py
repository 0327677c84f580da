"""Aerich migrations of the metadata database, shipped inside the package."""

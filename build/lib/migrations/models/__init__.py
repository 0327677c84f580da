"""The models app's migrations, applied in the order of their number."""

"""The domain layer: every rule, the only writer of metadata and the only caller of drivers."""

"""The kernel every other package builds on: the registry, the typed records, the engine protocol, FLOPs
and the prefix accounting. It imports nothing of the project (tests/test_import_contracts.py)."""

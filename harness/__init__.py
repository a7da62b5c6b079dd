"""The test-time compute harness: plan, execute, store, score, analyze and report sweeps.

Public surface: `load_sweep_config`, `run_sweep`, `build_report`; records in `core.records`.
Heavy libraries (vLLM, Ray, wandb) are imported lazily, where they are used.
"""

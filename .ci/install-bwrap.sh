#!/usr/bin/env bash
# Install bubblewrap (the sandbox for model-written code, docs/sandbox.md) where it is missing and
# we can: apt-get present and running as root. Elsewhere this does nothing; the harness then refuses
# to run code unless TTC_SANDBOX=unsafe_no_isolation is set.
set -euo pipefail
if ! command -v bwrap >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  apt-get install -y -q bubblewrap || { apt-get update -q && apt-get install -y -q bubblewrap; }
fi

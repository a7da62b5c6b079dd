#!/usr/bin/env bash
# Check a GPU node before a long sweep: GPUs visible, vLLM loads the model with the GPU config, the
# engine generates, throughput is plausible, and a tiny sweep runs end to end through Ray.
#   bash bench/gpu_smoke.sh [MODEL_CONFIG] [extra sweep overrides...]     (default MODEL_CONFIG: qwen2_5_0_5b)
# With TP=2 (or more) it also runs the sweep with engine.tensor_parallel_size=$TP: one Ray placement
# group of TP one-GPU bundles per replica, vLLM's Ray executor inside it.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
MODEL=${1:-qwen2_5_0_5b}
shift || true
echo "== GPUs"
nvidia-smi --query-gpu=index,name,memory.total,memory.used,driver_version --format=csv
$PY - <<'PY'
import torch
assert torch.cuda.is_available(), "torch sees no CUDA device"
print(f"torch {torch.__version__}, CUDA {torch.version.cuda}, {torch.cuda.device_count()} device(s)")
a = torch.randn(8192, 8192, device="cuda", dtype=torch.bfloat16)
torch.cuda.synchronize()
import time
t = time.perf_counter()
for _ in range(20):
    a @ a
torch.cuda.synchronize()
print(f"bf16 matmul: {20 * 2 * 8192**3 / (time.perf_counter() - t) / 1e12:.0f} TFLOP/s")
PY
echo "== tiny sweep of $MODEL on the GPU cluster config (4 GSM8K problems, budgets [1,4])"
$PY -m harness sweep cluster=gpu "models=[$MODEL]" limit=4 'budgets=[1,4]' max_tokens=256 \
  'strategies=[greedy,majority]' name=gpu_smoke wandb.mode=disabled "$@"
if [ "${TP:-1}" -gt 1 ]; then
  echo "== the same with tensor_parallel_size=$TP (a placement group of $TP GPU bundles per replica)"
  $PY -m harness sweep cluster=gpu "models=[$MODEL]" limit=4 'budgets=[1,4]' max_tokens=256 \
    'strategies=[greedy,majority]' name=gpu_smoke_tp wandb.mode=disabled engine.tensor_parallel_size="$TP" \
    results_dir="$(mktemp -d)" "$@"   # a fresh store, so nothing is reused from the run above
fi
echo "== OK: the node loads $MODEL with vLLM on GPU and completes a sweep"

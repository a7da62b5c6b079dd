"""Analysis at scale: a synthetic scored store of 1,000 problems x 256 samples, 8 strategies
(greedy, majority, pass@k, best-of-N by three scorers, weighted vote by two), budgets 1..256.

Prints the wall time of `analyze` (curves, exact estimators, bootstrap CIs on all problems and on
5 difficulty bins) and the process's peak memory. Targets: <= 30 s and <= 2 GiB.

    python bench/analysis_scale.py [--problems 1000] [--samples 256]
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--problems", type=int, default=1000)
    parser.add_argument("--samples", type=int, default=256)
    args = parser.parse_args()

    from harness.analysis.curves import analyze
    from harness.engines.model_info import model_info_from_config
    from harness.run.score import ScoredRow
    from strategies import get_strategy

    rng = np.random.default_rng(0)
    rows = []
    for i in range(args.problems):
        pid = f"p{i}"
        skill = rng.beta(0.7, 1.5)  # per-problem probability of a correct sample
        n_wrong = int(rng.integers(1, 40))  # distinct wrong answers this problem attracts
        for kind, n in (("greedy", 1), ("sampled", args.samples)):
            ok = rng.random(n) < skill
            wrong = rng.zipf(1.6, n) % n_wrong
            tokens = rng.integers(50, 400, n)
            for j in range(n):
                answer = "42" if ok[j] else (None if wrong[j] == 0 else f"w{wrong[j]}")
                logprob = float(-0.3 - rng.random() + 0.2 * ok[j])
                rows.append(ScoredRow("m", kind, "h", pid, j, answer, bool(ok[j]), "ok", 120, int(tokens[j]),
                                      logprob, 0.01, "stop", "synthetic", vote=answer,
                                      vote_correct=bool(ok[j])))
    info = model_info_from_config("m", "synthetic", {
        "model_type": "llama", "hidden_size": 576, "num_hidden_layers": 30, "num_attention_heads": 9,
        "num_key_value_heads": 3, "intermediate_size": 1536, "vocab_size": 49152,
        "tie_word_embeddings": True})
    strategies = [
        get_strategy("greedy"), get_strategy("majority"), get_strategy("pass_at_k"),
        get_strategy("best_of_n", "best_of_n_mean_logprob", score="mean_logprob"),
        get_strategy("best_of_n", "best_of_n_sum_logprob", score="sum_logprob"),
        get_strategy("best_of_n", "best_of_n_shortest", score="neg_length"),
        get_strategy("weighted_majority", "weighted_mean_logprob", score="mean_logprob"),
        get_strategy("weighted_majority", "weighted_sum_logprob", score="sum_logprob"),
    ]
    budgets = [2**i for i in range(9) if 2**i <= args.samples]
    start = time.perf_counter()
    points = analyze(rows, {"m": info}, "synthetic", strategies, budgets, resamples=1000, seed=0,
                     metadata={f"p{i}": {} for i in range(args.problems)})
    elapsed = time.perf_counter() - start
    peak_gib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(f"store: {args.problems} problems x {args.samples} samples ({len(rows)} rows), "
          f"{len(strategies)} strategies, budgets {budgets}")
    print(f"analysis: {len(points)} curve points in {elapsed:.1f} s (target <= 30 s)")
    print(f"peak memory of the process: {peak_gib:.2f} GiB (target <= 2 GiB)")


if __name__ == "__main__":
    main()

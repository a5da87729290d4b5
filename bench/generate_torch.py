#!/usr/bin/python3
"""The PyTorch side of bench/generate_vs_pytorch.sh: the course's generation loop (crop the context to its last
block_size tokens, run the whole model, sample from the last position's softmax, append) at batch 1, on the model of
bench/gpt_torch.py built from Emerald's preset JSON, random weights, float32 on the CPU. In eval mode under
torch.no_grad() (the course's loop runs in training mode and records autograd graphs, which is slower still).
Prints `tokens/s: N`, the median of the timed runs, as `emerald bench generate` does.
"""
import argparse
import json
import os
import statistics
import time

import torch
import torch.nn.functional as F

from gpt_torch import Gpt


@torch.no_grad()
def generate(model, idx, max_new_tokens, block_size):
    for _ in range(max_new_tokens):
        logits = model(idx[:, -block_size:])
        probs = F.softmax(logits[:, -1, :], dim=-1)
        idx = torch.cat((idx, torch.multinomial(probs, num_samples=1)), dim=1)
    return idx


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--preset", default="course")
    p.add_argument("--vocab-size", type=int, default=65)
    for name in ("n-layer", "n-head", "n-embd", "block-size"):
        p.add_argument("--" + name, type=int)
    p.add_argument("--tokens", type=int, default=500, help="new tokens per run, after a one-token prompt")
    p.add_argument("--rounds", type=int, default=3, help="timed runs, after an untimed one")
    p.add_argument("--threads", type=int, help="torch.set_num_threads (default: PyTorch's own choice)")
    a = p.parse_args()

    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(1337)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with open(os.path.join(root, "models", a.preset + ".json")) as f:
        m = json.load(f)["model"]
    for key in ("n_layer", "n_head", "n_embd", "block_size"):
        if getattr(a, key) is not None:
            m[key] = getattr(a, key)
    m["vocab_size"] = a.vocab_size
    model = Gpt(m).eval()
    print(f"pytorch {torch.__version__}, {torch.get_num_threads()} threads, OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', 'unset')}: "
          f"{a.preset} {json.dumps(m)} | batch 1, {a.tokens} new tokens after a 1-token prompt, {a.rounds} rounds after an untimed one",
          flush=True)
    rates = []
    for r in range(a.rounds + 1):
        start = time.perf_counter()
        generate(model, torch.zeros((1, 1), dtype=torch.long), a.tokens, m["block_size"])
        rate = a.tokens / (time.perf_counter() - start)
        print(f"round {r}: {rate:.1f} tokens/s{' (untimed)' if r == 0 else ''}", flush=True)
        if r > 0:
            rates.append(rate)
    print(f"tokens/s: {statistics.median(rates):.1f}")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""The PyTorch side of bench/train_vs_pytorch.sh: the same GPT and training step as `emerald bench train`,
written nanoGPT-style (torch.nn modules, autograd, torch.optim.AdamW), in float32 on the CPU.

The model and recipe come from Emerald's preset JSON (models/NAME.json) with the same overrides, so both
sides train the same configuration: gpt2 (pre-norm, tanh GELU, q/k/v bias, tied LM head) or course
(post-norm, ReLU, no q/k/v bias, untied LM head with bias, dropout). Character vocabulary of the corpus.
Prints each step's time, then `ms/step: X` and `tokens/s: N` of the median timed step, as Emerald does.
The learning rate is the preset's peak throughout (Emerald warms up): it does not change the work.
"""
import argparse
import json
import math
import os
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Attention(nn.Module):
    def __init__(self, m):
        super().__init__()
        C = m["n_embd"]
        self.n_head = m["n_head"]
        self.c_attn = nn.Linear(C, 3 * C, bias=m["qkv_bias"])
        self.c_proj = nn.Linear(C, C)
        self.attn_drop = nn.Dropout(m["dropout"])
        self.resid_drop = nn.Dropout(m["dropout"])
        T = m["block_size"]
        self.register_buffer("mask", torch.tril(torch.ones(T, T, dtype=torch.bool)))

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)
        q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v))
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(~self.mask[:T, :T], float("-inf")).softmax(dim=-1)
        y = (self.attn_drop(att) @ v).transpose(1, 2).contiguous().view(B, T, C)
        return self.resid_drop(self.c_proj(y))


class Mlp(nn.Module):
    def __init__(self, m):
        super().__init__()
        C = m["n_embd"]
        self.c_fc = nn.Linear(C, 4 * C)
        self.act = nn.GELU(approximate="tanh") if m["activation"] == "gelu" else nn.ReLU()
        self.c_proj = nn.Linear(4 * C, C)
        self.drop = nn.Dropout(m["dropout"])

    def forward(self, x):
        return self.drop(self.c_proj(self.act(self.c_fc(x))))


class Block(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.prenorm = m["prenorm"]
        self.ln_1 = nn.LayerNorm(m["n_embd"])
        self.attn = Attention(m)
        self.ln_2 = nn.LayerNorm(m["n_embd"])
        self.mlp = Mlp(m)

    def forward(self, x):
        if self.prenorm:
            x = x + self.attn(self.ln_1(x))
            return x + self.mlp(self.ln_2(x))
        x = self.ln_1(x + self.attn(x))
        return self.ln_2(x + self.mlp(x))


class Gpt(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.wte = nn.Embedding(m["vocab_size"], m["n_embd"])
        self.wpe = nn.Embedding(m["block_size"], m["n_embd"])
        self.drop = nn.Dropout(m["dropout"])
        self.h = nn.ModuleList(Block(m) for _ in range(m["n_layer"]))
        self.ln_f = nn.LayerNorm(m["n_embd"])
        self.lm_head = nn.Linear(m["n_embd"], m["vocab_size"], bias=m["lm_head_bias"])
        if m["tie_embeddings"]:
            self.lm_head.weight = self.wte.weight
        # nanoGPT's init: N(0, 0.02), zero biases, residual projections scaled when the preset says so
        for name, p in self.named_parameters():
            if name.endswith("bias"):
                nn.init.zeros_(p)
            elif p.dim() >= 2:
                scaled = m["scaled_residual_init"] and name.endswith("c_proj.weight")
                nn.init.normal_(p, std=0.02 / math.sqrt(2 * m["n_layer"]) if scaled else 0.02)

    def forward(self, idx, targets=None):
        """The loss, or without targets the logits (B, T, V)."""
        T = idx.shape[1]
        x = self.drop(self.wte(idx) + self.wpe(torch.arange(T)))
        for block in self.h:
            x = block(x)
        logits = self.lm_head(self.ln_f(x))
        if targets is None:
            return logits
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--preset", default="gpt2")
    p.add_argument("--corpus", required=True)
    for name in ("n-layer", "n-head", "n-embd", "block-size", "batch-size"):
        p.add_argument("--" + name, type=int)
    p.add_argument("--dropout", type=float)
    p.add_argument("--steps", type=int, default=6, help="timed steps")
    p.add_argument("--untimed", type=int, default=2, help="steps run first, untimed")
    p.add_argument("--threads", type=int, default=os.cpu_count())
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(1337)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with open(os.path.join(root, "models", a.preset + ".json")) as f:
        preset = json.load(f)
    m, t = preset["model"], preset["train"]
    for key in ("n_layer", "n_head", "n_embd", "block_size", "dropout"):
        if getattr(a, key) is not None:
            m[key] = getattr(a, key)
    B = a.batch_size or t["batch_size"]
    T = m["block_size"]
    with open(a.corpus, encoding="utf-8") as f:
        text = f.read()
    chars = sorted(set(text))
    m["vocab_size"] = len(chars)
    index = {c: i for i, c in enumerate(chars)}
    data = torch.tensor([index[c] for c in text], dtype=torch.long)

    model = Gpt(m)
    decay = [q for q in model.parameters() if q.dim() >= 2]
    no_decay = [q for q in model.parameters() if q.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": t["weight_decay"]}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=t["learning_rate"], betas=(t["beta1"], t["beta2"]), eps=1e-8)
    print(f"pytorch {torch.__version__}, {torch.get_num_threads()} threads: {a.preset} {json.dumps(m)} | batch {B} x {T}, "
          f"{a.steps} steps timed after {a.untimed} untimed", flush=True)
    times = []
    for step in range(a.untimed + a.steps):
        ix = torch.randint(len(data) - T, (B,))
        x = torch.stack([data[i:i + T] for i in ix])
        y = torch.stack([data[i + 1:i + T + 1] for i in ix])
        start = time.perf_counter()
        model.train()
        loss = model(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if t["grad_clip"] > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), t["grad_clip"])
        opt.step()
        took = (time.perf_counter() - start) * 1e3
        if step >= a.untimed:
            times.append(took)
        print(f"step {step + 1}: {took:.1f} ms, loss {loss.item():.4f}{' (untimed)' if step < a.untimed else ''}", flush=True)
    median = statistics.median(times)
    print(f"ms/step: {median:.1f} (median; mean {statistics.mean(times):.1f}, min {min(times):.1f}, over {len(times)} steps)")
    print(f"tokens/s: {B * T / (median / 1e3):.0f}")


if __name__ == "__main__":
    main()

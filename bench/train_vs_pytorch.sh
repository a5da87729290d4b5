#!/usr/bin/env bash
# Training speed of Emerald (`emerald bench train`) against PyTorch (bench/gpt_torch.py, torch eager on the same
# cores, OMP_WAIT_POLICY=PASSIVE, OpenBLAS choosing its kernels for this CPU) on the same model and batch: the two
# alternate, preset by preset, for ROUNDS rounds; then each preset's median tokens/s and their ratio.
# Needs Debian's python3-torch and libopenblas0-pthread. Arguments are passed to both sides, after these:
SHAPE=(--n-layer 4 --n-head 4 --n-embd 384 --block-size 256 --batch-size 16 --steps 6 --untimed 2)
PRESETS=(gpt2 course)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rounds=${ROUNDS:-2}
corpus=${CORPUS:-$("$root/bin/emerald" corpus fetch tom-sawyer)}
log=$(mktemp -d)
tokens() { for r in $(seq "$rounds"); do sed -n 's/^tokens\/s: //p' "$log/$1-$r"; done; }
median() { sort -n | awk '{a[NR] = $1} END {print (a[int((NR + 1) / 2)] + a[int(NR / 2) + 1]) / 2}'; }

for round in $(seq "$rounds"); do
  for preset in "${PRESETS[@]}"; do
    echo "== round $round, $preset, load average $(cut -d' ' -f1-3 /proc/loadavg)"
    "$root/bin/emerald" bench train --preset "$preset" --corpus "$corpus" "${SHAPE[@]}" "$@" | tee "$log/emerald-$preset-$round"
    env -u OPENBLAS_CORETYPE OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 "$root/bench/gpt_torch.py" \
      --preset "$preset" --corpus "$corpus" "${SHAPE[@]}" "$@" | tee "$log/torch-$preset-$round"
  done
done

echo "== tokens/s, median of $rounds rounds; load average now $(cut -d' ' -f1-3 /proc/loadavg)"
for preset in "${PRESETS[@]}"; do
  awk -v p="$preset" -v e="$(tokens "emerald-$preset" | median)" -v t="$(tokens "torch-$preset" | median)" \
    -v rounds="$(paste <(tokens "emerald-$preset") <(tokens "torch-$preset") | awk '{printf " %.2f", $1 / $2}')" \
    'BEGIN {printf "%-8s emerald %6.0f  pytorch %6.0f  ratio %.2f  (each round:%s)\n", p, e, t, e / t, rounds}'
done
rm -r "$log"

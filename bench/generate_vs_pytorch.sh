#!/usr/bin/env bash
# Batch-1 generation speed: `emerald bench generate` (the KV cache, and Emerald's own run of the course's loop) against
# the course's loop in PyTorch 1.13 (bench/generate_torch.py: the whole context, the last block_size tokens, runs again
# for every token), same model (course preset, vocabulary 65, random weights), 500 new tokens after a 1-token prompt as
# the course generates. PyTorch runs in four thread settings: its default (torch.get_num_threads(), printed), 2 threads
# (OpenMP's default, spinning, wait policy), 2 threads with OMP_WAIT_POLICY=PASSIVE, and 1 thread; OpenBLAS chooses its
# kernels for this CPU. The sides alternate for ROUNDS rounds (default 3); then the
# median tokens/s of each and the KV cache's ratio to each, and to the best PyTorch setting; the KV cache runs with
# float weights and with int8 ones (`--int8`, as `emerald quantize` stores them). TOKENS (default 500) new
# tokens a run; other arguments (--n-layer N, --block-size N, ...) are passed to both sides, after these.
# Needs Debian's python3-torch.
ARGS=(--preset course --vocab-size 65 --tokens "${TOKENS:-500}" --rounds 1)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rounds=${ROUNDS:-3}
log=$(mktemp -d)
# torch [NAME=VALUE...] ARGS...: generate_torch.py with those environment variables and arguments
torch() {
  local vars=()
  while [[ "${1:-}" == *=* ]]; do vars+=("$1"); shift; done
  env -u OPENBLAS_CORETYPE "${vars[@]}" /usr/bin/python3 "$root/bench/generate_torch.py" "${ARGS[@]}" "$@"
}
rates() { for r in $(seq "$rounds"); do sed -n "s|^$2: \([0-9.]*\).*|\1|p" "$log/$1-$r"; done; }
median() { sort -n | awk '{a[NR] = $1} END {print (a[int((NR + 1) / 2)] + a[int(NR / 2) + 1]) / 2}'; }

for round in $(seq "$rounds"); do
  echo "== round $round, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  "$root/bin/emerald" bench generate --device cpu "${ARGS[@]}" "$@" | tee "$log/emerald-$round"
  "$root/bin/emerald" bench generate --device cpu --int8 "${ARGS[@]}" "$@" | tee "$log/emerald-int8-$round"
  torch "$@" | tee "$log/torch-default-$round"
  torch "$@" --threads 2 | tee "$log/torch-2-threads-$round"
  torch OMP_WAIT_POLICY=PASSIVE "$@" --threads 2 | tee "$log/torch-passive-2-$round"
  torch "$@" --threads 1 | tee "$log/torch-1-thread-$round"
done

echo "== tokens/s, median of $rounds rounds; load average now $(cut -d' ' -f1-3 /proc/loadavg)"
kv=$(rates emerald kv-cache | median)
kv8=$(rates emerald-int8 kv-cache | median)
printf "%-40s %7.1f\n" "emerald, KV cache" "$kv" "emerald, KV cache, int8 weights" "$kv8" \
  "emerald, recompute (the course's loop)" "$(rates emerald recompute | median)"
best=0
for setting in default 2-threads passive-2 1-thread; do
  t=$(rates "torch-$setting" tokens/s | median)
  awk -v s="$setting" -v t="$t" -v kv="$kv" 'BEGIN {printf "%-40s %7.1f   KV cache %.1fx\n", "pytorch recompute, " s, t, kv / t}'
  best=$(awk -v a="$best" -v b="$t" 'BEGIN {print (b > a ? b : a)}')
done
awk -v kv="$kv" -v kv8="$kv8" -v best="$best" \
  'BEGIN {printf "ratio to the best pytorch setting: %.1fx (float weights), %.1fx (int8 weights)\n", kv / best, kv8 / best}'
rm -r "$log"

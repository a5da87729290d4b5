#!/usr/bin/env bash
# Resident memory of `train --data` on a token shard over 2 GB, against the same run on a small shard:
#   bench/train-memory.sh [GIGABYTES]    (default 2.2)
# The small shard is a prepared miniature OpenWebText (char tokenizer, so the model and its activations stay
# small and the data path is what shows); the big one is its ids repeated past GIGABYTES under the same
# header layout, which costs a run's memory the same as real text would. Each run samples about 13,000
# random windows (400 steps of 32), enough to touch ~0.8 GB of the big shard if its pages were never let go.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/bin/jdk.sh"
emerald_find_jdk
gigabytes=${1:-2.2}
work="$root/target/bench"
corpus="$work/owt-mem"
small="$work/mem-small"
big="$work/mem-big"

(cd "$root" && mvn -q -B -DskipTests package) >&2
if [ ! -f "$small/meta.json" ]; then
  rm -rf "$corpus"
  "$JAVA_HOME/bin/java" -cp "$root/target/test-classes:$root/target/emerald.jar" dev.emerald.data.prep.MiniOpenWebText "$corpus" 40 1 >&2
  "$root/bin/emerald" prepare "$corpus"/subsets/*.tar --out "$small" --tokenizer char >&2
fi

# little-endian 64-bit integer, as raw bytes
le64() { local v=$1 i; for ((i = 0; i < 8; i++)); do printf "\\x$(printf %02x $(((v >> (8 * i)) & 255)))"; done; }
min_bytes=$(awk -v g="$gigabytes" 'BEGIN { printf "%d", g * 1e9 }')
if [ ! -f "$big/train.bin" ] || [ "$(stat -c %s "$big/train.bin")" -lt "$min_bytes" ]; then
  rm -rf "$big" && mkdir -p "$big"
  payload=$(( $(stat -c %s "$small/train.bin") - 32 ))
  width=$(od -An -tu4 -j12 -N4 "$small/train.bin" | tr -d ' ')
  reps=$(( min_bytes / payload + 1 ))
  { head -c 16 "$small/train.bin"; le64 $(( reps * payload / width )); tail -c +25 "$small/train.bin" | head -c 8
    for ((i = 0; i < reps; i++)); do tail -c +33 "$small/train.bin"; done; } > "$big/train.bin"
  cp "$small/val.bin" "$small/tokenizer.json" "$small/meta.json" "$big/"
fi

echo "machine: $(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-10s %14s %16s\n' shard "train.bin MB" "max RSS MB"
declare -A rss
for d in small big; do
  rm -rf "$work/mem-run-$d"
  /usr/bin/time -v "$root/bin/emerald" train --data "$work/mem-$d" --preset baby --steps 400 --batch-size 32 --eval-interval 400 \
      --eval-iters 20 --sample-tokens 0 --out "$work/mem-run-$d" > /dev/null 2> "$work/mem-run-$d.time"
  rss[$d]=$(awk '/Maximum resident set size/ { print int($NF / 1024) }' "$work/mem-run-$d.time")
  printf '%-10s %14d %16d\n' "$d" "$(( $(stat -c %s "$work/mem-$d/train.bin") / 1000000 ))" "${rss[$d]}"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v s="${rss[small]}" -v b="${rss[big]}" 'BEGIN { printf "big / small max RSS: %.2f\n", b / s }'

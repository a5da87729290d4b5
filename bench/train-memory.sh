#!/usr/bin/env bash
# Resident memory of `train --data` on a token shard over 2 GB, against the same run on a small shard:
#   bench/train-memory.sh [GIGABYTES]    (default 2.2)
# The small shard is a prepared miniature OpenWebText (char tokenizer, so the model and its activations stay
# small and the data path is what shows); the big one is its ids repeated past GIGABYTES under the same
# header layout, which costs a run's memory the same as real text would. Each run samples about 13,000
# random windows (400 steps of 32), enough to touch ~0.8 GB of the big shard if its pages were never let go.
# Each shard is trained on with the launcher's heap settings (a 128 MB young generation, which keeps the boxed
# vectors of the JIT's warm-up from growing the heap), with the JVM's default young generation (a third of the
# default heap, which that churn grows to over 1 GB), and with -Xmx512m.
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
  { head -c 16 "$small/train.bin"; le64 $(( reps * payload / width )); head -c 32 "$small/train.bin" | tail -c 8
    for ((i = 0; i < reps; i++)); do tail -c +33 "$small/train.bin"; done; } > "$big/train.bin"
  cp "$small/val.bin" "$small/tokenizer.json" "$small/meta.json" "$big/"
fi

# The peak of a run's file-backed resident pages (RssFile, polled): the shard's mapped pages, plus the JVM's own
# jars and libraries. $1 is /usr/bin/time's pid; the run is its child (the launcher execs java).
peak_file() {
  local pid=$1 file=0 now child
  while kill -0 "$pid" 2> /dev/null; do
    child=$(pgrep -P "$pid" | head -1)
    now=$( [ -n "$child" ] && awk '/^RssFile:/ { print int($2 / 1024) }' "/proc/$child/status" 2> /dev/null || echo 0)
    file=$(( ${now:-0} > file ? ${now:-0} : file ))
    sleep 0.2
  done
  echo "$file"
}

echo "machine: $(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %-22s %14s %14s %18s\n' shard heap "train.bin MB" "peak RSS MB" "peak RssFile MB"
# the JVM's own young generation limit with this GC (a third of the heap), which the launcher's flag replaces
jvm_young=$("$JAVA_HOME/bin/java" -XX:+UseParallelGC -XX:+PrintFlagsFinal -version 2> /dev/null | awk '$2 == "MaxNewSize" { print $4 }' | tail -1)
for heap in launcher jvm-default-young -Xmx512m; do
  for d in small big; do
    rm -rf "$work/mem-run-$d"
    case $heap in launcher) opts= ;; jvm-default-young) opts="-XX:MaxNewSize=$jvm_young" ;; *) opts=$heap ;; esac
    EMERALD_JAVA_OPTS=$opts /usr/bin/time -f %M -o "$work/mem-rss.txt" "$root/bin/emerald" train --data "$work/mem-$d" --preset baby \
        --steps 400 --batch-size 32 --eval-interval 400 --eval-iters 20 --sample-tokens 0 --out "$work/mem-run-$d" > "$work/mem-run-$d.log" 2>&1 &
    pid=$!
    file=$(peak_file "$pid")
    wait "$pid"
    rss=$(( $(tail -1 "$work/mem-rss.txt") / 1024 )) # peak resident set, as the kernel counted it
    printf '%-8s %-22s %14d %14d %18d\n' "$d" "$heap" "$(( $(stat -c %s "$work/mem-$d/train.bin") / 1000000 ))" "$rss" "$file"
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

#!/usr/bin/env bash
# Serving throughput: `emerald serve` on a checkpoint, one streaming client alone, then CLIENTS at once.
#   bench/serve.sh MODEL_DIR [CLIENTS] [TOKENS] [PARALLEL]     (defaults 16 clients, 200 tokens each, --parallel 4)
# Each client streams TOKENS tokens (temperature 0.8, its own seed, no stop) with curl; a stream counts only if it
# ends with [DONE] after TOKENS pieces. Prints tokens/s of the lone stream, then of all streams together, each
# stream's own rate (slowest, median, fastest: fairness) and the time to its first token (queued ones wait).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
model=${1:?usage: bench/serve.sh MODEL_DIR [CLIENTS] [TOKENS] [PARALLEL]}
clients=${2:-16}
tokens=${3:-200}
parallel=${4:-4}
work=$(mktemp -d)
trap 'kill -TERM "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$work"' EXIT

"$root/bin/emerald" serve --model "$model" --port 0 --parallel "$parallel" --queue "$clients" > "$work/server.log" 2>&1 &
server=$!
until grep -q "^serving" "$work/server.log"; do
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.2
done
url="http://$(grep -o '[0-9.]*:[0-9]*/v1' "$work/server.log")/completions"

# one client: prints "seconds-to-first-token seconds-total pieces done"
stream() {
  local seed=$1 start first="" pieces=0 done=0 line
  start=$(date +%s.%N)
  while IFS= read -r line; do
    case "$line" in
      'data: [DONE]'*) done=1 ;;
      'data: {'*'"finish_reason":null'*) pieces=$((pieces + 1)); [ -n "$first" ] || first=$(date +%s.%N) ;;
    esac
  done < <(curl -sN "$url" -d "{\"prompt\": \"The \", \"max_tokens\": $tokens, \"temperature\": 0.8, \"seed\": $seed, \"stream\": true}")
  echo "$(echo "${first:-$start} - $start" | bc) $(echo "$(date +%s.%N) - $start" | bc) $pieces $done"
}

stream 0 > /dev/null   # warm-up: the JIT compiles the generation path
read -r _ alone pieces done < <(stream 1)
printf '1 stream: %d tokens in %.2f s = %.0f tokens/s\n' "$pieces" "$alone" "$(echo "$pieces / $alone" | bc -l)"

begin=$(date +%s.%N)
pids=()
for i in $(seq 1 "$clients"); do stream $((100 + i)) > "$work/client-$i" & pids+=($!); done
wait "${pids[@]}"
total=$(echo "$(date +%s.%N) - $begin" | bc)
complete=$(cat "$work"/client-* | awk -v t="$tokens" '$3 == t && $4 == 1' | wc -l)
printf '%d streams at once (--parallel %d): %d of %d complete, %d tokens in %.2f s = %.0f tokens/s together\n' "$clients" "$parallel" \
  "$complete" "$clients" "$((clients * tokens))" "$total" "$(echo "$clients * $tokens / $total" | bc -l)"
# min, median, max of a column of numbers
spread() { sort -g | awk '{ v[NR] = $1 } END { printf "%.2f, median %.2f, most %.2f", v[1], v[int((NR + 1) / 2)], v[NR] }'; }
echo "per stream, tokens/s after its first token: least $(cat "$work"/client-* | awk -v t="$tokens" '{ print t / ($2 - $1) }' | spread)"
echo "time to first token, s: least $(cat "$work"/client-* | awk '{ print $1 }' | spread)"

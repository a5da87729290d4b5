#!/usr/bin/env bash
# Fine-tuning demo: a `baby` GPT pretrained briefly on Tom Sawyer learns an instruction format,
#   {"prompt": "word: becky\nloud:", "completion": " BECKY!"}
# for the words of 3 to 6 letters of the book, and to stop after the answer (the end token appended to each
# completion). Greedy completions of words that are in no pair, before and after, show both.
#   examples/finetune-demo.sh [DIR]    (default target/finetune-demo; 2 to 4 minutes on 2 cores)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${1:-$root/target/finetune-demo}
emerald="$root/bin/emerald"
unseen=(becky huck aunt river fence cat)
mkdir -p "$dir"
cd "$root"

book=$("$emerald" corpus fetch tom-sawyer)
# every distinct lower-case word of 3-6 letters but the unseen ones, as a pair
tr 'A-Z' 'a-z' <"$book" | tr -cs 'a-z' '\n' | awk 'length >= 3 && length <= 6' | sort -u |
  grep -vxF -f <(printf '%s\n' "${unseen[@]}") |
  awk '{ printf "{\"prompt\": \"word: %s\\nloud:\", \"completion\": \" %s!\"}\n", $0, toupper($0) }' >"$dir/pairs.jsonl"
echo "$(wc -l <"$dir/pairs.jsonl") pairs in $dir/pairs.jsonl, e.g. $(head -1 "$dir/pairs.jsonl")"

"$emerald" train --preset baby --corpus tom-sawyer --steps 600 --eval-interval 200 --sample-tokens 0 --out "$dir/base" --overwrite
"$emerald" finetune --model "$dir/base" --data "$dir/pairs.jsonl" --steps 800 --lr 1e-3 --eval-interval 200 --examples 40 \
  --out "$dir/tuned" --overwrite

for model in base tuned; do
  echo "--- $model, greedy, words in no pair ---"
  for word in "${unseen[@]}"; do
    "$emerald" generate --model "$dir/$model" --prompt $'word: '"$word"$'\nloud:' --temperature 0 --max-new-tokens 40 2> >(grep -v 'incubator modules' >&2) |
      awk 'NR > 1 { printf "\\n" } { printf "%s", $0 } END { print "" }'
  done
done

#!/usr/bin/env bash
# Prepare throughput against the decompression bound, in one run on the same files:
#   bench/prepare.sh [MEGABYTES]    (default 500; the corpus is generated once into target/bench/owt-MEGABYTES;
#                                    ROUNDS=N runs everything N times, default 3, and keeps each run's fastest)
# A miniature OpenWebText of that much text (xz -6, ~2 MB of text per member, 20 members per subset tar) is
# read in Hugging Face's layout (urlsf_subsetNN.tar files of .xz members). Baselines: `xz -dc` and `xz -T2 -dc`
# of the same members to /dev/null (xz decompresses one single-block file at a time, so -T2 helps little), and
# two `xz -dc` processes side by side (the two-core bound). "vs xz -T2" is the xz -T2 run's wall time over each
# run's; "CPU vs xz" is xz -dc's CPU time over each run's, what the ratio would be with one core each, which
# other work on the machine does not change much.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/bin/jdk.sh"
emerald_find_jdk
megabytes=${1:-500}
rounds=${ROUNDS:-3}
work="$root/target/bench"
corpus="$work/owt-$megabytes"
members="$work/owt-$megabytes-members"

(cd "$root" && mvn -q -B -DskipTests package) >&2
if [ ! -f "$corpus/done" ]; then
  echo "generating $megabytes MB of text as a miniature OpenWebText in $corpus (once; minutes) ..." >&2
  rm -rf "$corpus" "$members"
  "$JAVA_HOME/bin/java" -cp "$root/target/test-classes:$root/target/emerald.jar" dev.emerald.data.prep.MiniOpenWebText "$corpus" "$megabytes" 6 >&2
  touch "$corpus/done"
fi
if [ ! -d "$members" ]; then
  mkdir -p "$members"
  for t in "$corpus"/subsets/*.tar; do tar -xf "$t" -C "$members"; done
fi

load() { cut -d' ' -f1-3 /proc/loadavg; }
rm -f "$work/bench-errors.log"
declare -A took cpu
# keeps each run's fastest wall time and least CPU time (user + system, children included) over the rounds:
# other work on a shared machine only ever slows a run down
best() {
  local key=$1 wall user sys; shift
  /usr/bin/time -f '%e %U %S' -o "$work/time.txt" "$@" > /dev/null 2>> "$work/bench-errors.log"
  read -r wall user sys < "$work/time.txt"
  took[$key]=$(awk -v a="${took[$key]:-1e9}" -v b="$wall" 'BEGIN { print (b < a ? b : a) }')
  cpu[$key]=$(awk -v a="${cpu[$key]:-1e9}" -v b="$user" -v c="$sys" 'BEGIN { print (b + c < a ? b + c : a) }')
}
emerald="$root/bin/emerald"
echo "machine: $(nproc) cores; $rounds rounds, each run's fastest kept"
for ((round = 1; round <= rounds; round++)); do
  echo "round $round: load average before $(load)"
  best xz sh -c "xz -dc '$members'/openwebtext/*.xz"
  best xz_t2 sh -c "xz -T2 -dc '$members'/openwebtext/*.xz"
  best xz_2procs sh -c "ls '$members'/openwebtext/*.xz | xargs -P2 -n 20 xz -dc"
  rm -rf "$work"/prepared-*
  best prepare_gpt2 "$emerald" prepare "$corpus"/subsets/*.tar --out "$work/prepared-gpt2" --tokenizer gpt2
  best prepare_char "$emerald" prepare "$corpus"/subsets/*.tar --out "$work/prepared-char" --tokenizer char
  best prepare_original "$emerald" prepare "$corpus/openwebtext.tar.xz" --out "$work/prepared-original" --tokenizer gpt2
  best rerun "$emerald" prepare "$corpus"/subsets/*.tar --out "$work/prepared-gpt2" --tokenizer gpt2
done
echo "load average after: $(load)"

text=$(sed -n 's/^  "bytes" : \([0-9]*\),$/\1/p' "$work/prepared-gpt2/meta.json")
printf '%-48s %7s %10s %10s %8s %10s\n' "run ($((text / 1000000)) MB of text)" "wall s" "MB/s text" "vs xz -T2" "CPU s" "CPU vs xz"
row() { awk -v name="$1" -v t="${took[$2]}" -v c="${cpu[$2]}" -v text="$text" -v base="${took[xz_t2]}" -v basecpu="${cpu[xz]}" \
  'BEGIN { printf "%-48s %7.1f %10.1f %10.2f %8.1f %10.2f\n", name, t, text / 1e6 / t, base / t, c, basecpu / c }'; }
row "xz -dc (members, to /dev/null)" xz
row "xz -T2 -dc" xz_t2
row "2 x xz -dc side by side" xz_2procs
row "emerald prepare --tokenizer gpt2 (subset tars)" prepare_gpt2
row "emerald prepare --tokenizer char (2 passes)" prepare_char
row "emerald prepare gpt2, openwebtext.tar.xz" prepare_original
row "emerald prepare gpt2 again (up to date)" rerun
cmp -s "$work/prepared-gpt2/train.bin" "$work/prepared-original/train.bin" && echo "both layouts gave the same train.bin"

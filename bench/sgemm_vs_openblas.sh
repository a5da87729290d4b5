#!/usr/bin/env bash
# GEMM speed of Emerald (`emerald bench sgemm`) against OpenBLAS (bench/sgemm_openblas.py: cblas_sgemm, all cores,
# kernels chosen for this CPU) at the training shapes of a 384-wide layer on B*T = 4096 rows: the forward (nt), the
# input gradient (nn) and the weight gradient (tn) of the MLP's two layers, the q/k/v and the attention projection.
# The two alternate for ROUNDS rounds; then each shape's median GFLOP/s and their ratio. Needs Debian's
# libopenblas0-pthread and python3-numpy. Arguments (e.g. --seconds 2) are passed to both sides.
SHAPES=(nt:4096x1536x384 nn:4096x384x1536 tn:1536x384x4096
        nt:4096x384x1536 nn:4096x1536x384 tn:384x1536x4096
        nt:4096x1152x384 nn:4096x384x1152 tn:1152x384x4096
        nt:4096x384x384 nn:4096x384x384 tn:384x384x4096)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rounds=${ROUNDS:-3}
log=$(mktemp -d)
for round in $(seq "$rounds"); do
  echo "== round $round, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  "$root/bin/emerald" bench sgemm "${SHAPES[@]}" "$@" | tee "$log/emerald-$round"
  env -u OPENBLAS_CORETYPE /usr/bin/python3 "$root/bench/sgemm_openblas.py" "${SHAPES[@]}" "$@" | tee "$log/openblas-$round"
done

gflops() { for r in $(seq "$rounds"); do awk -v s="$2" '$1 == s {print $3}' "$log/$1-$r"; done; }
median() { sort -n | awk '{a[NR] = $1} END {print (a[int((NR + 1) / 2)] + a[int(NR / 2) + 1]) / 2}'; }
echo "== GFLOP/s, median of $rounds rounds; load average now $(cut -d' ' -f1-3 /proc/loadavg)"
for shape in "${SHAPES[@]}"; do
  awk -v s="$shape" -v e="$(gflops emerald "$shape" | median)" -v o="$(gflops openblas "$shape" | median)" \
    'BEGIN {printf "%-18s emerald %6.1f  openblas %6.1f  ratio %.2f\n", s, e, o, e / o}'
done
rm -r "$log"

#!/usr/bin/env bash
# Cold start-up, paired and interleaved: runs command A then command B, N times (A B A B ...),
# each a fresh process with its output discarded, and prints the median wall time of each in ms
# and the ratio of the medians (B / A). Interleaving keeps a noisy, shared machine's drift out of
# the ratio.
#   bench/startup.sh N 'A command' 'B command'
#   bench/startup.sh 21 'dotnet Host/Cli/bin/Debug/net10.0/daxholder.dll --version' \
#                       'dotnet Host/Cli/bin/Debug/net10.0/daxholder.dll demo'
set -uo pipefail
n=$1 a=$2 b=$3
ms() { local s e; s=$(date +%s%N); bash -c "$1" >/dev/null 2>&1; e=$(date +%s%N); echo $(((e - s) / 1000000)); }
median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
ms "$a" >/dev/null; ms "$b" >/dev/null    # one warm-up each: the file cache, not the process
as=() bs=()
for _ in $(seq "$n"); do
    as+=("$(ms "$a")")
    bs+=("$(ms "$b")")
done
ma=$(printf '%s\n' "${as[@]}" | median)
mb=$(printf '%s\n' "${bs[@]}" | median)
echo "A median ${ma} ms: $a"
echo "B median ${mb} ms: $b"
awk -v a="$ma" -v b="$mb" 'BEGIN {printf "B / A = %.2f (n = %d pairs)\n", b / a, '"$n"'}'

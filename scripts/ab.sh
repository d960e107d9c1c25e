#!/usr/bin/env bash
# Paired A/B of two dossier binaries: builds the same site with each in
# alternation (A, B, A, B, …) so that the machine's drift hits both alike,
# output on tmpfs, and prints each run and the medians of wall time and peak RSS.
#
#   scripts/ab.sh OLD_BINARY NEW_BINARY SITE [RUNS]
#
# The site is built once with each binary first (warm-up, not counted).
set -euo pipefail
a="$1"; b="$2"; site="$3"; runs="${4:-5}"
out="$(mktemp -d /dev/shm/ab.XXXXXX)"
trap 'rm -rf "$out"' EXIT
one() { # binary → "seconds KiB"
    rm -rf "$out/public"
    /usr/bin/time -f "%e %M" -o "$out/time" "$1" build --root "$site" --output "$out/public" >/dev/null 2>&1
    cat "$out/time"
}
one "$a" >/dev/null; one "$b" >/dev/null
: >"$out/a"; : >"$out/b"
for i in $(seq "$runs"); do
    ra="$(one "$a")"; rb="$(one "$b")"
    echo "$ra" >>"$out/a"; echo "$rb" >>"$out/b"
    echo "run $i: A $ra   B $rb"
done
median() { sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
for side in a b; do
    wall="$(cut -d' ' -f1 "$out/$side" | median)"
    rss="$(cut -d' ' -f2 "$out/$side" | median)"
    echo "median $side: ${wall} s, $((${rss%.*} / 1024)) MiB"
done

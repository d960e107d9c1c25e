#!/usr/bin/env bash
# Byte-identity check for refactors: builds the same sites with two dossier
# binaries and compares the outputs file by file.
#
#   scripts/identical.sh OLD_BINARY NEW_BINARY [SITE_DIR…]
#
# Without SITE_DIR it builds the bundled example (this repository's root) and
# every site under tests/fixtures/, each three ways: plainly, with --drafts,
# and under a sub-path base URL. Exit 0 when every output is identical.
set -euo pipefail
old="$1"; new="$2"; shift 2
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sites=("$@")
if [[ ${#sites[@]} -eq 0 ]]; then
    sites=("$repo")
    for f in "$repo"/tests/fixtures/*/; do sites+=("${f%/}"); done
fi
work="$(mktemp -d /dev/shm/identical.XXXXXX)"
trap 'rm -rf "$work"' EXIT
status=0
n=0
for site in "${sites[@]}"; do
    for variant in plain drafts subpath; do
        case "$variant" in
            plain) args=() ;;
            drafts) args=(--drafts) ;;
            subpath) args=(--base-url "https://example.org/sub/") ;;
        esac
        n=$((n + 1))
        for side in old new; do
            bin="$old"; [[ $side == new ]] && bin="$new"
            set +e
            "$bin" build --root "$site" --output "$work/$n-$side" "${args[@]}" \
                >"$work/$n-$side.out" 2>"$work/$n-$side.err"
            echo $? >"$work/$n-$side.rc"
            set -e
        done
        if ! cmp -s "$work/$n-old.rc" "$work/$n-new.rc"; then
            echo "DIFFERENT exit status: $site ($variant)"; status=1; continue
        fi
        if [[ -d "$work/$n-old" ]] && ! diff -r -q "$work/$n-old" "$work/$n-new" >"$work/$n.diff"; then
            echo "DIFFERENT output: $site ($variant)"; head -20 "$work/$n.diff"; status=1; continue
        fi
        if [[ $(cat "$work/$n-old.rc") != 0 ]] && ! diff -q "$work/$n-old.err" "$work/$n-new.err" >/dev/null; then
            echo "DIFFERENT errors: $site ($variant)"; diff "$work/$n-old.err" "$work/$n-new.err" | head -20; status=1; continue
        fi
        echo "identical: $site ($variant, exit $(cat "$work/$n-old.rc"), $(find "$work/$n-old" -type f 2>/dev/null | wc -l) files)"
        rm -rf "$work/$n-old" "$work/$n-new"
    done
done
exit $status

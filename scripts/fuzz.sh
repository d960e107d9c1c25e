#!/usr/bin/env bash
# Runs every cargo-fuzz target of fuzz/ for a while (issue 5: 10 minutes each).
#
#   scripts/fuzz.sh            # 600 s per target
#   scripts/fuzz.sh 60         # 60 s per target
#   scripts/fuzz.sh 600 slug   # one target
#
# Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
# New inputs go to a scratch corpus; the checked-in seeds in fuzz/corpus/
# are only read. A crash, timeout or out-of-memory leaves its input in
# fuzz/artifacts/<target>/ and makes the script exit non-zero. Each target
# is limited to 2 GB of memory and 10 s per input, on one core.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

SECONDS_PER_TARGET="${1:-600}"
shift || true
TARGETS=("$@")
if [ "${#TARGETS[@]}" -eq 0 ]; then
    TARGETS=(front_matter markdown slug config embed)
fi

if ! rustup toolchain list | grep -q '^nightly'; then
    echo "fuzz.sh: no nightly toolchain (rustup toolchain install nightly)" >&2
    exit 2
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "fuzz.sh: cargo-fuzz is missing (cargo install cargo-fuzz)" >&2
    exit 2
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cargo +nightly fuzz build

status=0
for target in "${TARGETS[@]}"; do
    mkdir -p "$WORK/$target"
    echo "== $target: ${SECONDS_PER_TARGET}s"
    log="$WORK/$target.log"
    if cargo +nightly fuzz run "$target" "$WORK/$target" "corpus/$target" -- \
        -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
        >"$log" 2>&1; then
        grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb|^Done ' "$log" || tail -3 "$log"
    else
        echo "!! $target failed; see fuzz/artifacts/$target/" >&2
        tail -40 "$log" >&2
        status=1
    fi
done
exit "$status"

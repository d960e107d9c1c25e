#!/usr/bin/env bash
# Screenshots of every page kind of a dossier site, at phone and desktop
# widths, in light and dark colour schemes.
#
#   scripts/screenshots.sh [OUT_DIR] [SITE_ROOT]
#
# Builds SITE_ROOT (default: the repository, i.e. the bundled example) into a
# temporary folder, serves it on a free local port, shoots each page with
# headless Chromium (Debian: `apt-get install -y chromium`) and stops the
# server. PNGs land in OUT_DIR (default: target/screenshots), named
# <page>-<width>-<scheme>.png. Set PAGES to shoot other URLs, e.g.
#   PAGES="home=/ about=/about/" scripts/screenshots.sh
# and DOSSIER to use an already built binary instead of `cargo run`.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
out="$(realpath -m "${1:-$repo/target/screenshots}")"
site="$(realpath "${2:-$repo}")"

chromium_bin="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
if [[ -z "$chromium_bin" ]]; then
  echo "error: Chromium not found; install it (Debian: apt-get install -y chromium)" >&2
  exit 2
fi

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "== building $site"
if [[ -n "${DOSSIER:-}" ]]; then
  "$DOSSIER" build --root "$site" --output "$work/public"
else
  (cd "$repo" && cargo run --quiet --release -- build --root "$site" --output "$work/public")
fi

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$work/public" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 50); do
  if python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/')" 2>/dev/null; then break; fi
  sleep 0.1
done
echo "== serving on http://127.0.0.1:$port/"

# Page kinds of the bundled example: name=path.
default_pages=(
  home=/
  home-page2=/page/2/
  brief-sidenotes=/briefs/microsoft-foreign-government-cloud/
  brief-callout=/briefs/jedi-contract-what-really-happened/
  company=/companies/microsoft/
  company-empty=/companies/rean-cloud/
  contract=/contracts/jedi/
  companies=/companies/
  companies-by-activity=/companies/#by-activity
  contracts=/contracts/
  tags=/tags/
  tag=/tags/cloud-computing/
  page=/methodology/
  not-found=/404.html
)
if [[ -n "${PAGES:-}" ]]; then read -r -a pages <<<"$PAGES"; else pages=("${default_pages[@]}"); fi

mkdir -p "$out"
shoot() { # name url width height scheme
  local flags=(--blink-settings=preferredColorScheme=1)
  if [[ "$5" == dark ]]; then flags=(--force-dark-mode --blink-settings=preferredColorScheme=0); fi
  timeout 120 "$chromium_bin" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --hide-scrollbars \
    --user-data-dir="$work/profile" "${flags[@]}" --window-size="$3,$4" \
    --screenshot="$out/$1-$3-$5.png" "$2" >/dev/null 2>&1
}
for entry in "${pages[@]}"; do
  name="${entry%%=*}"
  path="${entry#*=}"
  for scheme in light dark; do
    shoot "$name" "http://127.0.0.1:$port$path" 1280 3200 "$scheme"
    shoot "$name" "http://127.0.0.1:$port$path" 390 6000 "$scheme"
  done
  echo "   $name ($path)"
done
echo "== $(ls "$out"/*.png | wc -l) screenshots in $out"

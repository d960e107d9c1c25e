#!/usr/bin/env bash
# Installs dossier on a GitHub Actions runner, for action.yml: the release
# binary for the runner, after checking its SHA-256 against the release's
# SHA256SUMS; or, when the repository has no release yet, built from source
# at the action's own ref with `cargo install`.
#
# Environment (action.yml sets these):
#   DOSSIER_REPOSITORY  owner/name of the repository the action comes from
#   DOSSIER_REF         the action's ref (a tag, branch or commit)
#   DOSSIER_VERSION     a release tag (v0.2.0), `latest`, or empty: the
#                       release named like the action's ref when it is a
#                       v* tag, else the latest release
#   DOSSIER_BIN_DIR     where the binary goes (default: $RUNNER_TEMP/dossier-bin)
#   DOSSIER_RELEASES    the releases' base URL (default:
#                       https://github.com/$DOSSIER_REPOSITORY/releases);
#                       tests point it at a local folder (file://…)
#   RUNNER_OS, RUNNER_ARCH, GITHUB_PATH  from the runner
set -euo pipefail

say() { echo "dossier install: $*" >&2; }
fail() { echo "::error::dossier install: $*" >&2; exit 1; }

repository="${DOSSIER_REPOSITORY:-}"
ref="${DOSSIER_REF:-}"
# Inside a composite action the runner may leave github.action_repository
# and github.action_ref empty; the action's folder names both
# (…/_actions/OWNER/NAME/REF).
if [[ -z "$repository" && "${GITHUB_ACTION_PATH:-}" == */_actions/*/*/* ]]; then
  IFS=/ read -r owner name action_ref _ <<< "${GITHUB_ACTION_PATH#*/_actions/}"
  repository="$owner/$name"
  ref="${ref:-$action_ref}"
fi
[[ -n "$repository" ]] || fail "the action's repository is unknown (DOSSIER_REPOSITORY)"
releases="${DOSSIER_RELEASES:-https://github.com/$repository/releases}"
bin_dir="${DOSSIER_BIN_DIR:-${RUNNER_TEMP:-/tmp}/dossier-bin}"

case "${RUNNER_OS:-$(uname -s)}/${RUNNER_ARCH:-$(uname -m)}" in
  Linux/X64|Linux/x86_64) target=x86_64-unknown-linux-musl ;;
  Linux/ARM64|Linux/aarch64) target=aarch64-unknown-linux-musl ;;
  macOS/X64|Darwin/x86_64) target=x86_64-apple-darwin ;;
  macOS/ARM64|Darwin/arm64) target=aarch64-apple-darwin ;;
  Windows/X64) target=x86_64-pc-windows-msvc ;;
  *) target= ;;
esac
case "$target" in
  *windows*) archive="dossier-$target.zip"; exe=dossier.exe ;;
  *) archive="dossier-$target.tar.gz"; exe=dossier ;;
esac

version="${DOSSIER_VERSION:-}"
if [[ -z "$version" && "$ref" == v* ]]; then
  version="$ref"
fi
case "$version" in
  ""|latest) url="$releases/latest/download" ;;
  *) url="$releases/download/$version" ;;
esac

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [[ -x "$bin_dir/$exe" ]]; then
  # Restored by action.yml's cache (a binary built from source at this ref).
  say "using the cached $bin_dir/$exe"
  [[ -z "${GITHUB_PATH:-}" ]] || echo "$bin_dir" >> "$GITHUB_PATH"
  "$bin_dir/$exe" --version
  exit 0
fi

from_source() {
  command -v cargo >/dev/null || fail "no release binary for this runner, and no cargo to build one"
  local git="https://github.com/$repository"
  say "building from source: cargo install --locked --git $git ${ref:+--rev $ref} dossier-ssg"
  # --version names this ref, as a release binary's names its commit.
  DOSSIER_COMMIT="${ref:-}" cargo install --locked --git "$git" ${ref:+--rev "$ref"} --root "$work/root" dossier-ssg
  mkdir -p "$bin_dir"
  cp "$work/root/bin/$exe" "$bin_dir/$exe"
}

if [[ -n "$target" ]] && curl -fsSL -o "$work/$archive" "$url/$archive"; then
  curl -fsSL -o "$work/SHA256SUMS" "$url/SHA256SUMS" || fail "the release has $archive but no SHA256SUMS at $url"
  expected="$(awk -v name="$archive" '$2 == name || $2 == "*" name { print $1 }' "$work/SHA256SUMS")"
  [[ -n "$expected" ]] || fail "SHA256SUMS at $url does not list $archive"
  if command -v sha256sum >/dev/null; then
    actual="$(sha256sum "$work/$archive" | awk '{ print $1 }')"
  else
    actual="$(shasum -a 256 "$work/$archive" | awk '{ print $1 }')"
  fi
  [[ "$actual" == "$expected" ]] || fail "checksum mismatch for $archive: expected $expected, got $actual; not installing it"
  mkdir -p "$bin_dir"
  case "$archive" in
    *.zip) unzip -q -o "$work/$archive" -d "$work/unpacked" ;;
    *) mkdir -p "$work/unpacked" && tar -xzf "$work/$archive" -C "$work/unpacked" ;;
  esac
  found="$(find "$work/unpacked" -type f -name "$exe" | head -n 1)"
  [[ -n "$found" ]] || fail "$archive has no $exe"
  cp "$found" "$bin_dir/$exe"
  chmod +x "$bin_dir/$exe"
  say "installed $archive ($version${version:+ }from $url), SHA-256 $actual"
elif [[ -n "$version" && "$version" != latest ]]; then
  fail "no $archive in release $version ($url)"
else
  say "no release to download${target:+ for $target}; building the action's own ref"
  from_source
fi

if [[ -n "${GITHUB_PATH:-}" ]]; then
  echo "$bin_dir" >> "$GITHUB_PATH"
fi
"$bin_dir/$exe" --version

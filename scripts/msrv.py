#!/usr/bin/env python3
"""Checks the `rust-version` Cargo.toml declares against what it can be
checked against offline, with the one toolchain CI has:

- every dependency in Cargo.lock that declares a rust-version declares one
  no newer than ours (cargo's resolver prefers such versions; this fails if
  one slipped in);
- our own code's use of the standard library is checked by clippy's
  `incompatible_msrv` lint, which reads the same field (.ci/run runs clippy
  with -D warnings).

Usage: python3 scripts/msrv.py   (from the repository root)
"""
import json
import subprocess
import sys


def version(text):
    """`1.89` and `1.89.0` alike, for comparing."""
    parts = [int(part) for part in text.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


def main():
    metadata = json.loads(
        subprocess.run(
            # Not --offline: metadata needs every platform's crates, and a
            # fresh machine's cache holds only this one's (cargo downloads
            # the others' manifests; with a full cache it uses no network).
            ["cargo", "metadata", "--format-version", "1", "--locked"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    root = next(p for p in metadata["packages"] if p["id"] == metadata["resolve"]["root"])
    ours = root.get("rust_version")
    if not ours:
        sys.exit("Cargo.toml declares no rust-version")
    newer = sorted(
        f"{p['name']} {p['version']} needs Rust {p['rust_version']}"
        for p in metadata["packages"]
        if p is not root and p.get("rust_version") and version(p["rust_version"]) > version(ours)
    )
    if newer:
        print(f"rust-version = {ours}, but:", *newer, sep="\n  ")
        sys.exit(1)
    declared = sum(1 for p in metadata["packages"] if p.get("rust_version"))
    print(f"rust-version {ours}: no dependency needs newer ({declared} of {len(metadata['packages'])} declare one)")


if __name__ == "__main__":
    main()

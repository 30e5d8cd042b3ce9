#!/usr/bin/env bash
# The browser bundle's size as it leaves the server: raw, gzip and brotli bytes of the
# main wasm (the first page's), its JavaScript, the chunk loader, the stylesheet and
# each lazy route group's chunks in target/site/pkg (built by
# scripts/build-site.sh, which also writes the .gz and .br files served). Writes
# bench/results/wasm.json and prints a table. Build first: bash scripts/build-site.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PKG="$ROOT/target/site/pkg"
[ -d "$PKG" ] || { echo "no $PKG: run scripts/build-site.sh first" >&2; exit 1; }
# The current build's files (the previous build's stay beside them one more build).
HASHES="${CARGO_TARGET_DIR:-$ROOT/target}/release/faultdesk-hash.txt"
[ -f "$HASHES" ] || { echo "no $HASHES: run scripts/build-site.sh first" >&2; exit 1; }
python3 - "$PKG" "$ROOT/bench/results/wasm.json" "$HASHES" <<'PY'
import datetime as dt, json, os, re, sys
pkg, out = sys.argv[1], sys.argv[2]
with open(sys.argv[3]) as f:
    current = {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in f if ":" in line)}
size = lambda p: os.path.getsize(p) if os.path.exists(p) else None
def row(name, kind):
    path = os.path.join(pkg, name)
    return {"file": name, "kind": kind, "raw_bytes": size(path),
            "gzip_bytes": size(path + ".gz"), "brotli_bytes": size(path + ".br")}
# What every page loads: the main module (the shell, the router and the start page),
# its JavaScript, the chunk loader and the stylesheet.
rows = []
for name in sorted(os.listdir(pkg)):
    m = re.fullmatch(r"(faultdesk|__wasm_split)\.([0-9a-f]{16})\.(wasm|js|css)", name)
    if m and m.group(2) == current["css" if m.group(3) == "css" else "split"]:
        rows.append(row(name, "loader" if m.group(1) == "__wasm_split" else m.group(3)))
wasm = next(r for r in rows if r["kind"] == "wasm")
# The lazy chunks, by route group (app/src/pages/lazy.rs): what the manifest says a
# group's pages need on top of the main module.
manifest = f"__wasm_split_manifest.{current['manifest']}.json"
groups, chunks = {}, {}
if os.path.exists(os.path.join(pkg, manifest)):
    with open(os.path.join(pkg, manifest)) as f:
        for split, files in sorted(json.load(f).items()):
            group = re.sub(r"_\d+$", "", split)
            parts = [row(c + ".wasm", "chunk") for c in files]
            for p in parts:
                chunks[p["file"]] = p
            groups[group] = {k: sum(p[k] for p in parts) for k in ("raw_bytes", "gzip_bytes", "brotli_bytes")}
            groups[group]["files"] = len(parts)
result = {
    "measured_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    "what": "the first page's wasm (the main module: shell, router and start page; every other page is a lazy route), after wasm-opt -Oz; lazy_groups: what each route group's pages add",
    "build": os.environ.get("WASM_BUILD_NOTE", "scripts/build-site.sh with the profile it was run with (CI: wasm-release without LTO, 16 codegen units; scripts/run.sh: fat LTO, 1 codegen unit)"),
    "raw_bytes": wasm["raw_bytes"], "gzip_bytes": wasm["gzip_bytes"],
    "brotli_bytes": wasm["brotli_bytes"], "files": rows,
    "lazy_groups": groups, "lazy_chunks": sorted(chunks.values(), key=lambda r: r["file"]),
}
# Earlier measurements stay: the previous headline goes into "history", and notes kept
# by hand (such as "full_profile") are carried over.
try:
    with open(out) as f:
        before = json.load(f)
except (OSError, ValueError):
    before = {}
for key, value in before.items():
    if key not in result and key != "history":
        result[key] = value
history = before.get("history", [])
if before.get("raw_bytes") and before.get("raw_bytes") != result["raw_bytes"]:
    history.append({"measured_at": before.get("measured_at"), "what": before.get("build"),
                    "raw_bytes": before["raw_bytes"], "gzip_bytes": before.get("gzip_bytes"),
                    "brotli_bytes": before.get("brotli_bytes")})
result["history"] = history
os.makedirs(os.path.dirname(out), exist_ok=True)
with open(out, "w") as f:
    json.dump(result, f, indent=2)
    f.write("\n")
print("| file | raw | gzip | brotli |\n|---|---:|---:|---:|")
for r in rows:
    print(f"| {r['kind']} | {r['raw_bytes']:,} | {r['gzip_bytes']:,} | {r['brotli_bytes']:,} |")
for g, r in groups.items():
    print(f"| lazy: {g} ({r['files']} files) | {r['raw_bytes']:,} | {r['gzip_bytes']:,} | {r['brotli_bytes']:,} |")
PY

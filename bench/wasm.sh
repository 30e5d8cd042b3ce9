#!/usr/bin/env bash
# The browser bundle's size as it leaves the server: raw, gzip and brotli bytes of the
# wasm, its JavaScript and the stylesheet in target/site/pkg (built by
# scripts/build-site.sh, which also writes the .gz and .br files served). Writes
# bench/results/wasm.json and prints a table. Build first: bash scripts/build-site.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PKG="$ROOT/target/site/pkg"
[ -d "$PKG" ] || { echo "no $PKG: run scripts/build-site.sh first" >&2; exit 1; }
python3 - "$PKG" "$ROOT/bench/results/wasm.json" <<'PY'
import datetime as dt, json, os, re, sys
pkg, out = sys.argv[1], sys.argv[2]
rows = []
for name in sorted(os.listdir(pkg)):
    m = re.fullmatch(r"faultdesk\.([0-9a-f]{16})\.(wasm|js|css)", name)
    if not m:
        continue
    path = os.path.join(pkg, name)
    size = lambda p: os.path.getsize(p) if os.path.exists(p) else None
    rows.append({"file": name, "kind": m.group(2), "raw_bytes": size(path),
                 "gzip_bytes": size(path + ".gz"), "brotli_bytes": size(path + ".br")})
wasm = next(r for r in rows if r["kind"] == "wasm")
result = {
    "measured_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    "what": "the one wasm bundle every page loads (no lazy chunks yet), after wasm-opt -Oz",
    "build": os.environ.get("WASM_BUILD_NOTE", "scripts/build-site.sh with the profile it was run with (CI: wasm-release without LTO, 16 codegen units; scripts/run.sh: fat LTO, 1 codegen unit)"),
    "raw_bytes": wasm["raw_bytes"], "gzip_bytes": wasm["gzip_bytes"],
    "brotli_bytes": wasm["brotli_bytes"], "files": rows,
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
PY

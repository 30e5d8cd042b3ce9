#!/usr/bin/env bash
# Builds Faultdesk for release with plain cargo (what cargo-leptos would do, without
# having to compile cargo-leptos first): the server binary, the browser bundle
# (wasm-bindgen, then binaryen's wasm-opt), the stylesheet and the public assets, into
# target/site. `[[workspace.metadata.leptos]]` in Cargo.toml still describes the same
# layout, so `cargo leptos serve` works too for those who have it.
#   bash scripts/build-site.sh          (needs what scripts/setup.sh installs)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$ROOT/end2end/node_modules/.bin:$PATH"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
SITE="$ROOT/target/site"
say() { printf '\033[1;34m[build]\033[0m %s\n' "$*"; }

# The server and the wasm build at the same time (as cargo-leptos does, each in a
# target folder of its own so neither waits for the other's lock): each ends in one
# long serial compile (the app crate), so together they use both cores.
FRONT_DIR="$TARGET_DIR/front"
say "compiling the server and the browser bundle (release)"
cargo build --release --locked -p server &
server=$!
cargo build --profile wasm-release --locked -p frontend --target wasm32-unknown-unknown \
  --target-dir "$FRONT_DIR"
wait "$server"

say "assembling $SITE"
rm -rf "$SITE.new"
mkdir -p "$SITE.new/pkg"
cp -R public/. "$SITE.new/"
wasm-bindgen --target web --no-typescript --out-dir "$SITE.new/pkg" --out-name faultdesk \
  "$FRONT_DIR/wasm32-unknown-unknown/wasm-release/frontend.wasm"
wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  -o "$SITE.new/pkg/faultdesk_bg.wasm" "$SITE.new/pkg/faultdesk_bg.wasm"
cp style/main.css "$SITE.new/pkg/faultdesk.css"

# Content-hashed names (the server reads them from faultdesk-hash.txt next to its
# binary and serves /pkg with a year-long cache), and brotli + gzip files beside each,
# sent as they are to browsers that accept them.
hash() { sha256sum "$1" | cut -c1-16; }
JS_HASH="$(hash "$SITE.new/pkg/faultdesk.js")"
WASM_HASH="$(hash "$SITE.new/pkg/faultdesk_bg.wasm")"
CSS_HASH="$(hash "$SITE.new/pkg/faultdesk.css")"
mv "$SITE.new/pkg/faultdesk.js" "$SITE.new/pkg/faultdesk.$JS_HASH.js"
mv "$SITE.new/pkg/faultdesk_bg.wasm" "$SITE.new/pkg/faultdesk.$WASM_HASH.wasm"
mv "$SITE.new/pkg/faultdesk.css" "$SITE.new/pkg/faultdesk.$CSS_HASH.css"
for f in "$SITE.new"/pkg/faultdesk.*; do
  gzip -9 -k -n "$f"
  node -e 'const fs = require("fs"), z = require("zlib"); const f = process.argv[1];
    fs.writeFileSync(f + ".br", z.brotliCompressSync(fs.readFileSync(f), { params: {
      [z.constants.BROTLI_PARAM_QUALITY]: 11, [z.constants.BROTLI_PARAM_SIZE_HINT]: fs.statSync(f).size } }));' "$f"
done
rm -rf "$SITE"
mv "$SITE.new" "$SITE"
printf 'js: %s\nwasm: %s\ncss: %s\n' "$JS_HASH" "$WASM_HASH" "$CSS_HASH" > "$TARGET_DIR/release/faultdesk-hash.txt"
WASM="$SITE/pkg/faultdesk.$WASM_HASH.wasm"
say "built: $TARGET_DIR/release/server and $SITE (wasm: $(du -b "$WASM" | cut -f1) bytes, $(du -b "$WASM.br" | cut -f1) brotli, $(du -b "$WASM.gz" | cut -f1) gzip)"

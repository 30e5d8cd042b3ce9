#!/usr/bin/env bash
# Builds Faultdesk for release with plain cargo (what cargo-leptos would do, without
# having to compile cargo-leptos first): the server binary, the browser bundle (split at
# its lazy routes and run through wasm-bindgen by scripts/wasm-bundle, then binaryen's
# wasm-opt), the stylesheet and the public assets, into
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
# target folder of its own so neither waits for the other's lock). The server's build
# is the longer one and ends in the serial compile of the app crate, so the browser
# bundle and the bundler tool yield to it (nice) and fill the core that leaves idle:
# on a cold two-core machine that is what keeps the first run short.
FRONT_DIR="$TARGET_DIR/front"
# scripts/wasm-bundle runs wasm-bindgen as a library, which must be the version the
# browser build links (the JS glue and the wasm must agree).
lock_version() { awk -v n="$1" '$0 == "name = \"" n "\"" { getline; gsub(/[^0-9.]/, ""); print; exit }' "$2"; }
WANT="$(lock_version wasm-bindgen Cargo.lock)"
HAVE="$(lock_version wasm-bindgen-cli-support scripts/wasm-bundle/Cargo.lock)"
if [ "$WANT" != "$HAVE" ]; then
  echo "scripts/wasm-bundle uses wasm-bindgen-cli-support $HAVE but Cargo.lock has wasm-bindgen $WANT:" >&2
  echo "set wasm-bindgen-cli-support = \"=$WANT\" in scripts/wasm-bundle/Cargo.toml" >&2
  exit 1
fi
say "compiling the server and the browser bundle (release)"
cargo build --release --locked -p server &
server=$!
# --emit-relocs: the splitter (below) needs the linker's relocations.
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-Clink-args=--emit-relocs" \
  nice -n 19 cargo build --profile wasm-release --locked -p frontend \
  --target wasm32-unknown-unknown --target-dir "$FRONT_DIR" &
wasm=$!
trap 'kill "$server" "$wasm" 2>/dev/null || true' EXIT
wait "$server"
# The bundler (a small build tool of ours over wasm_split_cli_support and
# wasm-bindgen-cli-support; seconds once built), once the server is built: beside the
# end of the wasm build (its app crate and link, mostly on one core). Started earlier,
# its dependencies took the idle core from the wasm build's (first run 830 s, not 758 s).
nice -n 19 cargo build --release --locked --manifest-path scripts/wasm-bundle/Cargo.toml \
  --target-dir "$TARGET_DIR/tools"
wait "$wasm"
trap - EXIT

say "assembling $SITE"
rm -rf "$SITE.new"
mkdir -p "$SITE.new/pkg"
cp -R public/. "$SITE.new/"
# Split the bundle at its lazy routes (app/src/pages/lazy.rs): the main module, which
# wasm-bindgen then turns into faultdesk_bg.wasm and faultdesk.js, plus one wasm chunk
# per route group and per piece of code the groups share, the loader that fetches them,
# and the manifest the server reads to preload a page's chunks. The placeholder becomes
# the content hash below.
PLACEHOLDER="________________"
SPLIT="$FRONT_DIR/split"
mkdir -p "$SPLIT"
"$TARGET_DIR/tools/release/faultdesk-wasm-bundle" \
  "$FRONT_DIR/wasm32-unknown-unknown/wasm-release/frontend.wasm" "$SITE.new/pkg" \
  faultdesk "$PLACEHOLDER" > "$SPLIT/chunks.txt"
for wasm in "$SITE.new/pkg/faultdesk_bg.wasm" $(sed "s|^|$SITE.new/pkg/|" "$SPLIT/chunks.txt"); do
  wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue -o "$wasm" "$wasm" &
done
wait
cp style/main.css "$SITE.new/pkg/faultdesk.css"

# Content-hashed names (the server reads them from faultdesk-hash.txt next to its
# binary and serves /pkg with a year-long cache): one hash names the main module, the
# loader, the manifest and the chunks (scripts/hash-pkg.mjs), the stylesheet its own.
# Brotli and gzip files go beside each, sent as they are to browsers that accept them.
HASH="$(node scripts/hash-pkg.mjs "$SITE.new/pkg" "$PLACEHOLDER")"
CSS_HASH="$(sha256sum "$SITE.new/pkg/faultdesk.css" | cut -c1-16)"
mv "$SITE.new/pkg/faultdesk.css" "$SITE.new/pkg/faultdesk.$CSS_HASH.css"
for f in "$SITE.new"/pkg/*.js "$SITE.new"/pkg/*.wasm "$SITE.new"/pkg/*.css; do
  gzip -9 -k -n "$f"
  node -e 'const fs = require("fs"), z = require("zlib"); const f = process.argv[1];
    fs.writeFileSync(f + ".br", z.brotliCompressSync(fs.readFileSync(f), { params: {
      [z.constants.BROTLI_PARAM_QUALITY]: 11, [z.constants.BROTLI_PARAM_SIZE_HINT]: fs.statSync(f).size } }));' "$f"
done
# The previous build's bundle stays one more build (a page opened before a redeploy
# still fetches its old chunks).
HASHES="$TARGET_DIR/release/faultdesk-hash.txt"
bash scripts/keep-previous-bundle.sh "$SITE/pkg" "$SITE.new/pkg" "$HASHES" "$HASH"
rm -rf "$SITE"
mv "$SITE.new" "$SITE"
printf 'js: %s\nwasm: %s\ncss: %s\nsplit: %s\nmanifest: %s\n' "$HASH" "$HASH" "$CSS_HASH" "$HASH" "$HASH" \
  > "$HASHES"
WASM="$SITE/pkg/faultdesk.$HASH.wasm"
say "built: $TARGET_DIR/release/server and $SITE (main wasm: $(du -b "$WASM" | cut -f1) bytes, $(du -b "$WASM.br" | cut -f1) brotli, $(du -b "$WASM.gz" | cut -f1) gzip; $(wc -l < "$SPLIT/chunks.txt") lazy chunks)"

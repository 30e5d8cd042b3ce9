#!/usr/bin/env bash
# Tests scripts/keep-previous-bundle.sh on a mock site: the previous build's bundle (its
# main module, loader, manifest, chunks and their compressed copies) is carried into the
# new one; the build before it, the old stylesheet (its own hash) and anything else are
# not; an unchanged hash, a missing hash file or a missing old site change nothing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
KEEP="$ROOT/scripts/keep-previous-bundle.sh"
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
OLD=1111111111111111 OLDER=2222222222222222 NEW=3333333333333333 CSS=4444444444444444
fail() { echo "FAIL: $*" >&2; exit 1; }
sorted() { printf '%s\n' "$@" | LC_ALL=C sort | tr '\n' ' '; }
listing() { (cd "$1" && ls | LC_ALL=C sort | tr '\n' ' '); }

mkdir -p "$T/old" "$T/new"
for f in faultdesk.$OLD.wasm faultdesk.$OLD.wasm.br faultdesk.$OLD.js.gz __wasm_split.$OLD.js \
  __wasm_split_manifest.$OLD.json chunk_5.$OLD.wasm split_desk_pages_1.$OLD.wasm.br \
  faultdesk.$OLDER.wasm chunk_5.$OLDER.wasm faultdesk.$CSS.css faultdesk.$CSS.css.br; do
  echo "$f" > "$T/old/$f"
done
touch "$T/new/faultdesk.$NEW.wasm"
printf 'js: %s\nwasm: %s\ncss: %s\nsplit: %s\nmanifest: %s\n' $OLD $OLD $CSS $OLD $OLD > "$T/hashes"

bash "$KEEP" "$T/old" "$T/new" "$T/hashes" $NEW
want="$(sorted faultdesk.$NEW.wasm faultdesk.$OLD.wasm faultdesk.$OLD.wasm.br faultdesk.$OLD.js.gz \
  __wasm_split.$OLD.js __wasm_split_manifest.$OLD.json chunk_5.$OLD.wasm split_desk_pages_1.$OLD.wasm.br)"
[ "$(listing "$T/new")" = "$want" ] || fail "kept: $(listing "$T/new"); wanted: $want"
[ "$(cat "$T/new/chunk_5.$OLD.wasm")" = "chunk_5.$OLD.wasm" ] || fail "a kept file's content changed"

# The same hash again (a rebuild of the same code): nothing to keep.
rm -rf "$T/new" && mkdir "$T/new"
bash "$KEEP" "$T/old" "$T/new" "$T/hashes" $OLD
[ -z "$(listing "$T/new")" ] || fail "same hash kept $(listing "$T/new")"

# First build: no hash file, no old site.
bash "$KEEP" "$T/none" "$T/new" "$T/no-such-file" $NEW
[ -z "$(listing "$T/new")" ] || fail "first build kept $(listing "$T/new")"

# A hash file that is not ours is refused rather than used in a file pattern.
printf 'split: *\n' > "$T/bad"
if bash "$KEEP" "$T/old" "$T/new" "$T/bad" $NEW 2>/dev/null; then fail "accepted split: *"; fi
[ -z "$(listing "$T/new")" ] || fail "bad hash kept $(listing "$T/new")"
echo "keep-previous-bundle: ok"

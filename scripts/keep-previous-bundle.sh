#!/usr/bin/env bash
# Keeps the previous build's browser bundle for one more build (called by build-site.sh):
# a page opened before a redeploy still has the old main module, which fetches the old
# chunks when it first shows a lazy page. Their names carry the old content hash, so
# nothing collides; the build before that is dropped.
#   bash scripts/keep-previous-bundle.sh OLD_PKG_DIR NEW_PKG_DIR HASH_FILE NEW_HASH
# HASH_FILE is the previous build's faultdesk-hash.txt (its `split:` line names the old
# bundle); nothing happens when it or OLD_PKG_DIR is missing or the hash is unchanged.
set -euo pipefail
OLD_PKG="$1" NEW_PKG="$2" HASHES="$3" NEW_HASH="$4"
OLD="$(awk '$1 == "split:" { print $2 }' "$HASHES" 2>/dev/null || true)"
case "$OLD" in
  "" | "$NEW_HASH") exit 0 ;;
  *[!0-9a-f]*) echo "keep-previous-bundle: unexpected hash '$OLD' in $HASHES" >&2; exit 1 ;;
esac
if [ -d "$OLD_PKG" ]; then
  find "$OLD_PKG" -maxdepth 1 -type f -name "*.$OLD.*" -exec cp -p {} "$NEW_PKG/" \;
fi

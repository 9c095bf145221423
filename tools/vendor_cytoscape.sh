#!/usr/bin/env bash
# Vendor Cytoscape.js (the console's family graph) into the package from the npm registry, so
# that `familycard serve`'s console draws graphs on a network with no way out (no CDN).
#
#   tools/vendor_cytoscape.sh                   # the pinned version below
#   CYTOSCAPE=3.35.0 tools/vendor_cytoscape.sh
#
# Needs npm only to fetch (`npm pack` checks the tarball against the registry's integrity hash).
# Copies the minified UMD build and the LICENSE and prints their sha256: put them, the version and
# the integrity into static/vendor/cytoscape/VENDORED.md, then run tests/api/console/.
set -euo pipefail
cd "$(dirname "$0")/.."

CYTOSCAPE="${CYTOSCAPE:-3.35.0}"
dest=src/familycard/api/console/static/vendor/cytoscape

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tarball="$(cd "$work" && npm pack --silent "cytoscape@$CYTOSCAPE")"
tar -xzf "$work/$tarball" -C "$work"
cp "$work/package/dist/cytoscape.min.js" "$work/package/LICENSE" "$dest/"
echo "cytoscape@$CYTOSCAPE integrity: $(cd "$work" && npm view "cytoscape@$CYTOSCAPE" dist.integrity)"
(cd "$dest" && sha256sum cytoscape.min.js LICENSE)

#!/usr/bin/env bash
# Vendor GraphiQL and the React it runs on into the package, from the npm registry, so that
# `familycard serve` shows GraphiQL on a network with no way out (no CDN at run time).
#
#   tools/vendor_graphiql.sh                   # the pinned versions below
#   GRAPHIQL=4.1.2 REACT=18.3.1 tools/vendor_graphiql.sh
#
# Needs npm (only to fetch: `npm pack` checks each tarball against the registry's integrity
# hash). Copies the minified browser builds and each package's LICENSE, writes SHA256SUMS,
# and prints the sizes; then run tests/api/test_graphiql.py and update the versions in
# src/familycard/api/static/graphiql/README.md.
#
# GraphiQL 4.1 is the last line that ships a UMD build (plain <script> tags); 5.x is ES
# modules with Monaco workers and would need a bundler here. React 18.3 is the last React
# with UMD builds (19 has none); GraphiQL 4 supports React 18 and 19.
set -euo pipefail
cd "$(dirname "$0")/.."

GRAPHIQL="${GRAPHIQL:-4.1.2}"
REACT="${REACT:-18.3.1}"
dest=src/familycard/api/static/graphiql

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

unpack() {  # unpack NAME@VERSION into $work/NAME
    local spec="$1" name="${1%@*}" tarball
    tarball="$(cd "$work" && npm pack --silent "$spec")"
    mkdir -p "$work/$name"
    tar -xzf "$work/$tarball" -C "$work/$name" --strip-components=1
}

unpack "graphiql@$GRAPHIQL"
unpack "react@$REACT"
unpack "react-dom@$REACT"

mkdir -p "$dest"
cp "$work/graphiql/graphiql.min.js"                     "$dest/graphiql.min.js"
cp "$work/graphiql/graphiql.min.css"                    "$dest/graphiql.min.css"
cp "$work/graphiql/LICENSE"                             "$dest/LICENSE.graphiql"
cp "$work/react/umd/react.production.min.js"            "$dest/react.production.min.js"
cp "$work/react/LICENSE"                                "$dest/LICENSE.react"
cp "$work/react-dom/umd/react-dom.production.min.js"    "$dest/react-dom.production.min.js"
cp "$work/react-dom/LICENSE"                            "$dest/LICENSE.react-dom"

cat > "$dest/VERSIONS" <<VERSIONS
graphiql $GRAPHIQL
react $REACT
react-dom $REACT
VERSIONS

(cd "$dest" && sha256sum graphiql.min.js graphiql.min.css react.production.min.js react-dom.production.min.js \
    LICENSE.graphiql LICENSE.react LICENSE.react-dom > SHA256SUMS)

echo "vendored graphiql $GRAPHIQL, react and react-dom $REACT into $dest:"
(cd "$dest" && du -b graphiql.min.js graphiql.min.css react.production.min.js react-dom.production.min.js)

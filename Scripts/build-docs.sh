#!/usr/bin/env bash
# Builds Kindling's documentation site with the toolchain's own DocC (no package dependency):
#   1. `swift package dump-symbol-graph` writes each module's public symbols and doc comments;
#   2. Scripts/merge-symbol-graphs.swift joins the library modules into one module, `Kindling`,
#      as `import Kindling` presents them;
#   3. `docc convert` renders the catalog Sources/Kindling/Kindling.docc (landing page, an article
#      per step of the progression) with those symbols into a static site.
# Any DocC warning (an unresolved symbol link, a doc comment naming a parameter that does not
# exist) fails the build.
#
# Usage: bash Scripts/build-docs.sh [OUTPUT-DIR]     (default .build/docs-site)
# Serve:  python3 -m http.server -d .build/docs-site 8000, then open
#         http://localhost:8000/documentation/kindling/
set -euo pipefail
cd "$(dirname "$0")/.."
site="${1:-.build/docs-site}"
graphs=".build/docs-symbol-graphs"

# The library's modules: everything `Kindling` re-exports.
modules=$(sed -n 's/^@_exported import \([A-Za-z]*\)$/\1/p' Sources/Kindling/Kindling.swift)

echo "build-docs: symbol graphs"
# It ends with "Files written to DIR".
raw="$(swift package dump-symbol-graph --minimum-access-level public | sed -n 's/^Files written to //p' | tail -n 1)"
[ -d "$raw" ] || { echo "build-docs: swift package dump-symbol-graph wrote no symbol graphs" >&2; exit 1; }
rm -rf "$graphs"
# shellcheck disable=SC2086
swift Scripts/merge-symbol-graphs.swift "$raw" "$graphs" $modules

echo "build-docs: docc convert"
rm -rf "$site" .build/Kindling.doccarchive
docc convert Sources/Kindling/Kindling.docc \
    --additional-symbol-graph-dir "$graphs" \
    --fallback-display-name Kindling \
    --fallback-bundle-identifier org.kindling.Kindling \
    --output-path .build/Kindling.doccarchive \
    --transform-for-static-hosting \
    --warnings-as-errors
cp -R .build/Kindling.doccarchive "$site"
echo "build-docs: wrote $site (serve it: python3 -m http.server -d $site 8000; open /documentation/kindling/)"

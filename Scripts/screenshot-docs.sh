#!/usr/bin/env bash
# Looks at the documentation site in a real browser: serves .build/docs-site on loopback and has
# headless Chromium (Debian's `chromium` package) take screenshots of the landing page and the
# Conv2d page, to check that they render (DocC pages are built by JavaScript from JSON, so a page
# that fails to load its data shows blank).
#
# Usage: bash Scripts/build-docs.sh && bash Scripts/screenshot-docs.sh [OUTPUT-DIR]
#        (default .build/docs-screenshots; apt-get install chromium first)
set -euo pipefail
cd "$(dirname "$0")/.."
output="${1:-.build/docs-screenshots}"
port=8765
mkdir -p "$output"
python3 -m http.server -d .build/docs-site "$port" --bind 127.0.0.1 >/dev/null 2>&1 &
server=$!
trap 'kill $server' EXIT
sleep 1
for page in kindling kindling/conv2d; do
    file="$output/$(echo "$page" | tr / -).png"
    timeout 60 chromium --headless --no-sandbox --disable-gpu --window-size=1280,1400 \
        --virtual-time-budget=8000 --screenshot="$file" "http://127.0.0.1:$port/documentation/$page/" 2>/dev/null
    echo "screenshot-docs: $file"
done

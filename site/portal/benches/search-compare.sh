#!/usr/bin/env bash
# Index a site that `portal build` wrote with Pagefind (the extended build, which segments
# Chinese) and compare it with the site's own search: Pagefind's indexing time and peak
# memory, the size of both indexes, and what each query loads in Chromium (bytes gzipped,
# requests, time to the answer) with each engine.
#
#   site/portal/benches/search-compare.sh SITE_DIR [QUERY ...]
#
# Pagefind indexes the <main> of the policy, county and region pages (what the site's own
# index covers: titles, full texts, rule items, region names); its index goes into
# SITE_DIR/pagefind/, so use a copy you can throw away. Pagefind is installed from npm into
# PAGEFIND_DIR (default: a new folder under /tmp), pinned to PAGEFIND_VERSION.
#
# Needs: node and npm, chromium, GNU time (/usr/bin/time), and
# `npm ci --prefix site/portal/tests/browser`.
set -euo pipefail

site=${1:?usage: search-compare.sh SITE_DIR [QUERY ...]}
shift
site=$(cd "$site" && pwd)
version=${PAGEFIND_VERSION:-1.6.0}
pagefind_dir=${PAGEFIND_DIR:-$(mktemp -d /tmp/pagefind.XXXXXX)}
browser_tests=$(cd "$(dirname "$0")/../tests/browser" && pwd)

for tool in node npm chromium /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "search-compare: needs $tool" >&2; exit 2; }
done
[[ -f $site/search/index.json ]] || { echo "search-compare: $site is not a site portal built" >&2; exit 2; }
[[ -d $browser_tests/node_modules/playwright-core ]] ||
    { echo "search-compare: needs npm ci --prefix site/portal/tests/browser" >&2; exit 2; }

binary=$pagefind_dir/node_modules/@pagefind/linux-x64/bin/pagefind_extended
if [[ ! -x $binary ]]; then
    echo "== installing pagefind $version into $pagefind_dir"
    npm install --prefix "$pagefind_dir" --no-audit --no-fund --silent "pagefind@$version" >/dev/null
fi
[[ -x $binary ]] || { echo "search-compare: no pagefind_extended in $pagefind_dir" >&2; exit 2; }

pages=$(find "$site/policies" "$site/counties" "$site/regions" -name '*.html' | wc -l)
echo "== pagefind $version indexing $pages pages of $site"
rm -rf "$site/pagefind"
/usr/bin/time -f "pagefind: %e s wall, %M KB peak memory" \
    "$binary" --site "$site" --output-subdir pagefind --root-selector main --quiet \
    --glob "{policies,counties,regions}/**/*.html"

size() { du -s --apparent-size --block-size=1 "$1" | cut -f1; }
echo "index on disk: portal $(size "$site/search") B in $(find "$site/search" -type f | wc -l) files;" \
    "pagefind $(size "$site/pagefind") B in $(find "$site/pagefind" -type f | wc -l) files"

echo "== each query in Chromium (query, engine, requests, bytes gzipped, time, answer)"
node "$browser_tests/search-compare.mjs" "$site" "$@"

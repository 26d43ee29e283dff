#!/usr/bin/env bash
# The main job on the bundled sample corpus: set up, index corpus/, show searches.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

db=build/demo.db
echo
echo "== Indexing corpus/ into $db"
# corpus/malformed holds deliberately broken files for the tests; README.md describes the corpus.
build/bin/wiredesk-index --db "$db" --exclude malformed --exclude README.md corpus/

search() {
  echo
  echo "== wiredesk-search --db $db $*"
  build/bin/wiredesk-search --db "$db" "$@" || true  # exit code 3 (no results) is not a failure
}
# One AFP story republished by five outlets shows once, with another paper's own report of
# the same strike: one story, its reports named.
search --limit 3 'rotterdam strike'
# A name finds its spelling variants (Zelensky, Zelenskyy); filters and facets narrow it down.
search --no-facets 'zelensky date:2026-01-01..2026-01-31'
echo
echo "Next: build/bin/wiredesk-serve --db $db   (then open http://127.0.0.1:8080/)"

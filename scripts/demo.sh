#!/usr/bin/env bash
# The main job on the bundled sample corpus: set up, index corpus/, show searches.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

db=build/demo.db
echo
echo "== Indexing corpus/ into $db"
# corpus/malformed holds deliberately broken files for the tests.
build/bin/wiredesk-index --db "$db" --exclude malformed corpus/

if [ -x build/bin/wiredesk-search ]; then
  echo
  echo "== wiredesk-search --db $db 'zelensky talks'"
  build/bin/wiredesk-search --db "$db" --limit 5 'zelensky talks'
  echo
  echo "== wiredesk-search --db $db '\"peace talks\" date:2026-01-01..2026-02-28'"
  build/bin/wiredesk-search --db "$db" --limit 5 '"peace talks" date:2026-01-01..2026-02-28'
fi

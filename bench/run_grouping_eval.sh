#!/usr/bin/env bash
# Reproduces the grouping numbers of bench/RESULTS.md (see bench/README.md).
# Usage: bench/run_grouping_eval.sh          quality on the generated set and ../shared/corpus
#        bench/run_grouping_eval.sh --cost   indexing time with and without grouping
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${WIREDESK_SHARED_DIR:-../shared}
S=$SHARED/corpus
E=build/bin/wiredesk-eval-grouping
if [[ "${1:-}" == "--cost" ]]; then
    out=$(mktemp -d)
    trap 'rm -rf "$out"' EXIT
    for run in 1 2; do
        for mode in --no-grouping ""; do
            rm -rf "$out/db"
            /usr/bin/time -f "${mode:-grouping} run $run: wall %e s, user %U s, sys %S s" \
                build/bin/wiredesk-index --db "$out/db" --no-progress -q -j2 \
                --exclude '*_pairs.jsonl.gz' $mode "$S" 2>&1 | tail -1
        done
    done
    exit 0
fi
D=$(python3 bench/make_wire_copies.py --seed 7 --corpus "$S")
trap 'rm -rf "$D"' EXIT
echo "== generated wire copies ($D)"
$E "$D/wire_copies.jsonl" --copy-label copy_cluster --negatives "$D/followups.jsonl" | grep -v '^  follow-up'
echo "== reuters21578 near_dup_group"
$E "$S/reuters21578.jsonl.gz" --copy-label near_dup_group --sample-extra 20 --seed 1
echo "== basil_triplets"
$E "$S/basil_triplets.jsonl.gz" --story-label cluster
echo "== ecbplus_sentences"
$E "$S/ecbplus_sentences.jsonl.gz" --story-label cluster
echo "== seeds"
$E "$SHARED/seeds" --dump

#!/bin/bash
# A/B of two release builds of email-audit-bench on one store's search rows, alternating (Subject rows
# and their slowest samples). usage: subject_ab.sh STORE EMAILS DAYS ROUNDS [SAMPLES] [SLOWEST]
# (SAMPLES per row, default 300; SLOWEST samples listed per row, default 3). The store is read once
# before each run so that both builds start with it in the page cache.
# A and B (environment) name the two binaries; A_STORE and B_STORE, when set, give each its own copy of
# the store (a build with a newer schema upgrades the file it opens). Each run waits at
# /work/notes/gate.sh when it exists.
S=$1; E=$2; D=$3; N=${4:-2}; M=${5:-300}; K=${6:-3}
A=${A:-/tmp/subject-rows-main-bench}; B=${B:-/tmp/subject-rows-branch-bench}
for i in $(seq 1 "$N"); do
  for bin in "$A" "$B"; do
    [ -x /work/notes/gate.sh ] && /work/notes/gate.sh
    store=$S
    if [ "$bin" = "$A" ] && [ -n "${A_STORE:-}" ]; then store=$A_STORE; fi
    if [ "$bin" = "$B" ] && [ -n "${B_STORE:-}" ]; then store=$B_STORE; fi
    cat "$store" > /dev/null
    echo "== $(basename "$(dirname "$bin")")/$(basename "$bin") run $i $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)"
    "$bin" --emails "$E" --days "$D" --db "$store" --search-only --samples "$M" --slowest "$K" 2>&1 \
      | grep -E "subject|^  to:|^ +[0-9.]+ ms  subject"
  done
done
echo "== done $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)"

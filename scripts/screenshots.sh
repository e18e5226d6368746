#!/usr/bin/env bash
# Screen captures of the real app, for the README and as a drift check.
#
#   scripts/screenshots.sh [--binary PATH]           write screenshots/<scene>.txt and .png
#   scripts/screenshots.sh --check [--binary PATH]   regenerate the .txt captures into a temp
#                                                    folder and fail (with a diff) if they differ
#                                                    from the committed screenshots/*.txt
#
# Scenes: main-list (the Email Audit list), workbench (w: the Email Notification widget and
# the signed-in user's notifications), view-failed (the View pop-up of a Failed email),
# unit-search (Unit Search for that email's address), help, and suppression-list (S, as a
# support user, with the first entry's history); and, as text only,
# ascii-main-list (the list under LANG=C: names in ASCII).
#
# Everything is pinned so the captures are byte-for-byte repeatable: the store is seeded
# with a fixed seed and end time, the screen's clock is pinned with --now, the window is
# 120×36, the environment is empty but for PATH/HOME/TERM/LANG/TZ, and each capture is
# taken only once the screen has stopped changing. --check needs bash, tmux and the
# binary (no Python); the full run also needs python3 with pyte and Pillow, and the
# DejaVu Sans Mono font (fonts-dejavu-core), for scripts/ans2png.py.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=write
binary="${EMAIL_AUDIT_BIN:-}"
while [ $# -gt 0 ]; do
  case "$1" in
    --check) mode=check ;;
    --binary) binary="$2"; shift ;;
    --binary=*) binary="${1#--binary=}" ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "screenshots: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
if [ -z "$binary" ]; then
  binary="$(swift build --show-bin-path)/email-audit"
fi
binary="$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")"
[ -x "$binary" ] || { echo "screenshots: no executable at $binary (build first)" >&2; exit 1; }
command -v tmux >/dev/null || { echo "screenshots: tmux is not installed" >&2; exit 1; }

# ---------------------------------------------------------------- pinned inputs
NOW="15/03/2025 12:00"
SEED=11
EMAILS=3000
DAYS=10
WIDTH=120
HEIGHT=36
SIGNED_IN="Amelia Hughes"      # a staff member of the seeded Harbour Lets
SUPPORT_USER="Kate Ellison"    # on the support team (the suppression list with D Remove)
SCENES="main-list workbench view-failed unit-search help suppression-list"
# Text only: the main list on a terminal whose locale is not UTF-8 (LANG=C), names in ASCII.
TEXT_SCENES="ascii-main-list"

term=screen-256color
infocmp tmux-256color >/dev/null 2>&1 && term=tmux-256color
pinned_env=(env -i "PATH=$PATH" "HOME=${HOME:-/root}" "TERM=$term" LANG=C.UTF-8 LC_ALL=C.UTF-8
            TZ=Europe/London EMAIL_AUDIT_TZ=Europe/London "EMAIL_AUDIT_USER=$SIGNED_IN")

work="$(mktemp -d "${TMPDIR:-/tmp}/email-audit-shots.XXXXXX")"
sock="ea-shots-$$"
cleanup() {
  tmux -L "$sock" kill-server >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

if [ "$mode" = check ]; then out="$work/txt"; else out="screenshots"; fi
mkdir -p "$out"

# ---------------------------------------------------------------- the store
db="$work/screens.sqlite"
"${pinned_env[@]}" "$binary" seed --db "$db" --emails "$EMAILS" --days "$DAYS" --seed "$SEED" --now "$NOW" --quiet >/dev/null

# The Failed email to show: the newest whose Status Details name an MX host (a real bounce
# reads better than a suppression), else the newest Failed one.
failed_csv="$("${pinned_env[@]}" "$binary" query --db "$db" --status failed --range all --limit 60 --format csv 2>/dev/null | tail -n +2)"
[ -n "$failed_csv" ] || { echo "screenshots: the seeded store has no Failed email" >&2; exit 1; }
failed_id="" ; failed_line=""
while IFS= read -r line; do
  id="${line%%,*}"
  if "${pinned_env[@]}" "$binary" show --db "$db" "$id" | grep -q '^MX host'; then
    failed_id="$id"; failed_line="$line"; break
  fi
done <<< "$failed_csv"
if [ -z "$failed_id" ]; then failed_line="$(head -n 1 <<< "$failed_csv")"; failed_id="${failed_line%%,*}"; fi
failed_when="$(cut -d, -f2 <<< "$failed_line")"     # dd/mm/yyyy HH:mm
failed_to="$(cut -d, -f3 <<< "$failed_line")"

# ---------------------------------------------------------------- tmux driving
T() { tmux -L "$sock" "$@"; }

cat > "$work/tmux.conf" <<EOF
set -sg escape-time 0
set -g status off
set -g default-terminal "$term"
EOF

app_cmd=""
for part in "${pinned_env[@]}" "$binary" --db "$db" --now "$NOW" --time-zone Europe/London --user "$SIGNED_IN"; do
  app_cmd+="$(printf '%q' "$part") "
done
# Keep the pane alive after the app ends, so a failure can still be shown.
T -f "$work/tmux.conf" new-session -d -s shot -x "$WIDTH" -y "$HEIGHT" "$app_cmd; sleep 600"

capture() { T capture-pane -p -t shot; }

fail() {
  echo "screenshots: $*" >&2
  capture | sed 's/^/|/' >&2
  exit 1
}

# wait_for REGEX: poll the screen (grep -E) for up to 20 s.
wait_for() {
  local deadline=$((SECONDS + 20))
  until capture | grep -Eq -- "$1"; do
    (( SECONDS < deadline )) || fail "timed out waiting for /$1/"
    sleep 0.1
  done
}

# settle: wait until two captures 0.4 s apart are identical (pages and counts arrived).
settle() {
  local previous="" current deadline=$((SECONDS + 20))
  while (( SECONDS < deadline )); do
    current="$(capture)"
    [ "$current" = "$previous" ] && return 0
    previous="$current"
    sleep 0.4
  done
  fail "the screen never settled"
}

keys() { for key in "$@"; do T send-keys -t shot "$key"; sleep 0.05; done; }

# list_offset TITLE FIRST TARGET: Down presses from FIRST to TARGET in an open pick list.
list_offset() {
  capture | awk -v title="─ $1 ─" -v first="$2" -v target="$3" '
    index($0, title) { inside = 1; n = 0; next }
    inside && index($0, "└") { exit }
    inside {
      rest = substr($0, index($0, "│") + length("│"))
      label = substr(rest, 1, index(rest, "│") - 1)
      sub(/^ *(\[[ x]\] |• )? */, "", label); sub(/ +$/, "", label)
      if (label == first) f = n
      if (label == target) t = n
      n++
    }
    END { if (f == "" || t == "") exit 1; print t - f }'
}

# pick KEY TITLE FIRST TARGET: open a filter pick list and apply TARGET.
pick() {
  keys "$1"
  wait_for "─ $2 ─"
  local offset
  offset="$(list_offset "$2" "$3" "$4")" || fail "no $3/$4 in the $2 list"
  for ((i = 0; i < offset; i++)); do keys Down; done
  keys Enter
}

# save SCENE: the text capture, and (full run) the capture with colours for ans2png.
save() {
  settle
  capture > "$out/$1.txt"
  if [ "$mode" = write ]; then
    T capture-pane -p -e -N -t shot > "$work/$1.ans"
  fi
}

# ---------------------------------------------------------------- the scenes
wait_for '^ [0-9,]+ emails? '
wait_for '^ [0-9]{2}/[0-9]{2}/[0-9]{4} [0-9]{2}:[0-9]{2} '
save main-list

keys w
wait_for 'Workbench │'
wait_for '^ [0-9,]+ notifications? · [0-9,]+ unread'
wait_for 'Failed [0-9]+ +Complained [0-9]+ +Rejected [0-9]+ +Unsubscribed [0-9]+'
save workbench
keys Escape
wait_for '^ [0-9,]+ emails? '

keys '?'
wait_for '─ Help — keys ─'
save help
keys Escape
wait_for '^ [0-9,]+ emails? '

pick s Status All Failed
wait_for 'Failed emails'
keys /
T send-keys -t shot -l "$failed_to"
keys Enter
wait_for "to ${failed_to//./\\.}"
pick d "Date range" Today "All dates"
wait_for 'Date: All dates'
settle
# Select the chosen email's row (the address may have other Failed emails).
row="$(capture | grep -E '^ [0-9]{2}/[0-9]{2}/[0-9]{4} [0-9]{2}:[0-9]{2} ' | grep -nF " $failed_when " | head -n 1 | cut -d: -f1)"
[ -n "$row" ] || fail "no row at $failed_when for $failed_to"
for ((i = 1; i < row; i++)); do keys Down; done
keys Enter
wait_for 'Status Tracking \([0-9]+ events?\)'
wait_for "To +${failed_to//./\\.}"
wait_for '│ Status +Failed'
save view-failed

keys u
wait_for "Unit Search │ Units using ${failed_to//./\\.}"
wait_for 'unit contacts? uses? '
save unit-search
keys Q

# The suppression list as a support user sees it (S), with the first entry's history (h).
T kill-session -t shot
support_cmd=""
for part in "${pinned_env[@]}" "$binary" --db "$db" --now "$NOW" --time-zone Europe/London --user "$SUPPORT_USER"; do
  support_cmd+="$(printf '%q' "$part") "
done
T new-session -d -s shot -x "$WIDTH" -y "$HEIGHT" "$support_cmd; sleep 600"
wait_for '^ [0-9,]+ emails? '
settle
keys S
wait_for 'Suppression list │'
wait_for '^ [0-9,]+ suppressed'
keys h
wait_for 'History of '
save suppression-list
keys Q

# The same store under LANG=C: the screen draws ASCII, boxes from the line-drawing set.
# capture-pane shows line-drawing cells as their VT100 codes (x for │); -e marks them with
# SO/SI, and capture_drawn shows them as the lines they draw.
capture_drawn() {
  T capture-pane -p -e -t shot | LC_ALL=C awk '
    BEGIN { n = split("q x l k m j t u w v n", code, " "); split("─ │ ┌ ┐ └ ┘ ├ ┤ ┬ ┴ ┼", glyph, " ")
            for (i = 1; i <= n; i++) acs[code[i]] = glyph[i] }
    { gsub(/\033\[[0-9;:?]*[A-Za-z]/, ""); out = ""; alt = 0
      for (i = 1; i <= length($0); i++) {
        ch = substr($0, i, 1)
        if (ch == "\016") alt = 1; else if (ch == "\017") alt = 0
        else out = out ((alt && (ch in acs)) ? acs[ch] : ch)
      }
      sub(/ +$/, "", out); print out }'
}
T kill-session -t shot
ascii_cmd=""
for part in env -i "PATH=$PATH" "HOME=${HOME:-/root}" TERM=xterm-256color LANG=C LC_ALL=C TZ=Europe/London \
            EMAIL_AUDIT_TZ=Europe/London "$binary" --db "$db" --now "$NOW" --time-zone Europe/London --user "$SIGNED_IN"; do
  ascii_cmd+="$(printf '%q' "$part") "
done
T new-session -d -s shot -x "$WIDTH" -y "$HEIGHT" "$ascii_cmd; sleep 600"
wait_for '^ [0-9,]+ emails? '
keys r
wait_for 'Raised by'
T send-keys -t shot -l Tomasz
keys Enter
wait_for 'raised by Tomasz Wisniewski'
wait_for '^ [0-9]{2}/[0-9]{2}/[0-9]{4} [0-9]{2}:[0-9]{2} .*Tomasz Wisni'
settle
capture_drawn > "$out/ascii-main-list.txt"
keys Q

# The export pop-up while it writes (x on the list; slowed by a test knob so it can be seen).
# Its counts and rate depend on timing, so it is a picture for the README, not drift-checked.
if [ "$mode" = write ]; then
  T kill-session -t shot
  export_cmd=""
  for part in "${pinned_env[@]}" EMAIL_AUDIT_EXPORT_DELAY_MS=700 "$binary" --db "$db" --now "$NOW" \
              --time-zone Europe/London --user "$SIGNED_IN" --export-dir "$work"; do
    export_cmd+="$(printf '%q' "$part") "
  done
  T new-session -d -s shot -x "$WIDTH" -y "$HEIGHT" "$export_cmd; sleep 600"
  wait_for '^ [0-9,]+ emails? '
  pick d "Date range" Today "All dates"
  wait_for 'Date: All dates'
  settle
  keys x
  wait_for '─ Export to Excel ─'
  keys Enter
  wait_for '[1-9][0-9,]* of [0-9,]+ rows'
  capture > "screenshots/export-progress.txt"
  T capture-pane -p -e -N -t shot > "$work/export-progress.ans"
  python3 scripts/ans2png.py --cols "$WIDTH" --rows "$HEIGHT" "$work/export-progress.ans" "screenshots/export-progress.png"
  keys Escape
  wait_for 'Export cancelled; no file was left'
  keys Q
fi

# ---------------------------------------------------------------- results
if [ "$mode" = check ]; then
  passed=0 failed=0
  for scene in $SCENES $TEXT_SCENES; do
    if [ ! -f "screenshots/$scene.txt" ]; then
      echo "screenshots: screenshots/$scene.txt is missing (run: make screenshots)" >&2
      failed=$((failed + 1))
    elif diff -u --label "committed screenshots/$scene.txt" --label "app now ($scene)" "screenshots/$scene.txt" "$out/$scene.txt"; then
      passed=$((passed + 1))
    else
      failed=$((failed + 1))
    fi
  done
  if [ "$failed" -ne 0 ]; then
    echo "screenshots: the committed captures no longer match the app; if the change is intended, run 'make screenshots' and commit screenshots/" >&2
  fi
  echo "screenshots: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit
fi

for scene in $SCENES; do
  python3 scripts/ans2png.py --cols "$WIDTH" --rows "$HEIGHT" "$work/$scene.ans" "screenshots/$scene.png"
done
echo "screenshots: wrote screenshots/{$(tr ' ' ',' <<< "$SCENES")}.{txt,png} and {$(tr ' ' ',' <<< "$TEXT_SCENES")}.txt (failed email #$failed_id to $failed_to)"

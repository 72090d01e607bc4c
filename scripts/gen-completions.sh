#!/usr/bin/env bash
# Writes the shell completion scripts of `odcs` (swift-argument-parser generates them) into
# completions/: odcs.bash, _odcs (zsh) and odcs.fish.
#
#   scripts/gen-completions.sh [ODCS_BIN]           # rewrite them (default .build/debug/odcs)
#   scripts/gen-completions.sh --check [ODCS_BIN]   # exit 1 if one is not what the binary gives
set -euo pipefail
cd "$(dirname "$0")/.."
check=0
if [ "${1:-}" = --check ]; then check=1; shift; fi
bin=${1:-.build/debug/odcs}
[ -x "$bin" ] || { echo "gen-completions: no executable $bin (swift build first)" >&2; exit 2; }
mkdir -p completions
status=0
for pair in bash:odcs.bash zsh:_odcs fish:odcs.fish; do
    shell=${pair%%:*}
    file=completions/${pair#*:}
    generated=$("$bin" --generate-completion-script "$shell")
    if [ "$check" = 1 ]; then
        if [ "$generated" != "$(cat "$file" 2>/dev/null)" ]; then
            echo "$file is out of date: run scripts/gen-completions.sh" >&2
            status=1
        fi
    else
        printf '%s\n' "$generated" >"$file"
    fi
done
exit "$status"

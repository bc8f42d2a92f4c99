#!/usr/bin/env bash
# Fetch the audit log from its branch, check that the branch only ever appended to it, check
# its chain, and write it to AUDIT_LOG for `maturity evaluate --audit-log`.
#
# Environment:
#   AUDIT_LOG     where to write the log (required)
#   AUDIT_BRANCH  the branch holding it (default: maturity-audit)
#   AUDIT_FILE    its name on that branch (default: audit.jsonl)
#   AUDIT_REMOTE  the repository (default: $GITHUB_SERVER_URL/$GITHUB_REPOSITORY.git)
#   AUDIT_TOKEN   a token that can read it (optional; given to git through the environment)
# Outputs (GITHUB_OUTPUT, else stdout): base=<the branch's commit, empty on the first run>,
# lines=<the log's line count>.
#
# A branch that does not exist yet is the first run: an empty log. Any other failure to read
# it fails (exit 1): that run is NO-GO, as is a history that rewrote the log (a commit that
# changed or removed a line, touched another file, or merged) and a broken chain.
#
# Why the history check: `maturity audit verify` cannot see a log rewritten with its chain
# recomputed. The branch's commits can: with force pushes blocked, each earlier commit is an
# anchor kept outside the file, and every commit must only add lines at the end.
set -euo pipefail
# shellcheck source=.github/scripts/audit-log-lib.sh
. "$(dirname "$0")/audit-log-lib.sh"

audit_setup
mkdir -p "$(dirname "$log")"

base="$(audit_fetch_tip)"
if [ -z "$base" ]; then
  echo "audit: no branch $branch yet: starting an empty log"
  : > "$log"
  audit_output base ""
  audit_output lines 0
  exit 0
fi

empty_tree="$(git hash-object -t tree /dev/null)"
hunk='^@@ -([0-9]+)(,([0-9]+))? \+([0-9]+)(,([0-9]+))? @@'
lines=0
for commit in $(git rev-list --reverse --first-parent "$base"); do
  read -r -a parents <<< "$(git rev-list --parents --max-count=1 "$commit")"
  case "${#parents[@]}" in
    1) parent="$empty_tree" ;;
    2) parent="${parents[1]}" ;;
    *) echo "error: $branch holds a merge commit, $commit: the log was not only appended to" >&2
       exit 1 ;;
  esac
  numstat="$(git diff --numstat --no-renames "$parent" "$commit")"
  [ -n "$numstat" ] || continue  # an empty commit changes nothing
  IFS=$'\t' read -r added deleted path <<< "$numstat"
  if [ "$numstat" != "$added"$'\t'"$deleted"$'\t'"$path" ] || [ "$path" != "$file" ] \
    || [ "$deleted" != "0" ]; then
    echo "error: commit $commit on $branch does more than add lines to $file:" >&2
    printf '%s\n' "$numstat" >&2
    exit 1
  fi
  diff="$(git diff -U0 --no-renames "$parent" "$commit" -- "$file")"
  headers="$(grep -E '^@@ ' <<< "$diff" || true)"
  if [ "$(grep -c '^@@ ' <<< "$diff")" = "1" ] && [[ "$headers" =~ $hunk ]] \
    && [ "${BASH_REMATCH[1]}" = "$lines" ] && [ "${BASH_REMATCH[3]:-1}" = "0" ] \
    && [ "${BASH_REMATCH[4]}" = "$((lines + 1))" ] && [ "${BASH_REMATCH[6]:-1}" = "$added" ] \
    && ! grep -q '^\\ No newline at end of file' <<< "$diff"; then
    lines=$((lines + added))
  else
    echo "error: commit $commit on $branch does not only append whole lines to the end of $file" >&2
    exit 1
  fi
done

git cat-file blob "$base:$file" > "$log"
if [ "$(wc -l < "$log")" -ne "$lines" ]; then
  echo "error: $file at $base has $(wc -l < "$log") lines, its history adds up to $lines" >&2
  exit 1
fi
echo "audit: $branch at $base: $lines lines, each commit appended only"
maturity audit verify "$log"
audit_output base "$base"
audit_output lines "$lines"

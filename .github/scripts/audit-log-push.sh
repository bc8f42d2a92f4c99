#!/usr/bin/env bash
# Push the audit log a gate job appended to back to its branch, as one new commit.
#
# Environment:
#   AUDIT_LOG      the log as the gate job left it (required)
#   AUDIT_BRANCH   the branch (default: maturity-audit); created as an orphan when absent
#   AUDIT_FILE     the log's name on that branch (default: audit.jsonl)
#   AUDIT_REMOTE   the repository (default: $GITHUB_SERVER_URL/$GITHUB_REPOSITORY.git)
#   AUDIT_TOKEN    a token that may push there (given to git through the environment only)
#   AUDIT_MESSAGE  the commit's subject (default: "maturity audit: append")
# Output (GITHUB_OUTPUT, else stdout): commit=<the pushed commit, or the branch's commit
# when it already held this log>.
#
# Refuses (exit 1) a log that does not extend the branch's current one byte for byte (a line
# changed, removed or reordered, or another run's line the gate never saw), a log whose chain
# does not hold, and a push that is not a fast-forward (another run pushed in between: the
# push is never forced). The log stays in the run's artifact either way.
set -euo pipefail
# shellcheck source=.github/scripts/audit-log-lib.sh
. "$(dirname "$0")/audit-log-lib.sh"

message="${AUDIT_MESSAGE:-maturity audit: append}"
audit_setup

current="$work/current.jsonl"
tip="$(audit_fetch_tip)"
if [ -n "$tip" ]; then
  git cat-file blob "$tip:$file" > "$current"
else
  : > "$current"
fi

old_size="$(wc -c < "$current")"
new_size="$(wc -c < "$log")"
if ! cmp --quiet --bytes="$old_size" "$current" "$log" || [ "$new_size" -lt "$old_size" ]; then
  echo "error: $log does not extend the log on $branch${tip:+ at $tip}: refusing to replace it" >&2
  exit 1
fi
if [ "$new_size" -eq "$old_size" ]; then
  echo "audit: $branch already holds this log (a re-run): nothing to push"
  audit_output commit "$tip"
  exit 0
fi
if [ "$(tail -c 1 "$log" | od -An -c | tr -d ' ')" != '\n' ]; then
  echo "error: $log does not end with a newline" >&2
  exit 1
fi
maturity audit verify "$log"

lines="$(wc -l < "$log")"
head_sha="$(tail -n 1 "$log" | tr -d '\n' | sha256sum | cut -d ' ' -f 1)"
blob="$(git hash-object -w "$log")"
tree="$(printf '100644 blob %s\t%s\n' "$blob" "$file" | git mktree)"
parent_args=()
if [ -n "$tip" ]; then parent_args=(-p "$tip"); fi
commit="$(
  GIT_AUTHOR_NAME="github-actions[bot]" \
  GIT_AUTHOR_EMAIL="41898282+github-actions[bot]@users.noreply.github.com" \
  GIT_COMMITTER_NAME="github-actions[bot]" \
  GIT_COMMITTER_EMAIL="41898282+github-actions[bot]@users.noreply.github.com" \
  git commit-tree "$tree" "${parent_args[@]}" \
    -m "$message" -m "Maturity-Audit-Head: $lines:$head_sha"
)"
# No --force: if the branch moved since it was read, the push is rejected.
git push --quiet "$remote" "$commit:refs/heads/$branch"
echo "audit: pushed $commit to $branch: $lines lines, head $lines:$head_sha"
audit_output commit "$commit"

# shellcheck shell=bash
# Shared by audit-log-fetch.sh and audit-log-push.sh (sourced, not run): their settings, the
# audit branch's remote, its token, and the branch's commit.

# The remote: AUDIT_REMOTE, else this repository on the runner's GitHub server.
audit_remote() {
  if [ -n "${AUDIT_REMOTE:-}" ]; then
    printf '%s\n' "$AUDIT_REMOTE"
  else
    printf '%s/%s.git\n' "${GITHUB_SERVER_URL:?GITHUB_SERVER_URL is not set}" \
      "${GITHUB_REPOSITORY:?GITHUB_REPOSITORY is not set}"
  fi
}

# Give git the token (AUDIT_TOKEN) for this process and its children only: through
# GIT_CONFIG_COUNT/KEY/VALUE (git >= 2.31), never in a config file, a remote URL or argv.
audit_use_token() {
  if [ -z "${AUDIT_TOKEN:-}" ]; then
    return 0
  fi
  local basic n
  basic="$(printf 'x-access-token:%s' "$AUDIT_TOKEN" | base64 | tr -d '\n')"
  if [ "${GITHUB_ACTIONS:-}" = "true" ]; then
    echo "::add-mask::$basic"
  fi
  n="${GIT_CONFIG_COUNT:-0}"
  export "GIT_CONFIG_KEY_${n}=http.extraheader"
  export "GIT_CONFIG_VALUE_${n}=AUTHORIZATION: basic $basic"
  export GIT_CONFIG_COUNT="$((n + 1))"
}

# Print the branch's commit, or nothing when the branch does not exist; exit 1 on any other
# failure (network, authentication): a log we could not read is not an empty log.
audit_branch_tip() {
  local remote="$1" branch="$2" listing status=0
  listing="$(git ls-remote --exit-code --heads "$remote" "refs/heads/$branch")" || status=$?
  case "$status" in
    0) printf '%s\n' "${listing%%[[:space:]]*}" ;;
    2) ;;  # --exit-code: no such ref (first run)
    *)
      echo "error: cannot list $branch on the remote (git ls-remote exit $status)" >&2
      return 1
      ;;
  esac
}

# Write a key=value step output (GITHUB_OUTPUT under Actions, else stdout).
audit_output() {
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    printf '%s=%s\n' "$1" "$2" >> "$GITHUB_OUTPUT"
  else
    printf '%s=%s\n' "$1" "$2"
  fi
}

# The settings both scripts read (log, branch, file, remote; see their headers), the token for
# git, and a scratch bare repository (GIT_DIR) that is removed on exit.
audit_setup() {
  # shellcheck disable=SC2034 # log and file are read by the script that sources this
  log="${AUDIT_LOG:?AUDIT_LOG is not set}"
  branch="${AUDIT_BRANCH:-maturity-audit}"
  # shellcheck disable=SC2034
  file="${AUDIT_FILE:-audit.jsonl}"
  remote="$(audit_remote)"
  audit_use_token
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  export GIT_DIR="$work/repo.git"
  git init --quiet --bare "$GIT_DIR"
}

# Fetch the branch into refs/audit/tip and print its commit; print nothing when the branch
# does not exist yet. Any other failure returns 1.
audit_fetch_tip() {
  local tip
  tip="$(audit_branch_tip "$remote" "$branch")" || return 1
  if [ -n "$tip" ]; then
    git fetch --quiet --no-tags "$remote" "+refs/heads/$branch:refs/audit/tip" || return 1
    git rev-parse --verify 'refs/audit/tip^{commit}' || return 1
  fi
}

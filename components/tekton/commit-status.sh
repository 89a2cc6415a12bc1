#!/bin/sh
# commit-status: posts GitHub commit statuses on SHA of the app repository, one per stage REPORT names,
# with GitHub's Statuses API (POST /repos/{owner}/{repo}/statuses/{sha}).
#
# Every input arrives through the environment (never pasted into this text). The rules it keeps:
#   - the token goes to one URL only: API_URL/repos/REPOSITORY/statuses/SHA, all three checked here
#     (https, or http to a loopback address for a test's own server); no redirect is followed;
#   - the token is never in an argument or a URL: curl reads it from a file of this step's own;
#   - nothing the lint and test Tasks wrote is read: the step mounts no workspace;
#   - a status that cannot be posted is said on stderr and the step goes on with the next one, and ends
#     non-zero (the Task runs it with onError: continue: a GitHub outage never stops a run).
# REPORT: words `<stage>=<what>`, what being `pending`, `<Tekton status>,<Tekton reason>` of the stage's
# Task ($(tasks.<name>.status) and .reason), or `outcome:<value>` (the write-back's result). CLONE: the
# clone's `<status>,<reason>`, which says why a stage did not run.
# POSIX sh, curl and busybox applets (sed, cut, tr, cat, mktemp, rm) only.
set -eu

say() { printf 'commit-status: %s\n' "$*"; }
fail() {
  printf 'commit-status: error: %s\n' "$*" >&2
  exit 1
}

: "${API_URL:?}" "${REPOSITORY:?}" "${SHA?}" "${CONTEXT_PREFIX:?}" "${REPORT:?}"
TARGET_URL=${TARGET_URL:-}
CLONE=${CLONE:-}
HTTP_TIMEOUT=${HTTP_TIMEOUT:-20}

# --- what is accepted --------------------------------------------------------------------------------
case $SHA in
  "" | *[!0-9a-f]*) fail "SHA must be a full commit SHA (40 lowercase hex characters); got '$SHA'" ;;
esac
[ "${#SHA}" -eq 40 ] || fail "SHA must be a full commit SHA (40 lowercase hex characters); got '$SHA'"
case $REPOSITORY in
  */*/* | /* | */ | *[!A-Za-z0-9_./-]*) fail "REPOSITORY must be <owner>/<repository>; got '$REPOSITORY'" ;;
  */*) ;;
  *) fail "REPOSITORY must be <owner>/<repository>; got '$REPOSITORY'" ;;
esac
case $REPOSITORY in .* | */.* | *..*) fail "REPOSITORY must be <owner>/<repository>; got '$REPOSITORY'" ;; esac
case $API_URL in
  *[!A-Za-z0-9:/._-]* | *//*//* | *@*) fail "API_URL must be an https:// URL without credentials; got '$API_URL'" ;;
  https://?*) PROTOCOLS==https ;;
  http://127.0.0.1:[0-9]* | http://127.0.0.1/* | http://localhost:[0-9]*) PROTOCOLS==http ;;
  *) fail "API_URL must be an https:// URL without credentials; got '$API_URL'" ;;
esac
case $TARGET_URL in
  "" | https://*) ;;
  *) fail "TARGET_URL must be empty or an https:// URL; got '$TARGET_URL'" ;;
esac
case $TARGET_URL in *[\"\\[:space:]]*) fail "TARGET_URL must hold no quote, backslash or space; got '$TARGET_URL'" ;; esac
case $CONTEXT_PREFIX in "" | *[!A-Za-z0-9_./-]*) fail "CONTEXT_PREFIX must be letters, digits and ./_-; got '$CONTEXT_PREFIX'" ;; esac
URL="${API_URL%/}/repos/$REPOSITORY/statuses/$SHA"

# The token in a file of this step's own, read by curl as a config line: never in argv or a URL.
WORK=$(mktemp -d "${TMPDIR:-/tmp}/commit-status.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
if [ -n "${STATUS_TOKEN:-}" ]; then
  case $STATUS_TOKEN in *[!A-Za-z0-9_.-]*) fail "STATUS_TOKEN holds characters no GitHub token has" ;; esac
  (umask 077 && printf 'header = "Authorization: Bearer %s"\n' "$STATUS_TOKEN" >"$WORK/auth")
else
  : >"$WORK/auth"
fi
unset STATUS_TOKEN

# --- what each stage says ----------------------------------------------------------------------------
short=$(printf '%s' "$SHA" | cut -c1-7)
cancelled=false
failed_before=
case $CLONE in
  Failed,TaskRunCancelled) cancelled=true ;;
  Failed,*) failed_before="the clone" ;;
esac

# Sets state and description for stage $1 from $2; returns 1 when there is nothing to post.
describe() {
  case $2 in
    pending) state=pending description="$1: waiting for the run" ;;
    outcome:recorded) state=success description="recorded $short for kpack to build" ;;
    outcome:already-recorded) state=success description="already recorded: kpack builds $short" ;;
    outcome:newer-recorded) state=success description="stood aside: the ops branch records a newer commit that contains $short" ;;
    outcome:other-history) state=success description="stood aside: the ops branch records a newer commit of another history" ;;
    outcome:*) state=error description="the write-back said '${2#outcome:}', which this step does not know" ;;
    # The write-back's own finally step posts what it recorded.
    Succeeded,*) [ "$1" != recorded ] || return 1; state=success description="$1 passed" ;;
    Failed,TaskRunCancelled) cancelled=true state=error description="$1 cancelled: a newer run superseded this one" ;;
    Failed,TaskRunTimeout) state=failure description="$1 timed out" ;;
    Failed,*) state=failure description="$1 failed" ;;
    None,*)
      if [ -n "$failed_before" ]; then state=failure description="$1 did not run: $failed_before failed"
      elif $cancelled; then state=error description="$1 did not run: the run was cancelled (a newer run superseded it)"
      else state=error description="$1 did not run"; fi ;;
    *) state=error description="$1: unexpected Tekton status '$2'" ;;
  esac
  case $state in failure) [ -n "$failed_before" ] || failed_before=$1 ;; esac
  return 0
}

errors=0
for word in $REPORT; do
  stage=${word%%=*}
  what=${word#*=}
  case $stage in "" | *[!a-z-]*) fail "REPORT holds '$word'; expected <stage>=<what>" ;; esac
  describe "$stage" "$what" || continue
  target=
  [ -z "$TARGET_URL" ] || target=$(printf ',"target_url":"%s"' "$TARGET_URL")
  # Descriptions are this script's own words and Tekton's reasons: only quotes and backslashes to escape.
  text=$(printf '%s' "$description" | cut -c1-140 | sed 's/[\\"]/\\&/g')
  body=$(printf '{"state":"%s","context":"%s/%s","description":"%s"%s}' "$state" "$CONTEXT_PREFIX" "$stage" "$text" "$target")
  # Only a 2xx is a posted status: a redirect is never followed (the token would go elsewhere) and counts as a failure.
  code=$(curl --silent --show-error --proto "$PROTOCOLS" --max-time "$HTTP_TIMEOUT" --output "$WORK/answer" --write-out '%{http_code}' \
    --config "$WORK/auth" -H "Accept: application/vnd.github+json" -H "X-GitHub-Api-Version: 2022-11-28" \
    -H "Content-Type: application/json" --data-binary "$body" "$URL" 2>"$WORK/curl-error") || code=000
  case $code in
    2[0-9][0-9]) say "$CONTEXT_PREFIX/$stage: $state ($description) on $SHA" ;;
    *)
      errors=$((errors + 1))
      printf 'commit-status: error: could not post %s/%s %s on %s: HTTP %s %s\n' "$CONTEXT_PREFIX" "$stage" "$state" "$SHA" "$code" \
        "$(cat "$WORK/curl-error" "$WORK/answer" 2>/dev/null | tr '\n' ' ' | cut -c1-300)" >&2 ;;
  esac
  rm -f "$WORK/answer" "$WORK/curl-error"
done
[ "$errors" -eq 0 ] || exit 1

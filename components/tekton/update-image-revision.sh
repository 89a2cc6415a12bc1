#!/bin/sh
# update-image-revision: records REVISION, a commit the pipeline has linted and tested, as the kpack
# Image's spec.source.git.revision in the ops repository, and pushes it.
#
# Every input arrives through the environment (never pasted into this text), so no value can change
# what the script does. The rules it keeps:
#   - only a full commit SHA that the app repository has is accepted;
#   - never backwards: if the ops branch records REVISION or a descendant of it, nothing is pushed;
#   - no lost updates: a rejected push fetches again, decides again and retries, a bounded number of times;
#   - the token is read by a credential helper at the moment git asks, and written nowhere;
#   - only the revision line of REVISION_FILE changes; every fault ends non-zero with a message.
# POSIX sh, git and busybox's applets (setsid, sleep, kill, od, tr, tail) only.
set -eu

say() { printf 'update-image-revision: %s\n' "$*"; }
fail() {
  printf 'update-image-revision: error: %s\n' "$*" >&2
  exit 1
}

: "${REVISION?}" "${OPS_BRANCH:?}" "${REVISION_FILE:?}" "${APP_SOURCE:?}"
MAX_ATTEMPTS=${MAX_ATTEMPTS:-5}
GIT_TIMEOUT=${GIT_TIMEOUT:-30}
RETRY_DELAY_MS=${RETRY_DELAY_MS:-1000}

# --- what is accepted --------------------------------------------------------------------------------
# 40 lowercase hex characters and nothing else: a branch name, an option or a shell word is refused here.
case $REVISION in
  "" | *[!0-9a-f]*) fail "REVISION must be a full commit SHA (40 lowercase hex characters); got '$REVISION'" ;;
esac
[ "${#REVISION}" -eq 40 ] || fail "REVISION must be a full commit SHA (40 lowercase hex characters); got '$REVISION'"
git check-ref-format --branch "$OPS_BRANCH" >/dev/null 2>&1 || fail "OPS_BRANCH is not a branch name; got '$OPS_BRANCH'"
case $MAX_ATTEMPTS in "" | *[!0-9]* | 0) fail "MAX_ATTEMPTS must be a whole number from 1; got '$MAX_ATTEMPTS'" ;; esac

# --- how git authenticates ---------------------------------------------------------------------------
# Config from the environment applies to every git below and lives only in this process. The helper
# prints the token when git asks for it; the value is never in a URL, a file or an argument.
export GIT_TERMINAL_PROMPT=0
export GIT_CONFIG_COUNT=3
export GIT_CONFIG_KEY_0=credential.helper GIT_CONFIG_VALUE_0=
export GIT_CONFIG_KEY_1=credential.helper
# shellcheck disable=SC2016 # expanded by the helper's shell when git runs it, not here
export GIT_CONFIG_VALUE_1='!f() { test "$1" = get || exit 0; printf "username=x-access-token\npassword=%s\n" "${GITHUB_TOKEN:?the token secret is empty}"; }; f'
# The clones were made by git-clone, possibly as another user.
export GIT_CONFIG_KEY_2=safe.directory GIT_CONFIG_VALUE_2='*'

# Anything that talks to a remote gets a deadline, so an unreachable host ends the step, not the run.
# git runs in a process group of its own, and the whole group is stopped at the deadline: busybox's
# `timeout` (the step image is Alpine) signals only the process it starts, and a transport helper or
# upload-pack left running would keep a command substitution waiting for its output.
remote_git() {
  setsid git "$@" &
  git_pid=$!
  # The watchdog is a group of its own too, without our output, so stopping it leaves nothing behind.
  setsid sh -c 'sleep "$1" && kill -s TERM -- "-$2"' watchdog "$GIT_TIMEOUT" "$git_pid" </dev/null >/dev/null 2>&1 &
  watchdog_pid=$!
  git_status=0
  wait "$git_pid" || git_status=$?
  kill -s TERM -- "-$watchdog_pid" 2>/dev/null || :
  wait "$watchdog_pid" 2>/dev/null || :
  if [ "$git_status" -eq 143 ]; then
    printf 'update-image-revision: git %s gave no answer within %s s; stopped\n' "$*" "$GIT_TIMEOUT" >&2
  fi
  return "$git_status"
}
app_git() { git -C "$APP_SOURCE" "$@"; }

# --- what the ops branch records -----------------------------------------------------------------------
OPS_REF=refs/remotes/origin/$OPS_BRANCH
REVISION_LINE='      revision: '

# Prints the revision recorded in the file on stdin, with or without the double quotes it is written in.
revision_in() {
  while IFS= read -r line || [ -n "$line" ]; do
    case $line in
      "$REVISION_LINE\""*\") value=${line#"$REVISION_LINE\""} && printf '%s\n' "${value%\"}" ;;
      "$REVISION_LINE"*) printf '%s\n' "${line#"$REVISION_LINE"}" ;;
    esac
  done
}

# Rewrites the revision line of file $1 to REVISION, keeping every other byte.
record_revision() {
  lines=0
  while IFS= read -r line || [ -n "$line" ]; do
    case $line in
      "$REVISION_LINE"*)
        printf '%s"%s"\n' "$REVISION_LINE" "$REVISION" # quoted: no YAML reader takes a SHA for a number
        lines=$((lines + 1))
        ;;
      *) printf '%s\n' "$line" ;;
    esac
  done <"$1" >"$1.next"
  if [ "$lines" -ne 1 ]; then
    rm -f "$1.next"
    fail "$1 must hold exactly one revision line; it holds $lines"
  fi
  mv "$1.next" "$1"
}

# --- how REVISION relates to what is recorded ----------------------------------------------------------
has_commit() { app_git cat-file -e "$1^{commit}" 2>/dev/null; }

# Makes commit $1 present in the shallow app clone; fails when the app repository does not have it.
# An unreachable app repository ends the step: "not found" must never be guessed from "not asked".
fetch_commit() {
  has_commit "$1" && return 0
  remote_git -C "$APP_SOURCE" fetch --quiet --no-tags --depth=1 origin "$1" 2>/dev/null && return 0
  remote_git -C "$APP_SOURCE" ls-remote --quiet origin HEAD >/dev/null 2>&1 ||
    fail "could not reach the app repository to look up $1; nothing was changed"
  return 1
}

# Prints how REVISION relates to the recorded commit $1:
#   same | contained (REVISION is an ancestor of $1) | ahead ($1 is an ancestor of REVISION)
#   | unrelated-newer | unrelated-older (history was rewritten; commit dates decide) | unknown ($1 is gone)
relation_to() {
  if [ "$1" = "$REVISION" ]; then echo same; return; fi
  if ! fetch_commit "$1"; then echo unknown; return; fi
  deepen=32
  while :; do
    if app_git merge-base --is-ancestor "$REVISION" "$1" 2>/dev/null; then echo contained; return; fi
    if app_git merge-base --is-ancestor "$1" "$REVISION" 2>/dev/null; then echo ahead; return; fi
    if [ "$(app_git rev-parse --is-shallow-repository)" != true ]; then
      if [ "$(app_git log -1 --format=%ct "$REVISION")" -ge "$(app_git log -1 --format=%ct "$1")" ]; then
        echo unrelated-newer
      else
        echo unrelated-older
      fi
      return
    fi
    # The shallow clone ends before the two histories meet: fetch more of both, then all of it.
    if [ "$deepen" -le 4096 ]; then
      remote_git -C "$APP_SOURCE" fetch --quiet --no-tags --deepen="$deepen" origin "$REVISION" "$1" 2>/dev/null ||
        fail "could not deepen the app clone to compare $REVISION with $1"
      deepen=$((deepen * 4))
    else
      remote_git -C "$APP_SOURCE" fetch --quiet --no-tags --unshallow origin "$REVISION" "$1" 2>/dev/null ||
        fail "could not fetch the app history to compare $REVISION with $1"
    fi
  done
}

# Sleeps longer after each rejected push, with jitter so that racing runs spread out.
back_off() {
  jitter=$(od -An -tu2 -N2 /dev/urandom | tr -d ' ')
  ms=$((RETRY_DELAY_MS * $1 + jitter % (RETRY_DELAY_MS * $1 + 1)))
  sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
}

# --- the write-back ------------------------------------------------------------------------------------
fetch_commit "$REVISION" || fail "REVISION $REVISION is not a commit of the app repository"
APP_URL=$(app_git remote get-url origin)

attempt=1
while :; do
  remote_git fetch --quiet --no-tags --depth=1 origin "+refs/heads/$OPS_BRANCH:$OPS_REF" ||
    fail "could not fetch branch $OPS_BRANCH of the ops repository; nothing was changed"
  git cat-file -e "$OPS_REF:$REVISION_FILE" 2>/dev/null ||
    fail "$REVISION_FILE is not on branch $OPS_BRANCH of the ops repository; run pulumi up to create it"
  recorded=$(git show "$OPS_REF:$REVISION_FILE" | revision_in)
  case $recorded in
    "" | *[!0-9a-f]*) fail "$REVISION_FILE on $OPS_BRANCH records no full commit SHA; got '$recorded'" ;;
  esac

  relation=$(relation_to "$recorded")
  case $relation in
    same)
      say "$OPS_BRANCH already records $REVISION; nothing to push"
      exit 0
      ;;
    contained)
      say "$OPS_BRANCH records $recorded, which already contains $REVISION; nothing to push"
      exit 0
      ;;
    unrelated-older)
      say "$OPS_BRANCH records $recorded, a newer commit of another history than $REVISION; nothing to push"
      exit 0
      ;;
    unknown) say "the recorded $recorded is not in the app repository any more; replacing it" ;;
    unrelated-newer) say "the recorded $recorded is not in the history of $REVISION (rewritten history); replacing it" ;;
  esac

  git checkout --quiet --force --detach "$OPS_REF"
  record_revision "$REVISION_FILE"
  git add -- "$REVISION_FILE"
  git commit --quiet --no-verify -m "Build tested revision $REVISION" \
    -m "update-image-revision records $REVISION of $APP_URL, which passed lint and test (was $recorded)." \
    -- "$REVISION_FILE"

  if pushed=$(remote_git push --porcelain --no-verify origin "HEAD:refs/heads/$OPS_BRANCH" 2>&1); then
    say "recorded $REVISION on $OPS_BRANCH (was $recorded, attempt $attempt)"
    exit 0
  fi
  # Only a lost race is worth another try: the branch moved (rejected), or another push held its lock
  # at that moment. Anything else (no access, a protected branch, a declining hook) is final.
  case $pushed in
    *"[rejected]"* | *"failed to update ref"* | *"cannot lock ref"*) ;;
    *) fail "the push to $OPS_BRANCH failed: $(printf '%s' "$pushed" | tail -n 3 | tr '\n' ' ')" ;;
  esac
  [ "$attempt" -lt "$MAX_ATTEMPTS" ] ||
    fail "the push to $OPS_BRANCH was rejected $attempt times; giving up with $REVISION unrecorded"
  say "the push to $OPS_BRANCH was rejected (attempt $attempt of $MAX_ATTEMPTS); fetching and deciding again"
  back_off "$attempt"
  attempt=$((attempt + 1))
done

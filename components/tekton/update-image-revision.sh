#!/bin/sh
# update-image-revision: records REVISION, a commit the pipeline has linted and tested, as the kpack
# Image's spec.source.git.revision in the ops repository, and pushes it.
#
# Every input arrives through the environment (never pasted into this text), so no value can change
# what the script does. The rules it keeps:
#   - only a full commit SHA that the app repository has is accepted;
#   - never backwards: if the ops branch records REVISION or a descendant of it, nothing is pushed;
#   - no lost updates: a rejected push fetches again, decides again and retries, a bounded number of times;
#   - the tokens are read by a credential helper at the moment git asks, each only for its own
#     repository's exact URL, and written nowhere;
#   - nothing the lint and test Tasks could write is read: both repositories are fetched into fresh ones
#     of this step's own, made with config it wrote (no system, global or clone config, no hooks);
#   - never into a folder the app left: REVISION_FILE's folder must hold the app's kustomization.yaml;
#   - only the revision line of REVISION_FILE changes; every fault ends non-zero with a message;
#   - what became of REVISION is written to OUTCOME_FILE (the Task's result `outcome`), when given, on
#     every zero exit: recorded, already-recorded, newer-recorded or other-history.
# POSIX sh, git and busybox's applets (setsid, sleep, kill, od, tr, tail, mktemp, rm) only.
set -eu

say() { printf 'update-image-revision: %s\n' "$*"; }
# Ends the step well, saying what became of REVISION where the Task's result is read from.
done_with() {
  if [ -n "${OUTCOME_FILE:-}" ]; then printf '%s' "$1" >"$OUTCOME_FILE"; fi
  exit 0
}
fail() {
  printf 'update-image-revision: error: %s\n' "$*" >&2
  exit 1
}

: "${REVISION?}" "${OPS_URL:?}" "${OPS_BRANCH:?}" "${REVISION_FILE:?}" "${APP_URL:?}"
MAX_ATTEMPTS=${MAX_ATTEMPTS:-10} # the Task always passes writeBackAttempts; this is its default
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

# Prints the scheme of repository URL $2 (named $1 in errors): https, or http and file for a test's own
# server; anything else (ext::, ssh, a URL with credentials or spaces in it) is refused.
scheme_of() {
  case $2 in
    *[[:space:]]* | *@*) fail "$1 must be a repository URL without credentials or spaces; got '$2'" ;;
    https://?*) echo https ;;
    http://?*) echo http ;;
    file:///?*) echo file ;;
    *) fail "$1 must be an https:// repository URL; got '$2'" ;;
  esac
}
OPS_SCHEME=$(scheme_of OPS_URL "$OPS_URL")
APP_SCHEME=$(scheme_of APP_URL "$APP_URL")

# --- a git of this step's own ------------------------------------------------------------------------
# No config but what is written here: not the image's system config, not a home folder's, and no
# repository config but that of the two repositories made below. Only the two URLs' schemes are spoken.
WORK=$(mktemp -d "${TMPDIR:-/tmp}/update-image-revision.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir "$WORK/home"
: >"$WORK/gitconfig"
export HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home/.config"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL="$WORK/gitconfig" GIT_CONFIG_SYSTEM=/dev/null
export GIT_TERMINAL_PROMPT=0 GIT_ALLOW_PROTOCOL="$OPS_SCHEME:$APP_SCHEME"
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES GIT_CONFIG \
  GIT_CONFIG_PARAMETERS GIT_EXEC_PATH GIT_SSH GIT_SSH_COMMAND GIT_ASKPASS SSH_ASKPASS GIT_PROXY_COMMAND \
  GIT_TEMPLATE_DIR GIT_CEILING_DIRECTORIES

# How git authenticates. The helper sees the whole URL git asks for (useHttpPath) and answers only for
# these two repositories, character for character but for case (GitHub's names are case-insensitive,
# and a push payload spells them as GitHub stores them): the ops repository with WRITE_TOKEN, the app
# repository with READ_TOKEN when there is one (a public app repository needs none). A redirect or any
# other URL gets nothing. The values are never in a URL, a file or an argument.
export GIT_CONFIG_COUNT=4
export GIT_CONFIG_KEY_0=credential.helper GIT_CONFIG_VALUE_0=
export GIT_CONFIG_KEY_1=credential.helper
# shellcheck disable=SC2016 # expanded by the helper's shell when git runs it, not here
export GIT_CONFIG_VALUE_1='!f() {
  test "$1" = get || exit 0
  protocol= host= path=
  while IFS= read -r line && [ -n "$line" ]; do
    case $line in protocol=*) protocol=${line#protocol=} ;; host=*) host=${line#host=} ;; path=*) path=${line#path=} ;; esac
  done
  lower() { printf "%s" "$1" | tr "A-Z" "a-z"; }
  asked=$(lower "$protocol://$host/$path")
  if [ "$asked" = "$(lower "$OPS_URL")" ]; then token=${WRITE_TOKEN:?the write token secret is empty}
  elif [ "$asked" = "$(lower "$APP_URL")" ] && [ -n "${READ_TOKEN:-}" ]; then token=$READ_TOKEN
  else exit 0; fi
  printf "username=x-access-token\npassword=%s\n" "$token"
}; f'
export GIT_CONFIG_KEY_2=credential.useHttpPath GIT_CONFIG_VALUE_2=true
# No alias, hook or fsmonitor can come from anywhere: the repositories are new and empty of them.
export GIT_CONFIG_KEY_3=core.hooksPath GIT_CONFIG_VALUE_3=/dev/null

OPS="$WORK/ops"
APP="$WORK/app"
git init --quiet --template= "$OPS"
git init --quiet --bare --template= "$APP"
git -C "$OPS" remote add origin "$OPS_URL"
git -C "$APP" remote add origin "$APP_URL"
cd "$OPS"

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
  # The watchdog may not have made its group yet (git failed at once, the fork was slow): stop the
  # process itself too, or the wait below would last the whole deadline.
  kill -s TERM -- "-$watchdog_pid" 2>/dev/null || :
  kill -s TERM "$watchdog_pid" 2>/dev/null || :
  wait "$watchdog_pid" 2>/dev/null || :
  if [ "$git_status" -eq 143 ]; then
    printf 'update-image-revision: git %s gave no answer within %s s; stopped\n' "$*" "$GIT_TIMEOUT" >&2
  fi
  return "$git_status"
}
app_git() { git -C "$APP" "$@"; }

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

# Makes commit $1 present in the step's shallow copy of the app history; fails when the app repository
# does not have it.
# An unreachable app repository ends the step: "not found" must never be guessed from "not asked".
fetch_commit() {
  has_commit "$1" && return 0
  remote_git -C "$APP" fetch --quiet --no-tags --depth=1 origin "$1" 2>/dev/null && return 0
  remote_git -C "$APP" ls-remote --quiet origin HEAD >/dev/null 2>&1 ||
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
    # The shallow copy ends before the two histories meet: fetch more of both, then all of it.
    if [ "$deepen" -le 4096 ]; then
      remote_git -C "$APP" fetch --quiet --no-tags --deepen="$deepen" origin "$REVISION" "$1" 2>/dev/null ||
        fail "could not deepen the app clone to compare $REVISION with $1"
      deepen=$((deepen * 4))
    else
      remote_git -C "$APP" fetch --quiet --no-tags --unshallow origin "$REVISION" "$1" 2>/dev/null ||
        fail "could not fetch the app history to compare $REVISION with $1"
    fi
  done
}

# Sleeps after the $1th rejected push for a random time from 0 to 2 x $1 x RETRY_DELAY_MS ("full jitter"):
# the window the racing runs spread over grows with each round, and, at the same mean wait as a fixed
# part plus jitter, is twice as wide, so more of them land a round (20 apps on one branch at GitHub's
# round trip: all recorded in about 40 s instead of 60-70 s, at most 7 attempts instead of 8; bench/write-back.ts).
back_off() {
  random=$(od -An -tu4 -N4 /dev/urandom | tr -d ' ')
  ms=$((random % (2 * RETRY_DELAY_MS * $1 + 1)))
  sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
}

# --- is this folder still the app's -------------------------------------------------------------------
# Prints the Image's name in the revision file on stdin: the first `  name:` line, under metadata.
image_name_in() {
  while IFS= read -r line || [ -n "$line" ]; do
    case $line in "  name: "*) printf '%s\n' "${line#"  name: "}" && return ;; esac
  done
}

# Fails, recording nothing, when REVISION_FILE's folder no longer holds the app's kustomization.yaml:
# pulumi up moved the app (a new opsPath, opsBranch or opsRepo) after this run's Task was made, and
# deleted the folder's files but revision.yaml (the pipeline's, retained). No Application reads that
# folder any more, so a revision recorded there would be lost without a word. Says where the app's
# revision file is now when this branch holds it (a revision file naming the same Image beside a
# kustomization), else that it left the branch.
check_app_folder() {
  folder=${REVISION_FILE%/*}
  git cat-file -e "$OPS_REF:$folder/kustomization.yaml" 2>/dev/null && return 0
  image=$(git show "$OPS_REF:$REVISION_FILE" | image_name_in)
  moved_to="another branch or repository"
  for file in $(git ls-tree -r --name-only "$OPS_REF"); do
    case $file in */kustomization.yaml) ;; *) continue ;; esac
    other=${file%/kustomization.yaml}
    [ "$other" != "$folder" ] && git cat-file -e "$OPS_REF:$other/revision.yaml" 2>/dev/null || continue
    if [ -n "$image" ] && [ "$(git show "$OPS_REF:$other/revision.yaml" | image_name_in)" = "$image" ]; then
      moved_to="$other/revision.yaml on $OPS_BRANCH"
      break
    fi
  done
  fail "$folder on $OPS_BRANCH no longer holds the app's kustomization.yaml: the app moved (to $moved_to) after this run's Task was made, and no Application reads $REVISION_FILE; nothing was recorded. Push $REVISION again (or run its pipeline again) so that the moved Task records it"
}

# --- the write-back ------------------------------------------------------------------------------------
fetch_commit "$REVISION" || fail "REVISION $REVISION is not a commit of the app repository"

attempt=1
while :; do
  remote_git fetch --quiet --no-tags --depth=1 origin "+refs/heads/$OPS_BRANCH:$OPS_REF" ||
    fail "could not fetch branch $OPS_BRANCH of the ops repository; nothing was changed"
  git cat-file -e "$OPS_REF:$REVISION_FILE" 2>/dev/null ||
    fail "$REVISION_FILE is not on branch $OPS_BRANCH of the ops repository; run pulumi up to create it"
  check_app_folder
  recorded=$(git show "$OPS_REF:$REVISION_FILE" | revision_in)
  case $recorded in
    "" | *[!0-9a-f]*) fail "$REVISION_FILE on $OPS_BRANCH records no full commit SHA; got '$recorded'" ;;
  esac

  relation=$(relation_to "$recorded")
  case $relation in
    same)
      say "$OPS_BRANCH already records $REVISION; nothing to push"
      done_with already-recorded
      ;;
    contained)
      say "$OPS_BRANCH records $recorded, which already contains $REVISION; nothing to push"
      done_with newer-recorded
      ;;
    unrelated-older)
      say "$OPS_BRANCH records $recorded, a newer commit of another history than $REVISION; nothing to push"
      done_with other-history
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
    done_with recorded
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

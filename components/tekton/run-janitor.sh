#!/bin/sh
# run-janitor: runs first in each PipelineRun of an app, as an account of its own that may get, list,
# patch and delete PipelineRuns in the app's namespace and nothing else. It
#   - cancels the app's older runs of the same kind (KIND: push, or pull-request with the same NUMBER,
#     its `pull-request` param)
#     that are still running and have not reached the write-back (WRITE_BACK_TASK among their child
#     references), by setting spec.status to CancelledRunFinally: Tekton cancels their TaskRuns and runs
#     their `finally` tasks, whose statuses say the run was superseded;
#   - deletes the app's finished runs of the same kind beyond the newest KEEP.
# Every patch carries the resourceVersion the decision was made on: a run that moved since (its
# write-back started) is left alone (409 Conflict). It mounts nothing of the run's and reads nothing the
# lint and test Tasks wrote. Inputs arrive through the environment only.
# POSIX sh, kubectl and busybox applets (sort, awk, cut) only.
set -eu

say() { printf 'run-janitor: %s\n' "$*"; }
fail() {
  printf 'run-janitor: error: %s\n' "$*" >&2
  exit 1
}

: "${APP:?}" "${KIND:?}" "${RUN:?}" "${NAMESPACE:?}" "${KEEP:?}" "${WRITE_BACK_TASK:?}"
NUMBER=${NUMBER:-}
label_value() { case $2 in "" | *[!A-Za-z0-9_.-]*) fail "$1 must be a label value; got '$2'" ;; esac; }
label_value APP "$APP"
label_value RUN "$RUN"
label_value NAMESPACE "$NAMESPACE"
label_value WRITE_BACK_TASK "$WRITE_BACK_TASK"
case $KEEP in "" | *[!0-9]* | 0) fail "KEEP must be a whole number from 1; got '$KEEP'" ;; esac
case $KIND in
  push) ;;
  pull-request) case $NUMBER in "" | *[!0-9]*) fail "NUMBER must be a pull request's number; got '$NUMBER'" ;; esac ;;
  *) fail "KIND must be push or pull-request; got '$KIND'" ;;
esac
selector="app.kubernetes.io/name=$APP,deliberate-image-builds/run-kind=$KIND"

# kubectl's in-cluster config, or what the caller gives (KUBECTL_ARGS, for a test against its own API server).
# shellcheck disable=SC2086 # the args are words
k() { kubectl ${KUBECTL_ARGS:-} --namespace "$NAMESPACE" --request-timeout=20s "$@"; }

# One line per run of the app and kind: name, creation time, Succeeded condition's status, spec.status,
# resourceVersion, child pipeline tasks, pull-request param.
runs() {
  k get pipelineruns.tekton.dev -l "$selector" -o jsonpath='{range .items[*]}{.metadata.name}{"\t"}{.metadata.creationTimestamp}{"\t"}{.status.conditions[?(@.type=="Succeeded")].status}{"\t"}{.spec.status}{"\t"}{.metadata.resourceVersion}{"\t"}{.status.childReferences[*].pipelineTaskName}{"\t"}{.spec.params[?(@.name=="pull-request")].value}{"\n"}{end}'
}

mine=$(runs) || fail "could not list the app's runs"
created=$(printf '%s\n' "$mine" | awk -F '\t' -v run="$RUN" '$1 == run { print $2 }')
[ -n "$created" ] || fail "this run, $RUN, is not among the app's $KIND runs"

# --- older runs of the same kind that have not reached the write-back -------------------------------
# Three passes: a run whose resourceVersion moved under a patch (409) is decided again on a fresh list.
pass=1
while [ "$pass" -le 3 ]; do
  listed=$(runs) || fail "could not list the app's runs"
  older=$(printf '%s\n' "$listed" | awk -F '\t' -v run="$RUN" -v created="$created" -v wb="$WRITE_BACK_TASK" -v number="$NUMBER" '
    $1 != "" && $1 != run && $7 == number && ($2 < created || ($2 == created && $1 < run)) && $3 != "True" && $3 != "False" && $4 == "" {
      n = split($6, tasks, " "); reached = 0
      for (i = 1; i <= n; i++) if (tasks[i] == wb) reached = 1
      if (!reached) print $1 "\t" $5
    }')
  [ -n "$older" ] || break
  conflicts=0
  while IFS="$(printf '\t')" read -r name version; do
    patch=$(printf '{"metadata":{"resourceVersion":"%s"},"spec":{"status":"CancelledRunFinally"}}' "$version")
    if out=$(k patch pipelineruns.tekton.dev "$name" --type=merge -p "$patch" 2>&1); then
      say "cancelled $name: $RUN supersedes it"
    else
      conflicts=$((conflicts + 1))
      say "left $name as it is for now: $(printf '%s' "$out" | tr '\n' ' ' | cut -c1-200)"
    fi
  done <<EOF_OLDER
$older
EOF_OLDER
  [ "$conflicts" -gt 0 ] || break
  pass=$((pass + 1))
done

# --- finished runs beyond the newest KEEP -------------------------------------------------------------
all=$(runs) || fail "could not list the app's runs"
printf '%s\n' "$all" | awk -F '\t' '$3 == "True" || $3 == "False" { print $2 "\t" $1 }' | sort -r | awk -v keep="$KEEP" 'NR > keep' |
  while IFS="$(printf '\t')" read -r _ name; do
    if out=$(k delete pipelineruns.tekton.dev "$name" --wait=false 2>&1); then say "deleted $name: more than $KEEP finished $KIND runs"
    else say "could not delete $name: $(printf '%s' "$out" | tr '\n' ' ' | cut -c1-200)"; fi
  done

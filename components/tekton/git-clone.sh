#!/bin/sh
# Clones the pushed commit of the app repository into the run's volume, for lint and test. Every value
# comes from env (the Task's params), never from text substituted into this script. The read token is
# copied from the Secret into HOME, an emptyDir of this pod alone: the checkout on the shared volume
# never holds it (its .git/config names the URL only), and the lint and test pods never see it.
set -eu

home="${HOME:?HOME must be set}"
if [ "${BASIC_AUTH_BOUND}" = "true" ]; then
  # git's store helper for the git host only (basicAuthFiles in git-clone.ts); read-only for the step.
  cp "${BASIC_AUTH_PATH}/.gitconfig" "${home}/.gitconfig"
  cp "${BASIC_AUTH_PATH}/.git-credentials" "${home}/.git-credentials"
  chmod 400 "${home}/.gitconfig" "${home}/.git-credentials"
fi

case "${REVISION}" in
  *[!0-9a-f]* | "") echo "git-clone: REVISION must be a full commit SHA, got '${REVISION}'" >&2; exit 1 ;;
esac
[ "${#REVISION}" -eq 40 ] || { echo "git-clone: REVISION must be a full commit SHA (40 hex digits), got '${REVISION}'" >&2; exit 1; }

checkout="${OUTPUT_PATH}/${SUBDIRECTORY}"
# A fresh volume per run holds nothing yet; a checkout left by anything else is removed, hidden files too.
if [ -d "${checkout}" ]; then
  find "${checkout}" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
fi
mkdir -p "${checkout}"
cd "${checkout}"

git init -q
git remote add origin "${URL}"
# The pushed commit only: GitHub serves any commit of the repository by its SHA (protocol v2).
git -c protocol.version=2 fetch -q --no-tags --depth=1 origin "${REVISION}"
git checkout -q --detach FETCH_HEAD
if [ "${SUBMODULES}" = "true" ]; then
  git -c protocol.version=2 submodule update -q --init --recursive --depth=1
fi

head="$(git rev-parse HEAD)"
if [ "${head}" != "${REVISION}" ]; then
  echo "git-clone: fetched ${head}, not the pushed ${REVISION}" >&2
  exit 1
fi
echo "git-clone: ${URL} at ${head}$([ "${SUBMODULES}" = "true" ] && echo ', with submodules')"

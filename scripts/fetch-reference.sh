#!/bin/sh
# Fetches the upstream definitions the tests check the program against (CRDs and catalog Tasks) into
# ../shared/reference, unchanged, at pinned tags and commits. Where that folder is already provided
# (the team's machines and CI) nothing is fetched; a fresh clone elsewhere (GitHub Actions) runs this
# before `npm test`; a file already there is kept. Usage: sh scripts/fetch-reference.sh [target-dir]
set -eu

target=${1:-"$(dirname "$0")/../../shared/reference"}

raw=https://raw.githubusercontent.com
# <path under the target> <upstream URL>, one per line.
list="
crds/tekton-pipeline/300-pipelinerun.yaml $raw/tektoncd/pipeline/v1.15.0/config/300-crds/300-pipelinerun.yaml
crds/tekton-pipeline/300-pipeline.yaml $raw/tektoncd/pipeline/v1.15.0/config/300-crds/300-pipeline.yaml
crds/tekton-pipeline/300-task.yaml $raw/tektoncd/pipeline/v1.15.0/config/300-crds/300-task.yaml
crds/tekton-pipeline/300-stepaction.yaml $raw/tektoncd/pipeline/v1.15.0/config/300-crds/300-stepaction.yaml
crds/tekton-pipeline/300-taskrun.yaml $raw/tektoncd/pipeline/v1.15.0/config/300-crds/300-taskrun.yaml
crds/tekton-triggers/300-eventlistener.yaml $raw/tektoncd/triggers/v0.37.0/config/300-eventlistener.yaml
crds/tekton-triggers/300-trigger.yaml $raw/tektoncd/triggers/v0.37.0/config/300-trigger.yaml
crds/tekton-triggers/300-triggerbinding.yaml $raw/tektoncd/triggers/v0.37.0/config/300-triggerbinding.yaml
crds/tekton-triggers/300-triggertemplate.yaml $raw/tektoncd/triggers/v0.37.0/config/300-triggertemplate.yaml
crds/tekton-triggers/300-clustertriggerbinding.yaml $raw/tektoncd/triggers/v0.37.0/config/300-clustertriggerbinding.yaml
crds/kpack/openapi-swagger.json $raw/buildpacks-community/kpack/v0.17.2/api/openapi-spec/swagger.json
crds/kpack/build.yaml $raw/buildpacks-community/kpack/v0.17.2/config/build.yaml
crds/kpack/image.yaml $raw/buildpacks-community/kpack/v0.17.2/config/image.yaml
crds/kpack/builder.yaml $raw/buildpacks-community/kpack/v0.17.2/config/builder.yaml
crds/kpack/clusterbuilder.yaml $raw/buildpacks-community/kpack/v0.17.2/config/clusterbuilder.yaml
crds/argo-cd/application-crd.yaml $raw/argoproj/argo-cd/v3.5.1/manifests/crds/application-crd.yaml
tekton-catalog/git-clone-v1.7.0.yaml $raw/tektoncd-catalog/git-clone/v1.7.0/task/git-clone/git-clone.yaml
tekton-catalog/golangci-lint-0.2.yaml $raw/tektoncd/catalog/98916c1af35dd3af48e15e92d0ef95ccc36f48fc/task/golangci-lint/0.2/golangci-lint.yaml
tekton-catalog/golang-test-0.2.yaml $raw/tektoncd/catalog/98916c1af35dd3af48e15e92d0ef95ccc36f48fc/task/golang-test/0.2/golang-test.yaml
"

# Only what is missing; each file lands whole or not at all, so a run cut short is finished by the next.
fetched=0
for entry in $(echo "$list" | tr ' ' '|'); do
  path=${entry%%|*}
  url=${entry#*|}
  [ -f "$target/$path" ] && continue
  mkdir -p "$target/$(dirname "$path")"
  curl --fail --silent --show-error --location --retry 3 --max-time 60 -o "$target/$path.part" "$url"
  mv "$target/$path.part" "$target/$path"
  echo "fetched $path"
  fetched=$((fetched + 1))
done
[ "$fetched" -gt 0 ] || echo "reference definitions already in $target"

#!/bin/sh
# Fetches the upstream definitions the tests check the program against (CRDs and catalog Tasks), unchanged,
# at pinned tags and commits, into .reference-cache/ inside this repository (gitignored). It writes nothing
# outside the repository. Where ../shared/reference (beside the repository) already holds every file, the
# tests read that and nothing is fetched. Each download is checked against the SHA-256 recorded below
# before it lands; a cached file that no longer matches is fetched again.
#   sh scripts/fetch-reference.sh
# REFERENCE_BASE_URL replaces https://raw.githubusercontent.com (a mirror laid out the same way);
# REFERENCE_SHARED_DIR replaces ../shared/reference. `npm test` runs this itself when it needs to.
set -eu

repo=$(cd "$(dirname "$0")/.." && pwd)
shared=${REFERENCE_SHARED_DIR:-"$repo/../shared/reference"}
cache="$repo/.reference-cache"
raw=${REFERENCE_BASE_URL:-https://raw.githubusercontent.com}

# <path under the reference folder> <sha256> <upstream URL>, one per line.
list="
crds/tekton-pipeline/300-pipelinerun.yaml fc416ea4e2cb9e9a0d996cb192c7b5bc9f17b70b7ea962bde212b7b231453a3b $raw/tektoncd/pipeline/v1.15.0/config/300-crds/300-pipelinerun.yaml
crds/tekton-pipeline/300-pipeline.yaml 529a6caae1d106b4eb246d11a42f236e64562baa5a435833ae828d4dd48f6671 $raw/tektoncd/pipeline/v1.15.0/config/300-crds/300-pipeline.yaml
crds/tekton-pipeline/300-task.yaml 7d5659628e9abc63050f3d5718aeba20d10c94a9e30201f0a818b7b0609f0274 $raw/tektoncd/pipeline/v1.15.0/config/300-crds/300-task.yaml
crds/tekton-pipeline/300-stepaction.yaml acd3155fc4bf4f01a1acf5824b6aa87d3265e1041b4f1f6825a16ec5b6ae1acf $raw/tektoncd/pipeline/v1.15.0/config/300-crds/300-stepaction.yaml
crds/tekton-pipeline/300-taskrun.yaml 4e661963b0d441c731182de81274b349c4731299c98c53d6355069034b7742fb $raw/tektoncd/pipeline/v1.15.0/config/300-crds/300-taskrun.yaml
crds/tekton-triggers/300-eventlistener.yaml a6c66b84f935c491a7a91e16e7aebe1aeab8d35b6c9b7240f9028af02e896948 $raw/tektoncd/triggers/v0.37.0/config/300-eventlistener.yaml
crds/tekton-triggers/300-trigger.yaml af3acc2fcc6411ef7073b69d8bb3d673b9938490fabcaa8fadeb1b59b67de2e4 $raw/tektoncd/triggers/v0.37.0/config/300-trigger.yaml
crds/tekton-triggers/300-triggerbinding.yaml 9650eec5a72d0f332b1f240aa880ac2decec2174f8ecf63a402c67afdeefc414 $raw/tektoncd/triggers/v0.37.0/config/300-triggerbinding.yaml
crds/tekton-triggers/300-triggertemplate.yaml ecbf0f112e0bed90efc7b9ecf21c16746ec11325decde86b60cb95b6d545c203 $raw/tektoncd/triggers/v0.37.0/config/300-triggertemplate.yaml
crds/tekton-triggers/300-clustertriggerbinding.yaml bceacc3ff07d24cea487e7aefb380650c1b4f1bc78a1696cd429875c5908c7f8 $raw/tektoncd/triggers/v0.37.0/config/300-clustertriggerbinding.yaml
crds/kpack/openapi-swagger.json 58ecaaf3077b3c1105586ded12afdf65e106f7ea7fb5006989b9d562d9e09986 $raw/buildpacks-community/kpack/v0.17.2/api/openapi-spec/swagger.json
crds/kpack/build.yaml c25faa48a6b685a4b8f2e73a52c14e9972bc615f5716bd86d355f1eb8204f4ab $raw/buildpacks-community/kpack/v0.17.2/config/build.yaml
crds/kpack/image.yaml ccb668b40f25f6b2498e882292706f3b91fccdbc650c7ecc3a47db2efaa702af $raw/buildpacks-community/kpack/v0.17.2/config/image.yaml
crds/kpack/builder.yaml 056ce01d789f04ffa9fbd6e0b1fbddbc03478cf1bdeb4aedcb53ba6de72ea431 $raw/buildpacks-community/kpack/v0.17.2/config/builder.yaml
crds/kpack/clusterbuilder.yaml 5c335831a8731c5e7f8c3d98e55b2f841d9af9a1ee7e31465a908afe580cbe17 $raw/buildpacks-community/kpack/v0.17.2/config/clusterbuilder.yaml
crds/argo-cd/application-crd.yaml 5dde0e229249b6b707beb98674c1deae3949d5c319a6c45b9f5a80c99618e40c $raw/argoproj/argo-cd/v3.5.1/manifests/crds/application-crd.yaml
tekton-catalog/git-clone-v1.7.0.yaml 6fe3fb118b33a3e130ee267d6dc0ddca68424b45cb0a66993cff7c16b5148ddb $raw/tektoncd-catalog/git-clone/v1.7.0/task/git-clone/git-clone.yaml
tekton-catalog/golangci-lint-0.2.yaml 845d44efe50eaf4e96192b9576b4261e2dd886ff0f7352f1fd61da9735ba65cf $raw/tektoncd/catalog/55dd80ef1b83861613dce9080dfdf6656f1aecd4/task/golangci-lint/0.2/golangci-lint.yaml
tekton-catalog/golang-test-0.2.yaml 73390527f641605f3424e896c12ffe834cf710f01b673565751573a1e2b7f531 $raw/tektoncd/catalog/55dd80ef1b83861613dce9080dfdf6656f1aecd4/task/golang-test/0.2/golang-test.yaml
tekton-catalog/golang-test-golang-v1.0.0.yaml bc6833172e4a1a5bda838be26e4de551e216c3d56d1e86d5186a0162e41129b6 $raw/tektoncd-catalog/golang/ba30a4886564e2455c065ef871c05c39b49b6fd6/task/golang-test/golang-test.yaml
"

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1"; else shasum -a 256 "$1"; fi | cut -d ' ' -f 1
}

# The folder beside the repository, when it holds every file, is what the tests read.
complete=yes
while read -r file sum url; do
  [ -z "$file" ] || [ -f "$shared/$file" ] || complete=no
done <<LIST
$list
LIST
if [ "$complete" = yes ]; then
  echo "reference definitions already in $shared"
  exit 0
fi

# Only what is missing or no longer matches; each file lands whole and checked, or not at all.
fetched=0
while read -r file sum url; do
  [ -n "$file" ] || continue
  target="$cache/$file"
  [ -f "$target" ] && [ "$(sha256 "$target")" = "$sum" ] && continue
  mkdir -p "$(dirname "$target")"
  rm -f "$target.part"
  if ! curl --fail --silent --show-error --location --retry 3 --max-time 60 -o "$target.part" "$url"; then
    rm -f "$target.part"
    echo "fetch-reference: could not fetch $file from $url" >&2
    exit 1
  fi
  got=$(sha256 "$target.part")
  if [ "$got" != "$sum" ]; then
    rm -f "$target.part"
    echo "fetch-reference: $file from $url has SHA-256 $got; expected $sum (the pinned upstream file)" >&2
    exit 1
  fi
  mv "$target.part" "$target"
  echo "fetched $file"
  fetched=$((fetched + 1))
done <<LIST
$list
LIST
[ "$fetched" -gt 0 ] || echo "reference definitions already in $cache"

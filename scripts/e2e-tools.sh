#!/usr/bin/env bash
# Builds, once, the binaries the end-to-end tests need, from their Go modules:
# the Pulumi CLI and Node.js language host, the kubernetes and github provider
# plugins, etcd, kube-apiserver and kube-controller-manager, and the controllers
# the loop runs on: Tekton's webhook and controller, Triggers' webhook, the EventListener sink and
# the core interceptors, kpack's webhook and controller, the e2e's own registry
# (for the controller's images), Argo CD (one multi-call binary) and the
# kustomize its repo-server runs. Each controller's release manifests (CRDs,
# config) are copied from its module to <dir>/share/<tool>/.
#
# Pins live in e2e/tools/pins.env. Binaries go to <dir>/bin, where <dir> is
# $E2E_TOOLS_DIR or ${XDG_CACHE_HOME:-$HOME/.cache}/deliberate-image-builds/e2e-tools.
# Everything is logged to <dir>/build.log. A tool whose binary exists and whose
# recorded pin (<dir>/stamps/<tool>.pin) matches is skipped. One failed tool does
# not stop the others; the script lists the failures and exits 1 at the end.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$SCRIPT_DIR/.." && pwd)"
PINS_FILE="${E2E_TOOLS_PINS:-$REPO_DIR/e2e/tools/pins.env}"
TOOLS_DIR="${E2E_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/deliberate-image-builds/e2e-tools}"

ALL_TOOLS=(etcd pulumi pulumi-language-nodejs pulumi-resource-kubernetes pulumi-resource-github kube-apiserver kube-controller-manager
  tekton-pipeline-webhook tekton-pipeline-controller tekton-triggers-webhook tekton-triggers-eventlistenersink tekton-triggers-interceptors
  kpack-webhook kpack-controller kpack-registry argocd kustomize)

usage() {
  cat <<EOF
Usage: bash scripts/e2e-tools.sh [--force] [--print-pins] [--list] [--help] [TOOL...]

Builds the e2e tool binaries from their Go modules into a cache outside the
repository (about an hour and a quarter cold on 2 cores; seconds when everything is built).

  TOOL...       build only these (default: all): ${ALL_TOOLS[*]}
  --force       rebuild even when the binary and its pin stamp are up to date
  --print-pins  print each tool's pin (module@version, package, flags) and exit
  --list        print the tool names and exit
  --help        this text

Environment:
  E2E_TOOLS_DIR   cache dir (default \${XDG_CACHE_HOME:-\$HOME/.cache}/deliberate-image-builds/e2e-tools)
  E2E_TOOLS_PINS  pins file (default e2e/tools/pins.env)
  GOMODCACHE, GOCACHE, GOPATH are left as they are (Go's defaults are outside the repository).

Afterwards: export PATH=<dir>/bin:\$PATH
EOF
}

FORCE=0
PRINT_PINS=0
SELECTED=()
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --list) printf '%s\n' "${ALL_TOOLS[@]}"; exit 0 ;;
    --force) FORCE=1 ;;
    --print-pins) PRINT_PINS=1 ;;
    -*) echo "e2e-tools: unknown option $1" >&2; usage >&2; exit 2 ;;
    *)
      known=0
      for t in "${ALL_TOOLS[@]}"; do [ "$t" = "$1" ] && known=1; done
      if [ "$known" = 0 ]; then echo "e2e-tools: unknown tool $1 (known: ${ALL_TOOLS[*]})" >&2; exit 2; fi
      SELECTED+=("$1") ;;
  esac
  shift
done
[ ${#SELECTED[@]} -gt 0 ] || SELECTED=("${ALL_TOOLS[@]}")

# --- pins: KEY=value lines only, read without executing the file ------------
if [ ! -f "$PINS_FILE" ]; then echo "e2e-tools: pins file not found: $PINS_FILE" >&2; exit 2; fi
while IFS= read -r line || [ -n "$line" ]; do
  line="${line%%#*}"
  line="${line#"${line%%[![:space:]]*}"}"
  line="${line%"${line##*[![:space:]]}"}"
  [ -n "$line" ] || continue
  if [[ ! "$line" =~ ^[A-Z][A-Z0-9_]*=[^[:space:]\$\`\;\&\|\<\>\(\)]*$ ]]; then
    echo "e2e-tools: bad line in $PINS_FILE: $line" >&2; exit 2
  fi
  printf -v "${line%%=*}" '%s' "${line#*=}"
done < "$PINS_FILE"

pin_missing() { echo "e2e-tools: $1 is not set in $PINS_FILE" >&2; exit 2; }
for key in ETCD_MODULE ETCD_VERSION PULUMI_MODULE PULUMI_VERSION \
  PULUMI_LANGUAGE_NODEJS_MODULE PULUMI_LANGUAGE_NODEJS_VERSION PULUMI_LANGUAGE_NODEJS_PACKAGE \
  KUBERNETES_PROVIDER_MODULE KUBERNETES_PROVIDER_VERSION KUBERNETES_PROVIDER_RELEASE KUBERNETES_PROVIDER_SDK_VERSION \
  GITHUB_PROVIDER_SOURCE GITHUB_PROVIDER_RELEASE KPACK_REGISTRY_SOURCE \
  KUBERNETES_MODULE KUBERNETES_VERSION TEKTON_PIPELINE_MODULE TEKTON_PIPELINE_VERSION \
  TEKTON_TRIGGERS_MODULE TEKTON_TRIGGERS_VERSION KPACK_MODULE KPACK_VERSION \
  ARGOCD_MODULE ARGOCD_VERSION ARGOCD_GOTOOLCHAIN KUSTOMIZE_MODULE KUSTOMIZE_VERSION; do
  [ -n "${!key:-}" ] || pin_missing "$key"
done

K8S_MAJOR="${KUBERNETES_VERSION#v}"; K8S_MAJOR="${K8S_MAJOR%%.*}"
K8S_MINOR="${KUBERNETES_VERSION#v*.}"; K8S_MINOR="${K8S_MINOR%%.*}"
K8S_STAGING_VERSION="v0.${KUBERNETES_VERSION#v*.}"

# --- per-tool definitions ---------------------------------------------------
# Sets T_MODULE T_VERSION T_PKG T_LDFLAGS T_LOCAL (version for the target's
# local ./ or ../ replaces) T_MAIN (name of a function writing our own main.go,
# or empty to build T_PKG as it is) T_TAGS (build tags), or, for a Go module of
# the project's own, T_SOURCE (its folder; T_VERSION is then a digest of it; T_TFGEN=1
# when it is the GitHub plugin, whose schema is generated first).
# T_TOOLCHAIN names a Go toolchain the module needs (GOTOOLCHAIN); T_SHARE lists
# folders and files of the module to copy to <dir>/share/<tool>/ (release manifests).
define_tool() {
  T_MODULE="" T_VERSION="" T_PKG="" T_LDFLAGS="" T_LOCAL="" T_MAIN="" T_TAGS="" T_SOURCE="" T_TFGEN="" T_TOOLCHAIN="" T_SHARE=""
  case "$1" in
    etcd)
      T_MODULE="$ETCD_MODULE" T_VERSION="$ETCD_VERSION" T_PKG="$ETCD_MODULE" T_LOCAL="$ETCD_VERSION"
      T_LDFLAGS="-X go.etcd.io/etcd/api/v3/version.GitSHA=${ETCD_VERSION}" ;;
    pulumi)
      T_MODULE="$PULUMI_MODULE" T_VERSION="$PULUMI_VERSION" T_PKG="$PULUMI_MODULE/cmd/pulumi" T_LOCAL="$PULUMI_VERSION"
      T_LDFLAGS="-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=${PULUMI_VERSION}" ;;
    pulumi-language-nodejs)
      T_MODULE="$PULUMI_LANGUAGE_NODEJS_MODULE" T_VERSION="$PULUMI_LANGUAGE_NODEJS_VERSION"
      T_PKG="$PULUMI_LANGUAGE_NODEJS_PACKAGE" T_LOCAL="$PULUMI_LANGUAGE_NODEJS_VERSION"
      T_LDFLAGS="-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=${PULUMI_LANGUAGE_NODEJS_VERSION}" ;;
    pulumi-resource-kubernetes)
      T_MODULE="$KUBERNETES_PROVIDER_MODULE" T_VERSION="$KUBERNETES_PROVIDER_VERSION" T_LOCAL="$KUBERNETES_PROVIDER_SDK_VERSION"
      T_PKG="." T_MAIN=write_main_kubernetes
      T_LDFLAGS="-X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=${KUBERNETES_PROVIDER_RELEASE}" ;;
    pulumi-resource-github)
      # The project's own module: its go.mod and go.sum pin what it is built from.
      T_SOURCE="$REPO_DIR/$GITHUB_PROVIDER_SOURCE" T_MODULE="$GITHUB_PROVIDER_SOURCE" T_VERSION="$(source_digest "$REPO_DIR/$GITHUB_PROVIDER_SOURCE")"
      T_PKG="./cmd/pulumi-resource-github" T_LDFLAGS="-X main.version=${GITHUB_PROVIDER_RELEASE}" T_TFGEN=1 ;;
    kube-apiserver|kube-controller-manager)
      T_MODULE="$KUBERNETES_MODULE" T_VERSION="$KUBERNETES_VERSION" T_PKG="$KUBERNETES_MODULE/cmd/$1" T_LOCAL="$K8S_STAGING_VERSION"
      local p flags=""
      for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
        flags+=" -X $p.gitVersion=${KUBERNETES_VERSION} -X $p.gitMajor=${K8S_MAJOR} -X $p.gitMinor=${K8S_MINOR}"
        flags+=" -X $p.gitTreeState=clean -X $p.buildDate=@BUILD_DATE@ -X $p.gitCommit=@GIT_COMMIT@"
      done
      T_LDFLAGS="${flags# }" ;;
    tekton-pipeline-webhook)
      T_MODULE="$TEKTON_PIPELINE_MODULE" T_VERSION="$TEKTON_PIPELINE_VERSION" T_PKG="$TEKTON_PIPELINE_MODULE/cmd/webhook" T_SHARE="config" ;;
    tekton-pipeline-controller)
      # The reconciler of PipelineRuns and TaskRuns; its config maps and RBAC come from the webhook's share/ copy.
      T_MODULE="$TEKTON_PIPELINE_MODULE" T_VERSION="$TEKTON_PIPELINE_VERSION" T_PKG="$TEKTON_PIPELINE_MODULE/cmd/controller" ;;
    tekton-triggers-webhook|tekton-triggers-eventlistenersink|tekton-triggers-interceptors)
      T_MODULE="$TEKTON_TRIGGERS_MODULE" T_VERSION="$TEKTON_TRIGGERS_VERSION" T_PKG="$TEKTON_TRIGGERS_MODULE/cmd/${1#tekton-triggers-}"
      [ "$1" != tekton-triggers-webhook ] || T_SHARE="config" ;;
    kpack-webhook)
      T_MODULE="$KPACK_MODULE" T_VERSION="$KPACK_VERSION" T_PKG="$KPACK_MODULE/cmd/webhook" T_SHARE="config" ;;
    kpack-controller)
      # kpack's one replace (docker v28.2.2 => v28.5.2) is copied into the wrapper like any other.
      T_MODULE="$KPACK_MODULE" T_VERSION="$KPACK_VERSION" T_PKG="$KPACK_MODULE/cmd/controller" T_SHARE="config" ;;
    kpack-registry)
      # The project's own module: go-containerregistry's in-process registry with synthetic images.
      T_SOURCE="$REPO_DIR/$KPACK_REGISTRY_SOURCE" T_MODULE="$KPACK_REGISTRY_SOURCE" T_VERSION="$(source_digest "$REPO_DIR/$KPACK_REGISTRY_SOURCE")"
      T_PKG="." ;;
    argocd)
      # One binary for every Argo CD component; it picks one by the name it runs
      # as (argocd-application-controller, argocd-repo-server). Its ./gitops-engine
      # replace becomes the separately served gitops-engine module.
      T_MODULE="$ARGOCD_MODULE" T_VERSION="$ARGOCD_VERSION" T_PKG="$ARGOCD_MODULE/cmd" T_LOCAL="$ARGOCD_VERSION"
      # The repo-server runs hack/git-verify-wrapper.sh for every git source, GPG off or not
      # (util/git/client.go VerifyCommitSignature); the image puts it on PATH.
      T_TOOLCHAIN="$ARGOCD_GOTOOLCHAIN" T_SHARE="manifests/crds hack/git-verify-wrapper.sh"
      T_LDFLAGS="-X github.com/argoproj/argo-cd/v3/common.version=${ARGOCD_VERSION#v}" ;;
    kustomize)
      T_MODULE="$KUSTOMIZE_MODULE" T_VERSION="$KUSTOMIZE_VERSION" T_PKG="$KUSTOMIZE_MODULE" T_LOCAL="" ;;
    *) echo "e2e-tools: no definition for $1" >&2; return 1 ;;
  esac
}

# Our own main.go for the provider plugins: the upstream main packages embed
# generated files that the module zips do not carry, so we embed the provider's
# committed schema.json (copied from the module cache at build time) instead.
write_main_kubernetes() { # $1 wrapper dir, $2 module dir
  local dir="$1" mod="$2"
  set_schema_version "$mod/cmd/pulumi-resource-kubernetes/schema.json" "$dir/schema.json" "$KUBERNETES_PROVIDER_RELEASE"
  cp "$mod/cmd/pulumi-resource-kubernetes/terraform-mapping.json" "$dir/terraform-mapping.json"
  chmod u+w "$dir/terraform-mapping.json"
  cat > "$dir/main.go" <<'EOF'
// Generated by scripts/e2e-tools.sh: the kubernetes provider plugin, serving
// the provider's own schema.json and terraform-mapping.json.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema.json
var pulumiSchema []byte

//go:embed terraform-mapping.json
var terraformMapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, pulumiSchema, terraformMapping)
}
EOF
}

# Copies a provider's schema.json with its "version" set, as the upstream
# generate step does for the embedded copy.
set_schema_version() { # $1 source, $2 destination, $3 version
  node -e '
    const fs = require("fs");
    const spec = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    spec.version = process.argv[3];
    fs.writeFileSync(process.argv[2], JSON.stringify(spec));' "$1" "$2" "$3"
}

# A digest of a project Go module's files: a change to any of them rebuilds the tool.
source_digest() { # $1 folder
  (cd "$1" && find . -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) | LC_ALL=C sort | xargs sha256sum) | sha256sum | cut -c1-16
}

# --- functions ---------------------------------------------------------------
LOG="$TOOLS_DIR/build.log"
export GOFLAGS="-buildvcs=false -mod=mod"
export CGO_ENABLED="${CGO_ENABLED:-0}"
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"

log() { printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >> "$LOG"; }
say() { printf '%s\n' "$*"; log "$*"; }

# JSON field of `go mod download -json` output: $1 file, $2 dotted key
json_field() {
  node -e '
    const v = process.argv[2].split(".").reduce((o, k) => (o == null ? o : o[k]), JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")));
    process.stdout.write(v == null ? "" : String(v));' "$1" "$2"
}

# Replaces of a go.mod as lines "OLD[@V] NEW[@V]"; local paths stay as written.
go_mod_replaces() {
  go mod edit -json "$1" | node -e '
    const m = JSON.parse(require("fs").readFileSync(0, "utf8"));
    for (const r of m.Replace || []) {
      const o = r.Old.Path + (r.Old.Version ? "@" + r.Old.Version : "");
      const n = r.New.Path + (r.New.Version ? "@" + r.New.Version : "");
      console.log(o + " " + n);
    }'
}

pin_of() { # the string recorded in the stamp
  local main_src=""
  [ -z "$T_MAIN" ] || main_src="$(declare -f "$T_MAIN" | sha256sum | cut -c1-16)"
  printf 'module=%s@%s pkg=%s local=%s ldflags=%s tags=%s main=%s go=%s cgo=%s%s\n' \
    "$T_MODULE" "$T_VERSION" "$T_PKG" "$T_LOCAL" "$T_LDFLAGS" "$T_TAGS" "$main_src" \
    "$(GOTOOLCHAIN="${T_TOOLCHAIN:-$GOTOOLCHAIN}" go env GOVERSION)" "$CGO_ENABLED" "${T_SHARE:+ share=$T_SHARE}"
}

first_go_error() { # the line that says what went wrong
  local f="$1" l
  l="$(grep -m1 -E '\.go:[0-9]+(:[0-9]+)?: ' "$f" || true)"
  [ -n "$l" ] || l="$(grep -m1 -E '^(go: |go build |cannot |package |.*: (missing|invalid|unknown|reading|verifying) )' "$f" || true)"
  [ -n "$l" ] || l="$(grep -v '^+ ' "$f" | tail -n 1)"
  printf '%s' "$l"
}

# A tool from a Go module of the project's own (T_SOURCE): its go.mod and go.sum pin what it is built from.
# The GitHub provider plugin (e2e/tools/github-provider, T_TFGEN=1) first builds the bridge's tfgen from the
# same ProviderInfo, which generates the schema the plugin embeds, as pulumi-github's build does; the schema
# is kept beside the binaries for the e2e's check against @pulumi/github's names.
build_source_tool() { # $1 name, $2 build dir, $3 output binary
  local name="$1" wdir="$2" out="$3"
  cp -R "$T_SOURCE/." "$wdir/"
  chmod -R u+w "$wdir"
  cd "$wdir"
  if [ "$T_TFGEN" = 1 ]; then
    go build -p 2 -trimpath -ldflags "-s -w $T_LDFLAGS" -o "$wdir/pulumi-tfgen-github" ./cmd/pulumi-tfgen-github
    "$wdir/pulumi-tfgen-github" schema --out "$wdir/schema" --skip-docs --skip-examples
    cp "$wdir/schema/schema.json" "$wdir/cmd/pulumi-resource-github/schema.json"
    mkdir -p "$TOOLS_DIR/share"
    cp "$wdir/schema/schema.json" "$TOOLS_DIR/share/$name.schema.json"
  fi
  go build -p 2 -trimpath -ldflags "-s -w $T_LDFLAGS" -o "$out.tmp" "$T_PKG"
  mv -f "$out.tmp" "$out"
}

# Build one tool; runs in a subshell with its output in logs/<tool>.log.
build_tool() {
  local name="$1" out="$TOOLS_DIR/bin/$1" wdir="$TOOLS_DIR/src/$1" dl="$TOOLS_DIR/src/$1.download.json"
  set -x
  [ -z "$T_TOOLCHAIN" ] || export GOTOOLCHAIN="$T_TOOLCHAIN"
  rm -rf "$wdir"; mkdir -p "$wdir"
  if [ -n "$T_SOURCE" ]; then build_source_tool "$name" "$wdir" "$out"; return; fi
  if ! go mod download -json "$T_MODULE@$T_VERSION" > "$dl"; then
    json_field "$dl" Error | sed '1s/^/go: /'; echo; return 1
  fi
  local gomod moddir built_at commit
  gomod="$(json_field "$dl" GoMod)"; moddir="$(json_field "$dl" Dir)"
  built_at="$(json_field "$(json_field "$dl" Info)" Time)"; commit="$(json_field "$dl" Origin.Hash)"
  [ -n "$commit" ] || commit="$T_VERSION"

  cd "$wdir"
  printf 'module e2etools/%s\n\ngo %s\n' "${name//-/_}" "$(go env GOVERSION | sed -E 's/^go([0-9]+\.[0-9]+).*/\1/')" > go.mod
  # Repeat the target module's replaces: local ones (./x, ../x) become the
  # module at the pinned version, the others are copied as they are.
  local old new
  while read -r old new; do
    case "$new" in
      ./FORBIDDEN_DEPENDENCY|*/FORBIDDEN_DEPENDENCY) continue ;;
      ./*|../*) [ -n "$T_LOCAL" ] || { echo "no local version for replace $old => $new"; return 1; }
        go mod edit -replace="$old=${old%@*}@$T_LOCAL" ;;
      *) go mod edit -replace="$old=$new" ;;
    esac
  done < <(go_mod_replaces "$gomod")

  local pkg="$T_PKG"
  if [ -n "$T_MAIN" ]; then
    "$T_MAIN" "$wdir" "$moddir"
    go get "$T_MODULE@$T_VERSION"
    go get .
  else
    go get "$T_PKG@$T_VERSION"
  fi
  local ldflags="${T_LDFLAGS//@BUILD_DATE@/$built_at}"
  ldflags="${ldflags//@GIT_COMMIT@/$commit}"
  go build -p 2 -trimpath ${T_TAGS:+-tags "$T_TAGS"} -ldflags "-s -w $ldflags" -o "$out.tmp" "$pkg"
  local item
  for item in $T_SHARE; do
    rm -rf "$TOOLS_DIR/share/$name/$item"; mkdir -p "$(dirname "$TOOLS_DIR/share/$name/$item")"
    cp -R "$moddir/$item" "$TOOLS_DIR/share/$name/$item"
    chmod -R u+w "$TOOLS_DIR/share/$name"
  done
  mv -f "$out.tmp" "$out"
}

# --- main ---------------------------------------------------------------------
if [ "$PRINT_PINS" = 1 ]; then
  for name in "${SELECTED[@]}"; do
    define_tool "$name"
    printf '%s: %s@%s pkg=%s ldflags=%s\n' "$name" "$T_MODULE" "$T_VERSION" "$T_PKG" "$T_LDFLAGS"
  done
  exit 0
fi

command -v go >/dev/null || { echo "e2e-tools: go is not on PATH" >&2; exit 2; }
command -v node >/dev/null || { echo "e2e-tools: node is not on PATH" >&2; exit 2; }
mkdir -p "$TOOLS_DIR/bin" "$TOOLS_DIR/stamps" "$TOOLS_DIR/logs" "$TOOLS_DIR/src"

say "e2e-tools: building into $TOOLS_DIR ($(go env GOVERSION), GOMODCACHE=$(go env GOMODCACHE), GOCACHE=$(go env GOCACHE))"
FAILED=()
FAIL_LINES=()
for name in "${SELECTED[@]}"; do
  define_tool "$name"
  pin="$(pin_of)"
  stamp="$TOOLS_DIR/stamps/$name.pin"
  if [ "$FORCE" = 0 ] && [ -x "$TOOLS_DIR/bin/$name" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$pin" ]; then
    say "[$name] up to date ($T_MODULE@$T_VERSION)"
    continue
  fi
  rm -f "$stamp"
  say "[$name] building $T_MODULE@$T_VERSION ..."
  start=$(date +%s)
  tool_log="$TOOLS_DIR/logs/$name.log"
  if ( build_tool "$name" ) > "$tool_log" 2>&1; then
    secs=$(( $(date +%s) - start ))
    printf '%s\n' "$pin" > "$stamp"
    cat "$tool_log" >> "$LOG"
    say "[$name] built in ${secs}s: $TOOLS_DIR/bin/$name ($(du -h "$TOOLS_DIR/bin/$name" | cut -f1))"
  else
    secs=$(( $(date +%s) - start ))
    cat "$tool_log" >> "$LOG"
    err="$(first_go_error "$tool_log")"
    say "[$name] FAILED after ${secs}s: $err"
    FAILED+=("$name"); FAIL_LINES+=("$err")
  fi
done

say "e2e-tools: binaries are in $TOOLS_DIR/bin (log: $LOG)"
say "  export PATH=$TOOLS_DIR/bin:\$PATH"
if [ ${#FAILED[@]} -gt 0 ]; then
  say "e2e-tools: ${#FAILED[@]} tool(s) failed:"
  for i in "${!FAILED[@]}"; do say "  ${FAILED[$i]}: ${FAIL_LINES[$i]}"; done
  exit 1
fi
say "e2e-tools: all ${#SELECTED[@]} tool(s) ready"

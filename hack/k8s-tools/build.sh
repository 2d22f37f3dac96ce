#!/usr/bin/env bash
# Builds kube-apiserver, kube-controller-manager, kube-scheduler, kubelet,
# kubectl and etcd from the Go module proxy into $K8S_BIN_DIR (cached by
# version). About 13 minutes cold on 2 cores; instant when cached.
source "$(dirname "$0")/../lib/common.sh"

BINARIES=(kube-apiserver kube-controller-manager kube-scheduler kubelet kubectl etcd)

all_built() {
  local b
  for b in "${BINARIES[@]}"; do [[ -x "$K8S_BIN_DIR/$b" ]] || return 1; done
}

if all_built; then
  log "Kubernetes $K8S_VERSION binaries cached in $K8S_BIN_DIR"
  exit 0
fi
command -v go >/dev/null || die "Go is needed to build the cluster binaries (only for hack/, the product is TypeScript)"

export CGO_ENABLED=0 GOFLAGS=-mod=mod
build_dir="$NIGHTSHIFT_CACHE/k8s/$K8S_VERSION/src"
mkdir -p "$build_dir/k8s" "$build_dir/etcd" "$K8S_BIN_DIR"

# --- the wrapper module around k8s.io/kubernetes --------------------------
k8s_gomod=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | python3 -c 'import json,sys; print(json.load(sys.stdin)["GoMod"])')
staging_version="v0.${K8S_VERSION#v1.}"   # v1.36.3 -> v0.36.3
{
  echo "module nightshift.dev/k8s-tools"
  echo
  echo "go $(go env GOVERSION | sed -E 's/^go([0-9]+\.[0-9]+).*/\1/')"
  echo
  echo "require k8s.io/kubernetes $K8S_VERSION"
  echo
  # Every staging module that kubernetes points at ./staging/... gets the
  # published v0.N.M instead; derived, not hard-coded.
  go mod edit -json "$k8s_gomod" | python3 -c '
import json, sys
mod = json.load(sys.stdin)
for r in mod.get("Replace") or []:
    if r["New"]["Path"].startswith("./staging/"):
        print("replace %s => %s %s" % (r["Old"]["Path"], r["Old"]["Path"], sys.argv[1]))
' "$staging_version"
} > "$build_dir/k8s/go.mod"
cp "$HACK_DIR/k8s-tools/tools.go" "$build_dir/k8s/tools.go"
log "wrapper module: $(grep -c '^replace' "$build_dir/k8s/go.mod") replace lines derived from k8s.io/kubernetes@$K8S_VERSION"

minor=$(echo "$K8S_VERSION" | cut -d. -f2)
ldflags=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done

(
  cd "$build_dir/k8s"
  step "resolving Kubernetes modules (go mod tidy)" go mod tidy
  for b in kube-apiserver kube-controller-manager kube-scheduler kubectl kubelet; do
    if [[ ! -x "$K8S_BIN_DIR/$b" ]]; then
      step "building $b $K8S_VERSION$([[ $b == kube-apiserver ]] && echo ' (the longest: 3-7 min)')" \
        go build -trimpath -ldflags "-s -w $ldflags" -o "$K8S_BIN_DIR/$b.tmp" "k8s.io/kubernetes/cmd/$b"
      mv "$K8S_BIN_DIR/$b.tmp" "$K8S_BIN_DIR/$b"
    fi
  done
)

# --- etcd at the version kubernetes names ------------------------------------
etcd_version=$(go mod edit -json "$k8s_gomod" | python3 -c '
import json, sys
mod = json.load(sys.stdin)
for r in mod["Require"]:
    if r["Path"] in ("go.etcd.io/etcd/client/v3", "go.etcd.io/etcd/server/v3"):
        print(r["Version"]); break
')
[[ -n "$etcd_version" ]] || die "could not find the etcd version in k8s.io/kubernetes@$K8S_VERSION go.mod"
if [[ ! -x "$K8S_BIN_DIR/etcd" ]]; then
  (
    cd "$build_dir/etcd"
    cp "$HACK_DIR/k8s-tools/etcd/main.go" main.go
    printf 'module nightshift.dev/etcd\n\ngo %s\n\nrequire go.etcd.io/etcd/server/v3 %s\n' \
      "$(go env GOVERSION | sed -E 's/^go([0-9]+\.[0-9]+).*/\1/')" "$etcd_version" > go.mod
    step "resolving etcd $etcd_version modules" go mod tidy
    step "building etcd $etcd_version" go build -trimpath -ldflags "-s -w" -o "$K8S_BIN_DIR/etcd.tmp" .
    mv "$K8S_BIN_DIR/etcd.tmp" "$K8S_BIN_DIR/etcd"
  )
fi
all_built || die "some binaries are missing from $K8S_BIN_DIR"
log "Kubernetes $K8S_VERSION + etcd $etcd_version ready in $K8S_BIN_DIR"

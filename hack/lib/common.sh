# Shared settings for hack/ scripts. Source it; do not run it.
# Everything slow to build lives outside the checkout, keyed by version, so a
# fresh clone reuses it and `rm -rf ~/.cache/nightshift` forces a rebuild.
set -euo pipefail

HACK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO_ROOT="$(cd "$HACK_DIR/.." && pwd)"

K8S_VERSION="${K8S_VERSION:-v1.36.3}"
NIGHTSHIFT_CACHE="${NIGHTSHIFT_CACHE:-$HOME/.cache/nightshift}"
K8S_BIN_DIR="$NIGHTSHIFT_CACHE/k8s/$K8S_VERSION/bin"
# Runtime state of the local cluster (certs, etcd data, kubelet root, logs).
CLUSTER_DIR="${NIGHTSHIFT_CLUSTER_DIR:-/var/lib/nightshift-cluster}"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Run a long step, showing the time it took and what it is for.
step() {
  local what="$1"; shift
  local started=$SECONDS
  log "$what ..."
  "$@"
  log "$what: done in $((SECONDS - started)) s"
}

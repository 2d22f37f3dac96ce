#!/usr/bin/env bash
# `npm start`: the whole system on this machine — the local Kubernetes
# cluster, the CRDs, an embedded Postgres, a local forge (git + GitHub API),
# the operator — then runs examples/storyrun.yaml to a result.
source "$(dirname "$0")/lib/common.sh"
cd "$REPO_ROOT"

cat <<'BANNER'
Nightshift — starting everything locally:
  1. npm dependencies and Debian packages (containerd, buildah, ...)
  2. the local Kubernetes cluster: the FIRST run builds Kubernetes from source
     (about 10-15 minutes on 2 cores, cached in ~/.cache/nightshift); later runs take seconds
  3. the runner image, the CRDs, an embedded Postgres, a local forge and the operator
  4. the sample story examples/storyrun.yaml, followed until it finishes
BANNER
[[ $(id -u) -eq 0 ]] || die "npm start runs a local Kubernetes node (kubelet + containerd) and needs root; on a laptop see hack/kind-up.sh"

bash hack/lib/ensure-node-modules.sh
export PATH="$REPO_ROOT/node_modules/.bin:$PATH"
step "the dashboard web app" bash hack/lib/build-web.sh
step "local cluster" bash hack/cluster up
exec node hack/start/demo.ts "$@"

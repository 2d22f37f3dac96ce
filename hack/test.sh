#!/usr/bin/env bash
# `npm test`: installs what the tests need (npm packages, Debian packages, the
# Kubernetes binaries and images, cached under ~/.cache/nightshift), brings up
# the local cluster, then type-checks, lints and runs every test.
# Pass mocha arguments to run a subset: npm test -- operator/test/storyrun.test.ts
source "$(dirname "$0")/lib/common.sh"
cd "$REPO_ROOT"

bash hack/lib/ensure-node-modules.sh
export PATH="$REPO_ROOT/node_modules/.bin:$PATH"
[[ "$(node --version)" == v24.* ]] || die "expected Node 24 from node_modules/.bin, got $(node --version)"

step "local cluster (first run builds Kubernetes from source, ~10-15 min)" bash hack/cluster up
step "type-checking" tsc -p .
step "type-checking the web app" tsc -p dashboard/web
step "building the web app" bash hack/lib/build-web.sh
step "linting" npm run --silent lint
# Unit tests sit beside the code (src/**/*.test.ts, and npm start's in hack/start/);
# integration tests in each workspace's test/ folder (the dashboard's in dashboard/server/ and dashboard/web/), the
# kubectl plugin's in dashboard/kubectl/, and in hack/test/.
ALL_TESTS=('{crds,operator,runner-image,dashboard/server,dashboard/web}/src/**/*.test.ts' 'dashboard/kubectl/**/*.test.ts' 'hack/start/**/*.test.ts' '{crds,operator,runner-image,dashboard/server,dashboard/web,hack}/test/**/*.test.ts')
if [[ $# -gt 0 ]]; then mocha "$@"; else mocha "${ALL_TESTS[@]}"; fi

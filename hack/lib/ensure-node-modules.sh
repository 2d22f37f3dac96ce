#!/usr/bin/env bash
# Installs the npm dependencies (npm ci) when node_modules is missing or older
# than package-lock.json. Node 24 itself comes in as a devDependency.
source "$(dirname "$0")/common.sh"
cd "$REPO_ROOT"
stamp="node_modules/.nightshift-lock-sha"
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" && -x node_modules/.bin/node ]]; then
  exit 0
fi
step "installing npm dependencies (npm ci)" npm ci --no-audit --no-fund --loglevel=error
echo "$want" > "$stamp"

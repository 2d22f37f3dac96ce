#!/usr/bin/env bash
# Builds the dashboard web app into dashboard/web/dist (the dashboard server
# serves it), unless its sources are unchanged since the last build: a hash of
# everything the bundle is made from is kept beside it.
source "$(dirname "$0")/common.sh"
cd "$REPO_ROOT"

WEB=dashboard/web
stamp="$WEB/dist/.sources.sha256"
sources=$(git ls-files -co --exclude-standard -- "$WEB/src" "$WEB/index.html" "$WEB/vite.config.ts" \
  dashboard/server/src/api crds/src package-lock.json | grep -v '\.test\.ts$' | sort)
hash=$(sha256sum $sources | sha256sum | cut -d' ' -f1)
if [[ -f "$stamp" && "$(cat "$stamp")" == "$hash" ]]; then
  log "the web app is up to date ($WEB/dist)"
  exit 0
fi
vite build --logLevel warn -c "$WEB/vite.config.ts"
echo "$hash" >"$stamp"

#!/usr/bin/env bash
# Builds helm from the Go module proxy into the cache (once per version) and
# prints its path. Used by the chart tests; any helm 3 works for users.
source "$(dirname "$0")/common.sh"
HELM_VERSION="${HELM_VERSION:-v3.22.0}"
bin="$NIGHTSHIFT_CACHE/helm/$HELM_VERSION/helm"
if [[ ! -x "$bin" ]]; then
  step "building helm $HELM_VERSION from the Go module proxy" env GOBIN="$(dirname "$bin")" CGO_ENABLED=0 \
    go install -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" >&2
fi
echo "$bin"

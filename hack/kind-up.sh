#!/usr/bin/env bash
# Nightshift on kind, for laptops with a Docker engine (the local cluster of
# hack/cluster needs Linux and root instead). Creates the cluster, builds and
# loads both images, starts a Postgres in the cluster and installs the chart.
# Not exercised by the test suite here: CI machines have no Docker engine.
set -euo pipefail
cd "$(dirname "$0")/.."
CLUSTER="${KIND_CLUSTER:-nightshift}"
TAG="${TAG:-dev}"
for tool in kind docker kubectl helm; do
  command -v "$tool" >/dev/null || { echo "error: $tool is required" >&2; exit 1; }
done

kind get clusters | grep -qx "$CLUSTER" || kind create cluster --name "$CLUSTER"
kubectl config use-context "kind-$CLUSTER"

docker build -f operator/Dockerfile -t "nightshift.local/operator:$TAG" .
docker build -f runner-image/Dockerfile -t "nightshift.local/runner:$TAG" .
kind load docker-image --name "$CLUSTER" "nightshift.local/operator:$TAG" "nightshift.local/runner:$TAG"

kubectl create namespace nightshift-system --dry-run=client -o yaml | kubectl apply -f -
kubectl apply -n nightshift-system -f hack/manifests/postgres-kind.yaml
kubectl rollout status -n nightshift-system statefulset/postgres --timeout=180s
DB_URL="postgres://nightshift:nightshift@postgres.nightshift-system.svc:5432/nightshift"

helm upgrade --install nightshift charts/nightshift -n nightshift-system \
  --set image.repository=nightshift.local/operator --set image.tag="$TAG" --set image.pullPolicy=Never \
  --set runner.image.repository=nightshift.local/runner --set runner.image.tag="$TAG" --set runner.image.pullPolicy=Never \
  --set database.url="$DB_URL" --set runner.databaseURL="$DB_URL"
kubectl rollout status -n nightshift-system deployment/nightshift --timeout=180s
echo "Nightshift is running on kind-$CLUSTER. Try: kubectl apply -f examples/storyrun.yaml (point its repository at a git server the cluster can reach)."

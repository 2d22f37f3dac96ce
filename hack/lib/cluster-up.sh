#!/usr/bin/env bash
# Starts (or reuses) the local single-node cluster: etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler, containerd and a kubelet.
source "$(dirname "$0")/common.sh"
source "$HACK_DIR/lib/cluster-env.sh"
source "$HACK_DIR/lib/processes.sh"
source "$HACK_DIR/lib/certs.sh"
source "$HACK_DIR/lib/node-config.sh"

[[ $(id -u) -eq 0 ]] || die "the local cluster runs a kubelet and containerd and needs root; on a laptop use kind (hack/kind-up.sh)"

apiserver_ready() { curl -sf --cacert "$PKI_DIR/ca.crt" --cert "$PKI_DIR/admin.crt" --key "$PKI_DIR/admin.key" "https://127.0.0.1:$APISERVER_PORT/readyz" >/dev/null; }
node_ready() {
  [[ "$(kubectl_ get node "$NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" == True ]] &&
    [[ -z "$(kubectl_ get node "$NODE_NAME" -o jsonpath='{.spec.taints}' 2>/dev/null)" ]]
}

if is_running etcd && is_running kube-apiserver && is_running kube-controller-manager && is_running kube-scheduler &&
  is_running containerd && is_running kubelet && apiserver_ready && node_ready; then
  log "local cluster already up (node $NODE_NAME Ready)"
  exit 0
fi

bash "$HACK_DIR/lib/ensure-packages.sh"
bash "$HACK_DIR/k8s-tools/build.sh"
mkdir -p "$CLUSTER_DIR" "$RUN_DIR" "$LOG_DIR"
generate_pki

# Host-only bridge carrying the node's address.
if ! ip link show "$NODE_BRIDGE" >/dev/null 2>&1; then
  ip link add "$NODE_BRIDGE" type bridge
  ip addr add "$NODE_IP/32" dev "$NODE_BRIDGE"
fi
ip link set "$NODE_BRIDGE" up
sysctl -qw net.ipv4.ip_forward=1 || true

started=$SECONDS
log "starting etcd"
start_process etcd "$K8S_BIN_DIR/etcd" --name nightshift --data-dir "$CLUSTER_DIR/etcd" \
  --listen-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" \
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster "nightshift=http://127.0.0.1:$ETCD_PEER_PORT" --unsafe-no-fsync --quota-backend-bytes 4294967296
wait_until "etcd health" 60 etcd curl -sf "http://127.0.0.1:$ETCD_CLIENT_PORT/health"

log "starting kube-apiserver"
start_process kube-apiserver "$K8S_BIN_DIR/kube-apiserver" \
  --etcd-servers "http://127.0.0.1:$ETCD_CLIENT_PORT" \
  --bind-address 0.0.0.0 --advertise-address "$NODE_IP" --secure-port "$APISERVER_PORT" \
  --cert-dir "$PKI_DIR" --tls-cert-file "$PKI_DIR/apiserver.crt" --tls-private-key-file "$PKI_DIR/apiserver.key" \
  --client-ca-file "$PKI_DIR/ca.crt" \
  --kubelet-client-certificate "$PKI_DIR/apiserver-kubelet-client.crt" --kubelet-client-key "$PKI_DIR/apiserver-kubelet-client.key" \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --service-account-key-file "$PKI_DIR/sa.pub" --service-account-signing-key-file "$PKI_DIR/sa.key" \
  --service-cluster-ip-range "$SERVICE_CIDR" --authorization-mode Node,RBAC --allow-privileged=true \
  --kubelet-preferred-address-types InternalIP,Hostname \
  --enable-admission-plugins NodeRestriction --profiling=false --v=1
wait_until "kube-apiserver /readyz" 120 kube-apiserver apiserver_ready

log "starting kube-controller-manager and kube-scheduler"
start_process kube-controller-manager "$K8S_BIN_DIR/kube-controller-manager" \
  --kubeconfig "$CLUSTER_DIR/kube-controller-manager.kubeconfig" \
  --authentication-kubeconfig "$CLUSTER_DIR/kube-controller-manager.kubeconfig" \
  --authorization-kubeconfig "$CLUSTER_DIR/kube-controller-manager.kubeconfig" \
  --leader-elect=false --use-service-account-credentials \
  --service-account-private-key-file "$PKI_DIR/sa.key" --root-ca-file "$PKI_DIR/ca.crt" \
  --cluster-signing-cert-file "$PKI_DIR/ca.crt" --cluster-signing-key-file "$PKI_DIR/ca.key" \
  --enable-hostpath-provisioner --bind-address 127.0.0.1 --v=1 \
  --pvclaimbinder-sync-period 2s # the claim of a just-provisioned volume binds at the next sync (default 15 s)
start_process kube-scheduler "$K8S_BIN_DIR/kube-scheduler" \
  --kubeconfig "$CLUSTER_DIR/kube-scheduler.kubeconfig" \
  --authentication-kubeconfig "$CLUSTER_DIR/kube-scheduler.kubeconfig" \
  --authorization-kubeconfig "$CLUSTER_DIR/kube-scheduler.kubeconfig" \
  --leader-elect=false --bind-address 127.0.0.1 --v=1

log "starting containerd"
write_containerd_config
start_process containerd containerd --config "$CONTAINERD_DIR/config.toml"
wait_until "containerd socket" 60 containerd ctr --address "$CONTAINERD_SOCK" version

# The sandbox image must be present before the kubelet starts pods.
bash "$HACK_DIR/images/build.sh" pause

log "starting kubelet (node $NODE_NAME at $NODE_IP)"
write_kubelet_config
start_process kubelet "$K8S_BIN_DIR/kubelet" --config "$CLUSTER_DIR/kubelet-config.yaml" \
  --kubeconfig "$CLUSTER_DIR/kubelet.kubeconfig" --root-dir "$KUBELET_DIR" --cert-dir "$KUBELET_DIR/pki" \
  --node-ip "$NODE_IP" --hostname-override "$NODE_NAME" --v=1
wait_until "node $NODE_NAME to be Ready and untainted" 180 kubelet node_ready

kubectl_ apply -f "$HACK_DIR/manifests/local-storage.yaml" >/dev/null
log "local cluster up in $((SECONDS - started)) s: node $NODE_NAME Ready"

# Paths and settings of the local cluster. Source after common.sh.
PKI_DIR="$CLUSTER_DIR/pki"
RUN_DIR="$CLUSTER_DIR/run"
LOG_DIR="$CLUSTER_DIR/logs"
KUBECONFIG_PATH="$CLUSTER_DIR/admin.kubeconfig"
CONTAINERD_DIR="$CLUSTER_DIR/containerd"
CONTAINERD_SOCK="$CONTAINERD_DIR/containerd.sock"
KUBELET_DIR="$CLUSTER_DIR/kubelet"
CNI_DIR="$CLUSTER_DIR/cni"

NODE_NAME="${NIGHTSHIFT_NODE_NAME:-nightshift-node}"
# The node's address lives on a host-only bridge, because the kubelet refuses a
# loopback node IP; with it `kubectl logs/exec` work and pods reach the host.
NODE_BRIDGE="nsnode0"
NODE_IP="${NIGHTSHIFT_NODE_IP:-10.200.0.1}"
POD_BRIDGE="nscni0"
POD_SUBNET="${NIGHTSHIFT_POD_SUBNET:-10.244.0.0/24}"
SERVICE_CIDR="10.96.0.0/16"
APISERVER_PORT="${NIGHTSHIFT_APISERVER_PORT:-6443}"
ETCD_CLIENT_PORT="${NIGHTSHIFT_ETCD_PORT:-2379}"
ETCD_PEER_PORT="$((ETCD_CLIENT_PORT + 1))"

PAUSE_IMAGE="nightshift.local/pause:3.10"
KUBECTL="$K8S_BIN_DIR/kubectl"
kubectl_() { "$KUBECTL" --kubeconfig "$KUBECONFIG_PATH" "$@"; }

# Writes the containerd, CNI and kubelet configuration of the local node.
# Source after cluster-env.sh.

write_containerd_config() {
  mkdir -p "$CONTAINERD_DIR" "$CNI_DIR/net.d" "$CNI_DIR/ipam"
  cat > "$CONTAINERD_DIR/config.toml" <<TOML
version = 2
root = "$CONTAINERD_DIR/root"
state = "$CONTAINERD_DIR/state"

[grpc]
  address = "$CONTAINERD_SOCK"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # Without this every sandbox fails here: runc may not lower oom_score_adj.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$CNI_DIR/net.d"
TOML
  cat > "$CNI_DIR/net.d/10-nightshift.conflist" <<JSON
{
  "cniVersion": "0.4.0",
  "name": "nightshift",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$POD_BRIDGE",
      "isGateway": true,
      "ipMasq": true,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{ "subnet": "$POD_SUBNET" }]],
        "routes": [{ "dst": "0.0.0.0/0" }],
        "dataDir": "$CNI_DIR/ipam"
      }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
JSON
}

write_kubelet_config() {
  mkdir -p "$KUBELET_DIR" "$CLUSTER_DIR/pod-logs"
  # No cluster DNS service here: pods resolve with the host's own resolver.
  local dns
  dns=$(awk '/^nameserver/ {print $2; exit}' /etc/resolv.conf)
  cat > "$CLUSTER_DIR/kubelet-config.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: true }
  x509: { clientCAFile: $PKI_DIR/ca.crt }
authorization: { mode: Webhook }
address: $NODE_IP
cgroupDriver: cgroupfs
# This machine has cgroup v1; kubelet >= 1.35 refuses it unless told.
failCgroupV1: false
failSwapOn: false
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
podLogsDir: $CLUSTER_DIR/pod-logs
clusterDomain: cluster.local
clusterDNS: [${dns:-127.0.0.53}]
resolvConf: /etc/resolv.conf
serializeImagePulls: false
# Images are imported, never pulled: never garbage-collect them.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard:
  memory.available: "100Mi"
  nodefs.available: "1%"
  imagefs.available: "1%"
nodeStatusUpdateFrequency: 10s
maxPods: 110
YAML
}

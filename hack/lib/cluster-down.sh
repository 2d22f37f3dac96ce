#!/usr/bin/env bash
# Stops the local cluster and removes everything it made: processes,
# containers, mounts, network links, cgroups and state.
source "$(dirname "$0")/common.sh"
source "$HACK_DIR/lib/cluster-env.sh"
source "$HACK_DIR/lib/processes.sh"

log "stopping kubelet"
stop_process kubelet 10

# Every container process of every pod lives under the kubepods cgroups.
kill_pod_processes() {
  local procs
  procs=$(find /sys/fs/cgroup/*/kubepods* -name cgroup.procs -exec cat {} + 2>/dev/null | sort -u || true)
  [[ -n "$procs" ]] && kill -KILL $procs 2>/dev/null || true
}
kill_pod_processes
pkill -KILL -f "containerd-shim.*-address $CONTAINERD_SOCK" 2>/dev/null || true
log "stopping containerd"
stop_process containerd 10
kill_pod_processes

log "stopping the control plane"
stop_process kube-scheduler 5
stop_process kube-controller-manager 5
stop_process kube-apiserver 5   # before etcd: without etcd it ignores SIGTERM
stop_process etcd 5

# Mounts under the cluster dir (kubelet bind mounts, overlay snapshots, shm, netns), deepest first.
if [[ -d "$CLUSTER_DIR" ]]; then
  { awk '{print $2}' /proc/mounts | grep "^$CLUSTER_DIR" || true; } | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
fi
# Network namespaces containerd made for pods.
for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep '^cni-' || true); do ip netns delete "$ns" 2>/dev/null || true; done
{ awk '{print $2}' /proc/mounts | grep -E '^/(var/)?run/netns/cni-' || true; } | while read -r m; do umount -l "$m" 2>/dev/null || true; done

for link in "$POD_BRIDGE" "$NODE_BRIDGE"; do ip link del "$link" 2>/dev/null || true; done
# veths left behind by the bridge plugin
for v in $(ip -o link show type veth 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep '^veth' || true); do
  [[ "$(ip -o link show "$v" 2>/dev/null)" == *"master $POD_BRIDGE"* ]] && ip link del "$v" 2>/dev/null || true
done
# iptables chains and rules the kubelet (KUBE-*) and the bridge plugin (CNI-*) made.
for tables in iptables ip6tables; do
  if "$tables-save" 2>/dev/null | grep -qE 'KUBE-|CNI-'; then
    "$tables-save" | grep -vE 'KUBE-|CNI-' | "$tables-restore" 2>/dev/null || true
  fi
done

# kubepods cgroups, deepest first
for root in /sys/fs/cgroup/*/; do
  [[ -d "$root/kubepods" ]] && find "$root/kubepods" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  [[ -d "$root/kubepods.slice" ]] && find "$root/kubepods.slice" -depth -type d -exec rmdir {} \; 2>/dev/null || true
done

rm -rf "$CLUSTER_DIR" /tmp/hostpath_pv /var/lib/kubelet/pods 2>/dev/null || true
log "local cluster down: no process, mount, bridge or state left"

#!/usr/bin/env bash
# Installs the Debian packages the local cluster and the browser tests need,
# only when missing. Requires root (as does the local cluster itself).
source "$(dirname "$0")/common.sh"

# command-or-file → package
declare -A NEEDED=(
  [containerd]=containerd
  [runc]=runc
  [/usr/lib/cni/bridge]=containernetworking-plugins
  [buildah]=buildah
  [debootstrap]=debootstrap
  [ip]=iproute2
  [iptables]=iptables
  [conntrack]=conntrack
  [ethtool]=ethtool
  [socat]=socat
  [mount.nfs]=nfs-common
  [chromium]=chromium
  [openssl]=openssl
)
# nfs-common is not needed; keep the list to what is used.
unset 'NEEDED[mount.nfs]'

missing=()
for what in "${!NEEDED[@]}"; do
  if [[ "$what" == /* ]]; then [[ -e "$what" ]] && continue
  else command -v "$what" >/dev/null 2>&1 && continue; fi
  missing+=("${NEEDED[$what]}")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

[[ $(id -u) -eq 0 ]] || die "missing Debian packages (${missing[*]}); run as root or install them: apt-get install ${missing[*]}"
log "installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
log "installed: ${missing[*]}"

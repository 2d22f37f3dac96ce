# Generates the cluster's CA, serving and client certificates, the
# service-account key pair and the kubeconfigs. Idempotent: keeps what exists.
# Source after cluster-env.sh.

cert_pair() { # name subject [extensions-file]
  local name="$1" subject="$2" ext="${3:-}"
  [[ -f "$PKI_DIR/$name.crt" ]] && return 0
  openssl genrsa -out "$PKI_DIR/$name.key" 2048 2>/dev/null
  openssl req -new -key "$PKI_DIR/$name.key" -subj "$subject" -out "$PKI_DIR/$name.csr" 2>/dev/null
  openssl x509 -req -in "$PKI_DIR/$name.csr" -CA "$PKI_DIR/ca.crt" -CAkey "$PKI_DIR/ca.key" -CAcreateserial \
    -days 3650 -out "$PKI_DIR/$name.crt" ${ext:+-extfile "$ext"} 2>/dev/null
  rm -f "$PKI_DIR/$name.csr"
}

kubeconfig_for() { # file user-cert-name
  local file="$1" user="$2"
  cat > "$file" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
- name: nightshift-local
  cluster:
    server: https://127.0.0.1:$APISERVER_PORT
    certificate-authority: $PKI_DIR/ca.crt
users:
- name: $user
  user:
    client-certificate: $PKI_DIR/$user.crt
    client-key: $PKI_DIR/$user.key
contexts:
- name: nightshift-local
  context: { cluster: nightshift-local, user: $user }
current-context: nightshift-local
KUBECONFIG
}

generate_pki() {
  mkdir -p "$PKI_DIR"
  if [[ ! -f "$PKI_DIR/ca.crt" ]]; then
    openssl genrsa -out "$PKI_DIR/ca.key" 2048 2>/dev/null
    openssl req -x509 -new -nodes -key "$PKI_DIR/ca.key" -subj "/CN=nightshift-local-ca" -days 3650 -out "$PKI_DIR/ca.crt" 2>/dev/null
  fi
  cat > "$PKI_DIR/apiserver.ext" <<EXT
basicConstraints=CA:FALSE
keyUsage=digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:127.0.0.1,IP:10.96.0.1,IP:$NODE_IP
EXT
  printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n' > "$PKI_DIR/client.ext"
  cert_pair apiserver "/CN=kube-apiserver" "$PKI_DIR/apiserver.ext"
  cert_pair admin "/O=system:masters/CN=nightshift-admin" "$PKI_DIR/client.ext"
  cert_pair kube-controller-manager "/CN=system:kube-controller-manager" "$PKI_DIR/client.ext"
  cert_pair kube-scheduler "/CN=system:kube-scheduler" "$PKI_DIR/client.ext"
  cert_pair kubelet "/O=system:nodes/CN=system:node:$NODE_NAME" "$PKI_DIR/client.ext"
  cert_pair apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" "$PKI_DIR/client.ext"
  if [[ ! -f "$PKI_DIR/sa.key" ]]; then
    openssl genrsa -out "$PKI_DIR/sa.key" 2048 2>/dev/null
    openssl rsa -in "$PKI_DIR/sa.key" -pubout -out "$PKI_DIR/sa.pub" 2>/dev/null
  fi
  kubeconfig_for "$KUBECONFIG_PATH" admin
  kubeconfig_for "$CLUSTER_DIR/kube-controller-manager.kubeconfig" kube-controller-manager
  kubeconfig_for "$CLUSTER_DIR/kube-scheduler.kubeconfig" kube-scheduler
  kubeconfig_for "$CLUSTER_DIR/kubelet.kubeconfig" kubelet
}

#!/usr/bin/env bash
# The main job end to end on the embedded default: capi-sandbox as the
# management cluster, sample-repo as a Git remote. Installs what is missing,
# builds, then walks through plan -> reconcile -> status commit -> a new
# cluster by commit -> TTL expiry -> teardown commit -> the controller woken
# by a signed webhook -> a GPU cluster torn down once idle. Leaves nothing
# running.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
scripts/build.sh >/dev/null
gitops=$root/build/capi-gitops
sandbox=$root/build/capi-sandbox

work=$(mktemp -d /tmp/capi-gitops-demo.XXXXXX)
sandbox_pid=""
run_pid=""
cleanup() {
  [ -n "$run_pid" ] && kill "$run_pid" 2>/dev/null && wait "$run_pid" 2>/dev/null
  [ -n "$sandbox_pid" ] && kill "$sandbox_pid" 2>/dev/null && wait "$sandbox_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

bold() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
say() { printf '   %s\n' "$*"; }
git_() { git -C "$work/repo" -c user.name="Dana Scientist" -c user.email=dana@example.com "$@"; }

bold "1. Start capi-sandbox: a local Kubernetes API with simulated CAPI controllers"
crds=()
[ -d "$root/../shared/capi-crds" ] && crds=(--crds "$root/../shared/capi-crds")
"$sandbox" --kubeconfig-out "$work/kubeconfig" "${crds[@]}" --time-scale 0 \
  >"$work/sandbox.log" 2>&1 &
sandbox_pid=$!
for _ in $(seq 100); do [ -s "$work/kubeconfig" ] && break; sleep 0.1; done
[ -s "$work/kubeconfig" ] || { cat "$work/sandbox.log"; exit 1; }
say "serving $(grep -m1 'server:' "$work/kubeconfig" | awk '{print $2}') (kubeconfig: $work/kubeconfig)"
export KUBECONFIG=$work/kubeconfig

bold "2. sample-repo becomes a Git remote (a bare repository) with a working clone"
git init -q --bare -b main "$work/remote.git"
cp -r sample-repo "$work/repo"
git_ init -q -b main
git_ add -A
git_ commit -q -m "Initial cluster definitions"
git_ remote add origin "$work/remote.git"
git_ push -q origin main
say "$(ls "$work/repo/clusters" | wc -l) ClusterRequests: $(ls "$work/repo/clusters" | sed 's/.yaml//' | tr '\n' ' ')"

# What the platform does once (docs/deploy.md): the target namespace, and the
# per-cluster vSphere CPI credentials the catalog's CRS delivers (values are
# the platform's; capi-gitops only names the Secret).
kubectl create namespace capi-clusters >/dev/null
kubectl -n capi-clusters create secret generic vsphere-cpi-credentials-sovereign-onprem \
  --type=addons.cluster.x-k8s.io/resource-set \
  --from-literal=vsphere-cloud-secret.yaml="$(printf '%s\n' 'apiVersion: v1' 'kind: Secret' \
    'metadata: {name: vsphere-cloud-secret, namespace: kube-system}' \
    'stringData: {vcenter.example.com.username: demo, vcenter.example.com.password: demo}')" >/dev/null
say "add-on catalog (addons/): $(ls "$work/repo/addons" | grep '.yaml$' | sed 's/.yaml//' | tr '\n' ' ')"

bold "3. What a pull request shows: validate, then plan against the management cluster"
"$gitops" validate "$work/repo"
"$gitops" plan "$work/repo" 2>/dev/null | grep -E '^[-+~!=] |to create|cost change' | sed 's/^/     /'

now=2026-11-27T08:00:00Z
reconcile() { "$gitops" reconcile --repo "$work/remote.git" --cache-dir "$work/cache" --now "$1"; }

bold "4. Merge: the reconciler creates every cluster and commits their status to Git"
reconcile $now
# CAPI provisions asynchronously; later passes record the progress.
for _ in 1 2 3 4 5; do
  git -C "$work/repo" pull -q --rebase origin main
  grep -q "ready: true" "$work/repo/status/llm-train-us-central1.yaml" 2>/dev/null && break
  sleep 1
  reconcile $now >/dev/null
done
say "git log:"
git -C "$work/repo" log --format='     %h %an: %s' -3
say "status/llm-train-us-central1.yaml:"
grep -E '^  (phase|ready|kubeconfigSecret|appliedRevision|createdAt|expiresAt|estimatedCost)' \
  "$work/repo/status/llm-train-us-central1.yaml" | sed 's/^/     /'

bold "5. A second pass has nothing to do (its own status commit triggers no work)"
reconcile $now

bold "5b. Usable clusters: the add-ons were delivered (CNI, cloud-controller-manager, GPU operator)"
for _ in $(seq 20); do
  git -C "$work/repo" pull -q --rebase origin main
  [ "$(grep -l 'usable: true' "$work/repo"/status/*.yaml 2>/dev/null | wc -l)" -ge 5 ] && break
  sleep 1
  reconcile $now >/dev/null
done
for f in "$work/repo"/status/*.yaml; do
  say "$(basename "$f" .yaml): $(grep -E '^  (usable|usableReason|nodes|readyNodes|gpusAllocatable):' "$f" |
    sed 's/^  //' | tr '\n' ' ')"
done
say "capi-gitops get (one line per cluster, from the status files and the live cluster):"
"$gitops" get "$work/repo" 2>&1 | cut -c1-160 | sed 's/^/     /'
"$gitops" kubeconfig inference-us-east1 -n capi-clusters >"$work/inference.kubeconfig"
say "capi-gitops kubeconfig inference-us-east1 > inference.kubeconfig; kubectl --kubeconfig inference.kubeconfig get nodes:"
kubectl --kubeconfig "$work/inference.kubeconfig" get nodes \
  -o custom-columns='NAME:.metadata.name,READY:.status.conditions[?(@.type=="Ready")].status,GPUS:.status.allocatable.nvidia\.com/gpu,PROVIDER-ID:.spec.providerID' |
  sed 's/^/     /'

bold "6. A pull request that changes a machine type: the plan names the change, the rollout, the cost"
sed -i 's/machineType: g4dn.xlarge/machineType: g4dn.2xlarge/' "$work/repo/clusters/inference-us-east1.yaml"
"$gitops" plan "$work/repo" 2>/dev/null | grep -E '^[-+~!] |^    (change|REPLACES|cost)|cost change' |
  sed 's/^/     /'
git -C "$work/repo" checkout -q clusters/inference-us-east1.yaml   # (not merged)

bold "6b. A data scientist extends a cluster by 6h: one line changes, the plan shows the move"
"$gitops" extend inference-us-east1 6h "$work/repo" 2>&1 | sed 's/^/     /'
git -C "$work/repo" diff -U0 clusters/inference-us-east1.yaml | grep '^[-+] ' | sed 's/^/     /'
"$gitops" plan "$work/repo" 2>/dev/null | grep -i 'expiry moves' | sed 's/^/     /'
git -C "$work/repo" checkout -q clusters/inference-us-east1.yaml   # (not merged)

bold "7. A new cluster arrives by commit (ttl 30m) and is reconciled"
git -C "$work/repo" pull -q --rebase origin main
sed -e 's/name: dev-sandbox/name: quick-experiment/' -e 's/ttl: 90m/ttl: 30m/' \
  "$work/repo/clusters/dev-sandbox.yaml" >"$work/repo/clusters/quick-experiment.yaml"
git_ add clusters/quick-experiment.yaml
git_ commit -q -m "Add quick-experiment (30m)"
git_ push -q origin main
reconcile 2026-11-27T08:05:00Z

bold "8. Two hours later: expired TTLs are committed to Git, then the clusters are deleted"
"$gitops" ttl --repo "$work/remote.git" --cache-dir "$work/cache" --now 2026-11-27T10:00:00Z
git -C "$work/repo" pull -q --rebase origin main
say "git log:"
git -C "$work/repo" log --format='     %h %an: %s' -4
say "clusters left in the repository: $(ls "$work/repo/clusters" | sed 's/.yaml//' | tr '\n' ' ')"
say "management cluster now:"
"$gitops" plan "$work/repo" 2>/dev/null | grep -E '^(=|\+|~|-|!)' | sed 's/^/     /'

bold "9. The controller: capi-gitops run (as deploy/ runs it), woken by a signed push webhook"
secret=demo-webhook-secret
WEBHOOK_SECRET=$secret "$gitops" run --repo "$work/remote.git" --cache-dir "$work/cache" \
  --interval 1h --metrics-addr 127.0.0.1:0 --webhook-addr 127.0.0.1:0 \
  --leader-elect --leader-elect-namespace default --now 2026-11-27T10:05:00Z \
  >"$work/run.log" 2>&1 &
run_pid=$!
for _ in $(seq 100); do grep -q "pass finished" "$work/run.log" && break; sleep 0.1; done
metrics_addr=$(grep -m1 -o 'metrics=[^ ]*' "$work/run.log" | cut -d= -f2)
webhook_addr=$(grep -m1 -o 'webhook=[^ ]*' "$work/run.log" | cut -d= -f2)
git_ pull -q --rebase origin main
sed -e 's/name: llm-train-us-central1/name: webhook-demo/' \
  "$work/repo/clusters/llm-train-us-central1.yaml" \
  >"$work/repo/clusters/webhook-demo.yaml"
git_ add clusters/webhook-demo.yaml
git_ commit -q -m "Add webhook-demo"
git_ push -q origin main
payload='{"ref":"refs/heads/main"}'
signature=sha256=$(printf '%s' "$payload" | openssl dgst -sha256 -hmac "$secret" | awk '{print $NF}')
say "webhook with a wrong signature: $(curl -s -o /dev/null -w '%{http_code}' -X POST \
  -H 'X-Hub-Signature-256: sha256=0000' -d "$payload" "http://$webhook_addr/")"
say "webhook signed with the shared secret: $(curl -s -o /dev/null -w '%{http_code}' -X POST \
  -H 'X-GitHub-Event: push' -H "X-Hub-Signature-256: $signature" -d "$payload" "http://$webhook_addr/")"
for _ in $(seq 100); do [ "$(grep -c 'pass finished' "$work/run.log")" -ge 2 ] && break; sleep 0.1; done
curl -s "http://$metrics_addr/metrics" >"$work/metrics.txt"
kill -TERM "$run_pid"; wait "$run_pid" || true
run_pid=""
say "controller log:"
cut -c26- "$work/run.log" | grep -v '^debug' | sed 's/^/     /'
say "from http://$metrics_addr/metrics:"
grep -E '^capigitops_(reconcile_passes_total|webhook_requests_total|clusters\{|leader )' \
  "$work/metrics.txt" | sed 's/^/     /'

bold "10. Idle GPU clusters: a GPU job runs, finishes, and the idle cluster is torn down by a commit"
git_ pull -q --rebase origin main
sed -e 's/name: inference-us-east1/name: idle-demo/' \
  "$work/repo/clusters/inference-us-east1.yaml" >"$work/repo/clusters/idle-demo.yaml"
echo "  idle: {after: 30m, action: teardown}" >>"$work/repo/clusters/idle-demo.yaml"
git_ add clusters/idle-demo.yaml
git_ commit -q -m "Add idle-demo (torn down after 30m without GPU work)"
git_ push -q origin main
for _ in $(seq 30); do
  reconcile 2026-11-27T10:05:00Z >/dev/null
  git -C "$work/repo" pull -q --rebase origin main
  grep -q "usable: true" "$work/repo/status/idle-demo.yaml" 2>/dev/null && break
  sleep 0.3
done
grep -q "usable: true" "$work/repo/status/idle-demo.yaml" || {
  echo "idle-demo did not become usable:" >&2
  cat "$work/repo/status/idle-demo.yaml" >&2
  exit 1
}
kubectl -n capi-clusters get secret idle-demo-kubeconfig -o jsonpath='{.data.value}' |
  base64 -d >"$work/idle.kubeconfig"
kubectl --kubeconfig "$work/idle.kubeconfig" apply -f - >/dev/null <<'JOB'
apiVersion: batch/v1
kind: Job
metadata:
  name: train
  namespace: default
  annotations: {sandbox.capigitops.io/run-for: 3s}
spec:
  template:
    spec:
      restartPolicy: Never
      tolerations: [{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}]
      containers:
      - name: train
        image: nvidia/cuda:12.4.1-base-ubuntu22.04
        resources: {limits: {nvidia.com/gpu: 1}}
JOB
# The Job's pod appears a moment after the Job; `kubectl wait -l` fails
# at once while nothing matches the selector.
for _ in $(seq 60); do
  kubectl --kubeconfig "$work/idle.kubeconfig" get pods -l job-name=train -o name | grep -q . && break
  sleep 0.5
done
kubectl --kubeconfig "$work/idle.kubeconfig" wait --for=jsonpath='{.status.phase}'=Running \
  pod -l job-name=train --timeout=30s >/dev/null
say "a GPU Job runs in idle-demo (kubectl --kubeconfig idle.kubeconfig get pods):"
kubectl --kubeconfig "$work/idle.kubeconfig" get pods -o wide | cut -c1-90 | sed 's/^/     /'
reconcile 2026-11-27T10:10:00Z >/dev/null
git -C "$work/repo" pull -q --rebase origin main
say "10:10, status/idle-demo.yaml: $(grep -A1 '^  idle:' "$work/repo/status/idle-demo.yaml" | tr -s ' \n' ' ')"
kubectl --kubeconfig "$work/idle.kubeconfig" wait --for=condition=Complete job/train --timeout=60s >/dev/null
say "the Job has finished:"
kubectl --kubeconfig "$work/idle.kubeconfig" get jobs | sed 's/^/     /'
reconcile 2026-11-27T10:11:00Z >/dev/null
git -C "$work/repo" pull -q --rebase origin main
say "10:11, status/idle-demo.yaml:"
sed -n '/^  idle:/,/^  [a-zA-Z]/p' "$work/repo/status/idle-demo.yaml" | grep '^    ' | sed 's/^/   /'
say "10:45, a pass:"
reconcile 2026-11-27T10:45:00Z | grep -i idle | sed 's/^/     /' || true
git -C "$work/repo" pull -q --rebase origin main
say "git log:"
git -C "$work/repo" log --format='     %h %an: %s' -2
say "kubectl -n capi-clusters get clusters.cluster.x-k8s.io idle-demo:"
kubectl -n capi-clusters get clusters.cluster.x-k8s.io idle-demo 2>&1 | sed 's/^/     /' || true

bold "Done: every step above was a real Git commit and a real API call."

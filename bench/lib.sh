# Shared by the bench scripts; sourced from the repository root.

# N synthetic ClusterRequests with mixed providers (gcp, aws, azure, docker
# in turn) on the sample repo's config. With gpu=1 the gcp ones carry a spot
# GPU pool, so policies and costs have work to do.
make_repo() {  # dir n [gpu]
  mkdir -p "$1/clusters"
  cp sample-repo/capi-gitops.yaml "$1/"
  cp -r sample-repo/addons "$1/"  # the config names its CNI add-on
  local providers=(gcp aws azure docker) gpu=${3:-0} i p mt cp extra pool
  for ((i = 0; i < $2; i++)); do
    p=${providers[$((i % 4))]}
    pool=""
    case $p in
      gcp)
        mt=n2-standard-8; cp=n2-standard-4; extra="  region: us-central1
  zone: us-central1-c"
        if [ "$gpu" = 1 ]; then
          mt=n1-standard-32
          pool="accelerator: {type: nvidia-tesla-v100, count: 4}, spot: true, "
        fi ;;
      aws) mt=m5.xlarge; cp=m5.large; extra="  region: us-east-1" ;;
      azure) mt=Standard_D4s_v5; cp=Standard_D4s_v5; extra="  region: westeurope" ;;
      docker) mt=""; cp=""; extra="" ;;
    esac
    cat >"$1/clusters/bench-$i.yaml" <<YAML
apiVersion: capigitops.io/v1alpha1
kind: ClusterRequest
metadata: {name: bench-$i, labels: {team: bench}}
spec:
  owner: bench
  provider: $p
$extra
  controlPlane: {replicas: 1${cp:+, machineType: $cp}}
  nodePools:
  - {name: workers, ${mt:+machineType: $mt, }${pool}autoscaling: {min: 1, max: 5}}
  ttl: 4h
YAML
  done
}

# Commits the work tree `repo` and pushes it to `remote`, a new bare
# repository, as the Git remote a reconcile reads.
push_repo() {  # repo remote
  git init -q --bare -b main "$2"
  git -C "$1" init -q -b main
  git -C "$1" add -A
  git -C "$1" -c user.name=bench -c user.email=bench@example.com commit -q -m bench
  git -C "$1" push -q "$2" main
}

# Starts capi-sandbox ($sandbox_bin) on 127.0.0.1 with the clock standing
# still, adds its pid to the caller's `pids` (for the caller's cleanup) and
# waits for dir/kubeconfig. The rest of the arguments go to the sandbox;
# its log is dir/sandbox.log.
start_sandbox() {  # dir [sandbox args...]
  local dir=$1
  shift
  mkdir -p "$dir"
  "$sandbox_bin" --kubeconfig-out "$dir/kubeconfig" --time-scale 0 "$@" \
    >"$dir/sandbox.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 300); do [ -s "$dir/kubeconfig" ] && return; sleep 0.1; done
  echo "capi-sandbox did not start (log: $dir/sandbox.log)" >&2
  exit 1
}

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

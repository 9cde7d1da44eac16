// ClusterRequests built in C++ for policy and cost tests, with the marks the
// loader would record for the YAML shown in the comment.
#ifndef CAPIGITOPS_TEST_POLICY_TEST_REQUESTS_H_
#define CAPIGITOPS_TEST_POLICY_TEST_REQUESTS_H_

#include "capigitops/spec.h"

namespace capigitops::testing {

//  1 apiVersion: capigitops.io/v1alpha1
//  2 kind: ClusterRequest
//  3 metadata:
//  4   name: train
//  5   labels: {team: ml-research}
//  6 spec:
//  7   owner: ml-research
//  8   provider: gcp
//  9   region: us-central1
// 10   zone: us-central1-c
// 11   controlPlane: {replicas: 3, machineType: n2-standard-4}
// 12   nodePools:
// 13   - name: cpu
// 14     machineType: n2-standard-8
// 15     replicas: 2
// 16   - name: gpu
// 17     machineType: n1-standard-32
// 18     accelerator: {type: nvidia-tesla-v100, count: 4}
// 19     spot: true
// 20     autoscaling: {min: 0, max: 25}
// 21   ttl: 4h
inline ClusterRequest GpuTrainingRequest() {
  ClusterRequest r;
  r.file = "clusters/train.yaml";
  r.name = "train";
  r.labels = {{"team", "ml-research"}};
  r.owner = "ml-research";
  r.provider = Provider::kGcp;
  r.region = "us-central1";
  r.zone = "us-central1-c";
  r.kubernetes_version = "v1.33.4";
  r.control_plane = {3, "n2-standard-4"};
  NodePool cpu;
  cpu.name = "cpu";
  cpu.machine_type = "n2-standard-8";
  cpu.replicas = 2;
  NodePool gpu;
  gpu.name = "gpu";
  gpu.machine_type = "n1-standard-32";
  gpu.accelerator = Accelerator{"nvidia-tesla-v100", 4};
  gpu.spot = true;
  gpu.autoscaling = Autoscaling{0, 25};
  r.node_pools = {cpu, gpu};
  r.ttl.kind = TtlKind::kDuration;
  r.ttl.seconds = 4 * 3600;
  r.ttl.text = "4h";
  r.marks = {
      {"apiVersion", {1, 13}},
      {"kind", {2, 7}},
      {"metadata", {4, 3}},
      {"metadata.name", {4, 9}},
      {"metadata.labels", {5, 11}},
      {"metadata.labels.team", {5, 12}},
      {"spec", {7, 3}},
      {"spec.owner", {7, 10}},
      {"spec.provider", {8, 13}},
      {"spec.region", {9, 11}},
      {"spec.zone", {10, 9}},
      {"spec.controlPlane", {11, 17}},
      {"spec.controlPlane.replicas", {11, 28}},
      {"spec.controlPlane.machineType", {11, 44}},
      {"spec.nodePools", {13, 3}},
      {"spec.nodePools[0].name", {13, 11}},
      {"spec.nodePools[0].machineType", {14, 18}},
      {"spec.nodePools[0].replicas", {15, 15}},
      {"spec.nodePools[1].name", {16, 11}},
      {"spec.nodePools[1].machineType", {17, 18}},
      {"spec.nodePools[1].accelerator", {18, 18}},
      {"spec.nodePools[1].accelerator.type", {18, 25}},
      {"spec.nodePools[1].accelerator.count", {18, 51}},
      {"spec.nodePools[1].spot", {19, 11}},
      {"spec.nodePools[1].autoscaling", {20, 18}},
      {"spec.nodePools[1].autoscaling.min", {20, 24}},
      {"spec.nodePools[1].autoscaling.max", {20, 32}},
      {"spec.ttl", {21, 8}},
  };
  return r;
}

}  // namespace capigitops::testing

#endif  // CAPIGITOPS_TEST_POLICY_TEST_REQUESTS_H_

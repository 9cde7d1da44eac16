// Decoding of the protobuf request bodies kubectl's typed clients send for
// core kinds (`kubectl create namespace|configmap|secret`). Responses stay
// JSON, which those clients accept too.
#ifndef CAPIGITOPS_SANDBOX_PROTOBUF_H_
#define CAPIGITOPS_SANDBOX_PROTOBUF_H_

#include <nlohmann/json.hpp>
#include <string_view>

#include "capigitops/status.h"

namespace capigitops::sandbox {

inline constexpr char kProtobufMediaType[] =
    "application/vnd.kubernetes.protobuf";

// The object in a "k8s\0" + runtime.Unknown envelope, for v1 Namespace,
// ConfigMap and Secret. InvalidArgument for other kinds or malformed input.
StatusOr<nlohmann::json> DecodeKubeProtobuf(std::string_view body);

}  // namespace capigitops::sandbox

#endif  // CAPIGITOPS_SANDBOX_PROTOBUF_H_

// Where the tests find the upstream Cluster API CRDs, in this order:
//   1. $CAPIGITOPS_CRDS
//   2. ../shared/capi-crds beside the source tree
//   3. the cache scripts/fetch-crds.sh fills from scripts/crds.lock
//      ($CAPIGITOPS_CRD_CACHE, else ${XDG_CACHE_HOME:-$HOME/.cache}/
//      capi-gitops/crds), used only when complete and verified
// Every test that needs the CRDs asks here, and skips with MissingCrdsMessage
// when none is found.
#ifndef CAPIGITOPS_TEST_SCHEMA_CRD_LOCATOR_H_
#define CAPIGITOPS_TEST_SCHEMA_CRD_LOCATOR_H_

#include <string>

namespace capigitops::testing {

// The CRD directory, or "" when none of the places has one.
std::string FindCrdDir();

// Why FindCrdDir() is empty: each place looked at, what was wrong with it,
// and how to get the CRDs.
std::string MissingCrdsMessage();

// The cache directory of step 3 (whether or not it exists).
std::string CrdCacheDir();

}  // namespace capigitops::testing

#endif  // CAPIGITOPS_TEST_SCHEMA_CRD_LOCATOR_H_

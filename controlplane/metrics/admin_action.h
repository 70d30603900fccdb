// SPDX-License-Identifier: BSD-3-Clause
// The status page's admin actions over HTTP: POST /admin/backend sets a backend's admin
// state or weight, as `set backend VIP BACKEND state|weight ...` on the runtime API, and
// under the same rule: the command table's row says the command needs the admin level, and
// an HTTP client has it only when [metrics] admin_actions is true and its address is in
// admin_sources (every other client reads).
//
// A browser on an allowed address must not be made to act by another site, so a request
// also needs the header `X-Sluice-Admin: 1` (a page of another origin cannot send it
// without a CORS preflight, which is never granted), a Host that is an IP address (a DNS
// rebinding attack names a host), and no Origin but the listener's own.
//
// Body: application/x-www-form-urlencoded, `vip=NAME&backend=ADDRESS&state=ready|drain|
// maint` or `...&weight=0..65535`. Answers: 200 and the runtime API's answer line; 400 for
// a bad form or an error the Model answers; 403 and why; 415 for another content type.
// Call from the Model's thread.
#pragma once

#include <string>
#include <vector>

#include "api/model.h"
#include "api/privilege.h"
#include "metrics/http_request.h"
#include "metrics/http_server.h"
#include "net/ip_address.h"

namespace sluice::metrics {

struct AdminPolicy {
  bool enabled = false;  // [metrics] admin_actions
  std::vector<IpPrefix> sources;
};

// The runtime API level of an HTTP client at `peer`.
api::Privilege privilege_for_client(const AdminPolicy& policy, const IpAddress& peer);

HttpResponse admin_backend(api::Model& model, const AdminPolicy& policy, const HttpRequest& request,
                           const IpAddress& peer);

}  // namespace sluice::metrics

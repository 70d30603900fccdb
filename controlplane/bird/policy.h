// SPDX-License-Identifier: BSD-3-Clause
// The file sluiced writes for bird with the BGP attributes a kernel route cannot carry
// ([bgp] bird_policy, docs/bgp.md): one function, sluice_vip_policy(), that bird's export
// filter calls (configs/bird-sluice.conf) and that sets the local_pref and adds the
// communities of [vip.bgp] to the route of each VIP's host prefix. It depends on the
// config alone, not on health or announcements. Pure; any thread.
#pragma once

#include <span>
#include <string>

#include "config/config.h"

namespace sluice::bird {

// The file's whole text: the same VIPs give the same bytes. A VIP with neither local_pref
// nor communities gets no branch; with none at all the function does nothing.
std::string policy_text(std::span<const config::Vip> vips);

}  // namespace sluice::bird

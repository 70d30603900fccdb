// SPDX-License-Identifier: BSD-3-Clause
// HMAC-SHA256 (RFC 2104, FIPS 198-1) through OpenSSL's libcrypto, and the constant-time
// comparison that goes with it. Pure; any thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sluice::sync {

inline constexpr size_t kMacBytes = 32;
using Mac = std::array<uint8_t, kMacBytes>;

Mac hmac_sha256(std::string_view key, const uint8_t* data, size_t length);

// Whether mac equals expected, in a time that does not depend on where they differ.
bool mac_equal(const uint8_t* mac, const Mac& expected);

}  // namespace sluice::sync

// SPDX-License-Identifier: BSD-3-Clause
#include "sync/hmac_sha256.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace sluice::sync {

Mac hmac_sha256(std::string_view key, const uint8_t* data, size_t length) {
  Mac out{};
  unsigned int out_length = 0;
  HMAC(EVP_sha256(), key.data(), int(key.size()), data, length, out.data(), &out_length);
  return out;
}

bool mac_equal(const uint8_t* mac, const Mac& expected) {
  return CRYPTO_memcmp(mac, expected.data(), kMacBytes) == 0;
}

}  // namespace sluice::sync

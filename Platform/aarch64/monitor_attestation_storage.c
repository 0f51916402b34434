#include "attestation_storage.h"

uint8_t monitor_platform_token_scratch[ATTESTATION_PLATFORM_TOKEN_MAX] __attribute__((aligned(64)));

#include "attestation_storage.h"

uint8_t tmm_platform_token[ATTESTATION_PLATFORM_TOKEN_MAX] __attribute__((aligned(64)));

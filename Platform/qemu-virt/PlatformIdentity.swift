/// What the platform calls its root of trust: hashed into the platform token's implementation
/// id (PlatformAttestation), so tokens from different platforms' firmware differ there.
let platformRootOfTrustName: StaticString = "swift-tmm platform root of trust: QEMU virt EL3 monitor"

// The platform's two attestation keys, both drawn from the device secret with HKDF-SHA-384
// (through `P384.PrivateKey(derivingFrom:context:)`), each under its own label:
//
//   platform key (CPAK)  = P384(secret, "CCA platform attestation key (CPAK) v1")
//       stable for the life of the device: verifiers pin its public key. The EL3 image
//       derives its own under a longer label (IsolationModel.platformKeyContext): a key that
//       a malicious realm on that image reads out of secure memory then cannot sign as the
//       same device's S-EL2 image (Docs/el3-threat-model.md).
//   per-boot seed        = HKDF-SHA-384(salt: boot input, IKM: secret,
//                                       info: "TMM per-boot RAK seed v1"), 48 bytes
//   RAK                  = RealmAttestationKey(derivingFrom: per-boot seed)
//       new on every boot when the boot input is (EL3 gathers it: RNDR, a seed from the
//       boot loader, the counter); and secret even when the boot input is guessable,
//       because the device secret goes into it too.
//
// The EL3 monitor derives both at cold boot, the RAK only as far as its private scalar (the
// TMM computes the public key from it); the host tests derive them from test secrets.

public enum AttestationKeyDerivation {
    public static let bootSeedInfo: StaticString = "TMM per-boot RAK seed v1"
    /// Bytes of the per-boot seed: one SHA-384 block.
    public static let bootSeedSize = 48

    /// Whether `secret` can be a provisioned device secret: 32 or 64 bytes, not one byte
    /// repeated (erased flash reads 0xFF, unprogrammed fuses 0x00).
    public static func isPlausibleDeviceSecret(_ secret: UnsafeRawBufferPointer) -> Bool {
        guard secret.count == 32 || secret.count == 64 else { return false }
        for byte in secret where byte != secret[0] { return true }
        return false
    }

    /// The platform attestation key of an image of `model`: the same secret always gives the
    /// same key, and the two models give two keys.
    public static func platformKey(deviceSecret: UnsafeRawBufferPointer, model: IsolationModel) -> P384.PrivateKey {
        P384.PrivateKey(derivingFrom: deviceSecret, context: model.platformKeyContext.rawBytes)
    }

    /// This boot's RAK, from the device secret and this boot's input (any length, may be empty).
    public static func realmAttestationKey(deviceSecret: UnsafeRawBufferPointer, bootInput: UnsafeRawBufferPointer)
        -> RealmAttestationKey
    {
        let scalar = realmAttestationScalar(deviceSecret: deviceSecret, bootInput: bootInput)
        return RealmAttestationKey(privateKey: P384.PrivateKey(scalar: scalar))
    }

    /// The private scalar of `realmAttestationKey(deviceSecret:bootInput:)` as 48 big-endian
    /// bytes (what ATTEST_GET_REALM_KEY hands over), written to the start of `scalar`. Costs no
    /// scalar multiplication: EL3 only keeps the scalar; the TMM computes the public key.
    public static func writeRealmAttestationScalar(
        deviceSecret: UnsafeRawBufferPointer, bootInput: UnsafeRawBufferPointer, into scalar: UnsafeMutableRawBufferPointer
    ) {
        precondition(scalar.count >= P384.byteCount)
        Limbs.writeBigEndian(
            realmAttestationScalar(deviceSecret: deviceSecret, bootInput: bootInput),
            to: UnsafeMutableRawBufferPointer(rebasing: scalar[0..<P384.byteCount]))
    }

    private static func realmAttestationScalar(deviceSecret: UnsafeRawBufferPointer, bootInput: UnsafeRawBufferPointer)
        -> Limbs384
    {
        var seed = InlineArray<48, UInt8>(repeating: 0)
        withUnsafeMutableBytes(of: &seed) {
            _ = HKDF<SHA384>.deriveKey(
                salt: bootInput, inputKeyMaterial: deviceSecret, info: bootSeedInfo.rawBytes, into: $0)
        }
        let scalar = withUnsafeBytes(of: seed) { RealmAttestationKey.derivedScalar(from: $0) }
        for i in 0..<bootSeedSize { seed[i] = 0 }
        return scalar
    }
}

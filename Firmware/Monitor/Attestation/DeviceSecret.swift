import AttestationStorage

// The device secret: the root of the platform's attestation identity. On QEMU it is a blob
// provisioned into the secure flash image at build time (Makefile: DEVICE_SECRET; README:
// Attestation), in a page of its own that only EL3 maps. The monitor reads it in place at cold
// boot to derive its keys and keeps no copy.
//
// A real platform reads it from fuses or OTP that lock after boot, or never reads it at all:
// a hardware unique key inside a crypto engine derives the keys (a key ladder), or an HSM or
// RSE holds the attestation keys and signs for EL3.

enum DeviceSecret {
    /// The provisioned bytes, or nil when the image holds no plausible secret (erased or
    /// unprogrammed storage, wrong size).
    static var bytes: UnsafeRawBufferPointer? {
        let start = device_secret_start()
        let size = device_secret_end() - start
        guard let base = UnsafeRawPointer(bitPattern: UInt(start)) else { return nil }
        let secret = UnsafeRawBufferPointer(start: base, count: Int(size))
        return AttestationKeyDerivation.isPlausibleDeviceSecret(secret) ? secret : nil
    }

    /// Where the secret lies, for the boot log (never its value).
    static var location: (base: UInt64, size: UInt64) {
        (device_secret_start(), device_secret_end() - device_secret_start())
    }
}

// Where the host places a realm's memory. On a CPU without Secure EL2 the firmware is the EL3
// image, which has no stage 2: a DATA granule's IPA must equal the granule's own address, and an
// unprotected page's IPA its address with the top IPA bit set (identity placement,
// Docs/el3-realms.md). The project's host infers the image from the CPU, as it runs on the same
// CPUs the firmware does.

enum RealmPlacement {
    /// Realms on this machine are identity-placed.
    static var identity: Bool { !CPUFeatures.hasSecureEL2 }
}

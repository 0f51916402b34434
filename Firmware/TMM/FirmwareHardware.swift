import AArch64

// The firmware back-end of the core's hardware protocol (Firmware/Core/Platform/TMMHardware.swift).
// The TMM's stage 1 is an identity map: pool granules at their PA with secure attributes, the
// normal world's DRAM at its PA with the NS attribute (SEL2/TMMMain.swift, and the monitor's
// tables in the EL3 image). Stage-2 maintenance and running RECs depend on the image variant
// (SEL2/ and EL3/).

struct FirmwareHardware: TMMHardware {
    func granulePointer(_ pa: PhysicalAddress) -> UnsafeMutableRawPointer {
        UnsafeMutableRawPointer(bitPattern: UInt(pa.value))!
    }

    /// The core has checked that the bytes lie in normal-world DRAM outside the pool, all of
    /// which the TMM maps: the copy cannot fault.
    func copyFromNormalWorld(_ pa: PhysicalAddress, into destination: UnsafeMutableRawBufferPointer) -> Bool {
        guard let base = destination.baseAddress else { return true }
        base.copyMemory(from: UnsafeRawPointer(bitPattern: UInt(pa.value))!, byteCount: destination.count)
        return true
    }

    func copyToNormalWorld(_ pa: PhysicalAddress, from source: UnsafeRawBufferPointer) -> Bool {
        guard let base = source.baseAddress else { return true }
        UnsafeMutableRawPointer(bitPattern: UInt(pa.value))!.copyMemory(from: base, byteCount: source.count)
        return true
    }

    func invalidateStage2(ipa: IPA, level: Int, vmid: UInt16) {
        stage2InvalidateIPA(ipa.value, vmid: vmid)
    }

    func invalidateStage2(vmid: UInt16) {
        stage2InvalidateVMID(vmid)
    }

    func runRealm(_ state: inout RealmCPUState, realm: RealmExecutionInfo, controls: RealmRunControls) -> RealmHardwareExit {
        runREC(&state, realm: realm, controls: controls)
    }

    /// This boot's Realm Attestation Key and platform token, which the TMM obtained from the
    /// monitor at cold boot (TMMAttestation.swift); nil when the platform provided none, and
    /// RSI_ATTESTATION_TOKEN_INIT then answers RSI_ERROR_UNKNOWN.
    func withAttestationMaterial<R>(_ body: (borrowing RealmAttestationKey, UnsafeRawBufferPointer) -> R) -> R? {
        guard let key = TMMAttestation.key else { return nil }
        return body(key, TMMAttestation.platformToken)
    }
}

// Compiled only by `make core-embedded`, together with Firmware/Core: Embedded Swift emits
// generic code only when it is specialised, so this instantiates TMM<Hardware> with a do-nothing
// back-end and calls the dispatcher. Embedded-only errors (allocations, existentials,
// unsupported features) in the generic core then fail the build, as they would in the firmware.

struct SpecializationCheckHardware: TMMHardware {
    func granulePointer(_ pa: PhysicalAddress) -> UnsafeMutableRawPointer {
        UnsafeMutableRawPointer(bitPattern: UInt(truncatingIfNeeded: pa.value) | 0x1000)!
    }
    func copyFromNormalWorld(_ pa: PhysicalAddress, into destination: UnsafeMutableRawBufferPointer) -> Bool { false }
    func copyToNormalWorld(_ pa: PhysicalAddress, from source: UnsafeRawBufferPointer) -> Bool { false }
    func invalidateStage2(ipa: IPA, level: Int, vmid: UInt16) {}
    func invalidateStage2(vmid: UInt16) {}
    func runRealm(_ state: inout RealmCPUState, realm: RealmExecutionInfo, controls: RealmRunControls) -> RealmHardwareExit {
        .synchronous(esr: state.gprs[0], far: state.gprs[1], hpfar: state.gprs[2])
    }
    func withAttestationMaterial<R>(_ body: (borrowing RealmAttestationKey, UnsafeRawBufferPointer) -> R) -> R? { nil }
}

@_cdecl("tmm_core_specialization_check")
public func specializationCheck(_ storage: UnsafeMutableRawPointer, _ bytes: Int, _ regs: UnsafeMutablePointer<UInt64>) {
    var pool = MemoryRanges()
    pool.append(base: 0x0E10_0000, size: 0x80_0000)
    let caps = PlatformCapabilities(maxIPAWidth: 44, breakpoints: 6, watchpoints: 4, gicListRegisters: 4,
                                    vmidWidth: 8)
    guard let tmm = TMM(configuration: TMMConfiguration(securePool: pool, normalWorldMemory: MemoryRanges(),
                                                         capabilities: caps, storage: storage, storageBytes: bytes),
                        hardware: SpecializationCheckHardware())
    else { return }
    let r = tmm.handle(fid: regs[0], arguments: RMIArguments(regs[1], regs[2], regs[3], regs[4], regs[5], regs[6]))
    regs[0] = r.x0
    regs[1] = r.x1
    regs[2] = r.x2
    regs[3] = r.x3
    regs[4] = r.x4
}

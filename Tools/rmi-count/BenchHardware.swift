// The benchmark's machine: a secure pool and normal-world DRAM as host buffers at fixed
// simulated physical addresses, TLB maintenance that does nothing, and a realm that takes a
// physical IRQ as soon as it is entered. Each back-end call costs what the firmware's does
// (an address offset, a copy), so the counts are the core's. Compiled into the same module as
// Firmware/Core (count.py), as the firmware compiles the core with its back-end.

import RMICount

struct BenchRegion {
    let base: UInt64
    let size: UInt64
    let bytes: UnsafeMutableRawPointer

    init(base: UInt64, size: UInt64) {
        self.base = base
        self.size = size
        bytes = UnsafeMutableRawPointer.allocate(byteCount: Int(size), alignment: 4096)
        bytes.initializeMemory(as: UInt8.self, repeating: 0, count: Int(size))
    }

    func pointer(_ pa: UInt64) -> UnsafeMutableRawPointer { bytes + Int(pa &- base) }
}

struct BenchHardware: TMMHardware {
    let pool: BenchRegion
    let normalWorld: BenchRegion

    func granulePointer(_ pa: PhysicalAddress) -> UnsafeMutableRawPointer { pool.pointer(pa.value) }

    func copyFromNormalWorld(_ pa: PhysicalAddress, into destination: UnsafeMutableRawBufferPointer) -> Bool {
        guard let base = destination.baseAddress else { return true }
        base.copyMemory(from: normalWorld.pointer(pa.value), byteCount: destination.count)
        return true
    }

    func copyToNormalWorld(_ pa: PhysicalAddress, from source: UnsafeRawBufferPointer) -> Bool {
        guard let base = source.baseAddress else { return true }
        normalWorld.pointer(pa.value).copyMemory(from: base, byteCount: source.count)
        return true
    }

    func invalidateStage2(ipa: IPA, level: Int, vmid: UInt16) {}
    func invalidateStage2(vmid: UInt16) {}

    /// The realm is interrupted at once. Not counted: this is the platform's world switch
    /// (the on-target benchmark measures it, README: Benchmark).
    func runRealm(_ state: inout RealmCPUState, realm: RealmExecutionInfo, controls: RealmRunControls) -> RealmHardwareExit {
        rmi_count_pause()
        defer { rmi_count_resume() }
        return .irq
    }

    func withAttestationMaterial<R>(_ body: (borrowing RealmAttestationKey, UnsafeRawBufferPointer) -> R) -> R? { nil }
}

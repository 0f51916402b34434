// A simulated machine for host tests: physical memory (a secure pool in two ranges and a
// normal-world DRAM range) as host buffers at simulated physical addresses, a TLB that
// records every invalidation, and a realm CPU that follows a script: each run applies the
// next step's edit to the realm's state (what the realm "executed") and returns its exit.

import Synchronization
@testable import TMMCore

final class FakeMachine {
    struct Region {
        let base: UInt64
        let size: UInt64
        let bytes: UnsafeMutableRawPointer
    }

    enum Invalidation: Equatable {
        case ipa(UInt64, level: Int, vmid: UInt16)
        case vmid(UInt16)
    }

    /// What the hardware was asked to run.
    struct Run {
        let state: RealmCPUState
        let realm: RealmExecutionInfo
        let controls: RealmRunControls
    }

    /// One stretch of realm execution: `edit` is what the realm did before the exception.
    struct RealmStep {
        var edit: (inout RealmCPUState) -> Void
        var exit: RealmHardwareExit

        init(_ exit: RealmHardwareExit, edit: @escaping (inout RealmCPUState) -> Void = { _ in }) {
            self.edit = edit
            self.exit = exit
        }
    }

    /// Pool range A: 4 MiB at a 2 MiB-aligned address, so folds into 2 MiB blocks can be
    /// tested with real DATA granules. Range B: 64 KiB elsewhere.
    static let poolA = (base: UInt64(0x1000_0000), size: UInt64(4 << 20))
    static let poolB = (base: UInt64(0x2000_0000), size: UInt64(64 << 10))
    static let normalWorld = (base: UInt64(0x4000_0000), size: UInt64(4 << 20))
    /// Memory the TMM itself uses: neither pool nor host-passable.
    static let tmmMemory = (base: UInt64(0x0E00_0000), size: UInt64(1 << 20))

    var regions: [Region] = []
    var invalidations: [Invalidation] = []
    /// The realm's next steps; when it runs out, every run ends with a physical IRQ.
    var realmScript: [RealmStep] = []
    var runs: [Run] = []
    /// Physical INTIDs the core asked to deactivate.
    /// The platform's RAK and platform token; nil: the platform has none.
    var attestation: (key: RealmAttestationKey, platformToken: [UInt8])?
    /// Normal-world addresses whose access faults (as if unmapped).
    var faultingNormalWorld: Set<UInt64> = []
    var storage: UnsafeMutableRawPointer
    var storageBytes: Int

    init(storageBytes: Int) {
        for r in [Self.poolA, Self.poolB, Self.normalWorld] {
            regions.append(Region(base: r.base, size: r.size, bytes: Self.zeroedBuffer(Int(r.size))))
        }
        self.storageBytes = storageBytes
        storage = Self.zeroedBuffer(storageBytes)
    }

    deinit {
        for r in regions { Self.recycle(r.bytes, Int(r.size)) }
        Self.recycle(storage, storageBytes)
    }

    /// Buffers of machines that are gone, by size, for the next machine: the fuzz targets make
    /// a machine per input, and fresh multi-megabyte mappings made page faults their main cost.
    private static let spare = Mutex<[Int: [UInt]]>([:])

    private static func zeroedBuffer(_ count: Int) -> UnsafeMutableRawPointer {
        let reused = spare.withLock { $0[count]?.popLast() }
        let bytes = reused.flatMap { UnsafeMutableRawPointer(bitPattern: $0) }
            ?? UnsafeMutableRawPointer.allocate(byteCount: count, alignment: 4096)
        bytes.initializeMemory(as: UInt8.self, repeating: 0, count: count)
        return bytes
    }

    private static func recycle(_ bytes: UnsafeMutableRawPointer, _ count: Int) {
        let kept = spare.withLock { cache -> Bool in
            guard cache[count, default: []].count < 8 else { return false }
            cache[count, default: []].append(UInt(bitPattern: bytes))
            return true
        }
        if !kept { bytes.deallocate() }
    }

    func pointer(_ pa: UInt64) -> UnsafeMutableRawPointer? {
        for r in regions where pa >= r.base && pa - r.base < r.size { return r.bytes + Int(pa - r.base) }
        return nil
    }

    func read64(_ pa: UInt64) -> UInt64 { pointer(pa)!.load(as: UInt64.self) }
    func write64(_ pa: UInt64, _ value: UInt64) { pointer(pa)!.storeBytes(of: value, as: UInt64.self) }
    func bytes(_ pa: UInt64, count: Int) -> [UInt8] {
        let p = pointer(pa)!
        return (0..<count).map { p.load(fromByteOffset: $0, as: UInt8.self) }
    }
    func fill(_ pa: UInt64, with bytes: [UInt8]) {
        let p = pointer(pa)!
        for (i, b) in bytes.enumerated() { p.storeBytes(of: b, toByteOffset: i, as: UInt8.self) }
    }
    func isZero(_ pa: UInt64, count: Int = 4096) -> Bool {
        let p = pointer(pa)!
        for i in stride(from: 0, to: count, by: 8) where p.load(fromByteOffset: i, as: UInt64.self) != 0 { return false }
        return true
    }
}

struct FakeHardware: TMMHardware {
    let machine: FakeMachine

    func granulePointer(_ pa: PhysicalAddress) -> UnsafeMutableRawPointer {
        guard let p = machine.pointer(pa.value),
              pa.value >= FakeMachine.poolA.base && pa.value < FakeMachine.poolA.base + FakeMachine.poolA.size
                || pa.value >= FakeMachine.poolB.base && pa.value < FakeMachine.poolB.base + FakeMachine.poolB.size
        else { fatalError("TMM asked for a non-pool granule \(pa.value)") }
        return p
    }

    func copyFromNormalWorld(_ pa: PhysicalAddress, into destination: UnsafeMutableRawBufferPointer) -> Bool {
        let nw = FakeMachine.normalWorld
        precondition(pa.value >= nw.base && pa.value + UInt64(destination.count) <= nw.base + nw.size,
                     "TMM read outside normal-world memory")
        if machine.faultingNormalWorld.contains(pa.value & ~0xFFF) { return false }
        destination.copyMemory(from: UnsafeRawBufferPointer(start: machine.pointer(pa.value)!, count: destination.count))
        return true
    }

    func copyToNormalWorld(_ pa: PhysicalAddress, from source: UnsafeRawBufferPointer) -> Bool {
        let nw = FakeMachine.normalWorld
        precondition(pa.value >= nw.base && pa.value + UInt64(source.count) <= nw.base + nw.size,
                     "TMM wrote outside normal-world memory")
        if machine.faultingNormalWorld.contains(pa.value & ~0xFFF) { return false }
        machine.pointer(pa.value)!.copyMemory(from: source.baseAddress!, byteCount: source.count)
        return true
    }

    func invalidateStage2(ipa: IPA, level: Int, vmid: UInt16) {
        machine.invalidations.append(.ipa(ipa.value, level: level, vmid: vmid))
    }

    func invalidateStage2(vmid: UInt16) { machine.invalidations.append(.vmid(vmid)) }

    func runRealm(_ state: inout RealmCPUState, realm: RealmExecutionInfo, controls: RealmRunControls) -> RealmHardwareExit {
        machine.runs.append(FakeMachine.Run(state: state, realm: realm, controls: controls))
        guard !machine.realmScript.isEmpty else { return .irq }
        let step = machine.realmScript.removeFirst()
        step.edit(&state)
        return step.exit
    }


    func withAttestationMaterial<R>(_ body: (borrowing RealmAttestationKey, UnsafeRawBufferPointer) -> R) -> R? {
        guard let material = machine.attestation else { return nil }
        return material.platformToken.withUnsafeBytes { body(material.key, $0) }
    }
}

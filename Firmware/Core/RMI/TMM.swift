// The platform-independent TMM: the RMI 1.0 command set over a granule table in platform
// memory. One value serves every CPU: it holds no mutable state of its own, only pointers to
// the platform-provided table and bitmap (whose words are atomics) and the hardware back-end.
// It is neither copied nor moved by a call: the firmware keeps it in static storage and every
// RMI call borrows it there (README: Benchmark).

import Synchronization

public struct TMM<Hardware: TMMHardware>: ~Copyable {
    let granules: GranuleTable
    let bindings: GranuleBindings
    let vmids: VMIDAllocator
    let capabilities: PlatformCapabilities
    let memory: NormalWorldMemory<Hardware>
    let hardware: Hardware
    /// Never read. An atomic is never copied bitwise, which makes the TMM address-only: Swift
    /// passes it to every method by reference. Without it, each RMI call reached through the
    /// firmware's pointer first copied the TMM's ~800 bytes (ranges, capabilities, back-end) to
    /// the stack, a measurable part of every command.
    private let addressOnly = Atomic<UInt8>(0)

    /// Bytes of storage `init` needs for `pool` and VMIDs of `vmidWidth` bits: the granule
    /// descriptors and VMID bitmap, then the normal-world bindings (GranuleBindings.swift).
    public static func requiredStorageBytes(pool: MemoryRanges, vmidWidth: UInt8) -> Int {
        bindingsOffset(pool: pool, vmidWidth: vmidWidth) + GranuleBindings.storageBytes(granules: pool.totalGranules)
    }

    static func bindingsOffset(pool: MemoryRanges, vmidWidth: UInt8) -> Int {
        let width: UInt8 = vmidWidth >= 16 ? 16 : 8
        let words = 4 * (pool.totalGranules + VMIDAllocator.wordCount(width: width))
        return (words + 7) & ~7
    }

    /// Takes over `configuration.storage` and marks every pool granule UNDELEGATED. Nil when
    /// the configuration is inconsistent: no pool, overlapping pool ranges, pool memory above
    /// 2^48, or storage that is too small or misaligned.
    public init?(configuration c: TMMConfiguration, hardware: Hardware) {
        let caps = c.capabilities.clamped
        guard c.securePool.count > 0 else { return nil }
        for i in 0..<c.securePool.count {
            // Stage-2 descriptors hold 48-bit output addresses (no LPA2).
            guard c.securePool[i].end <= 1 << 48 else { return nil }
            for j in 0..<c.securePool.count where i != j {
                let a = c.securePool[i], b = c.securePool[j]
                guard a.end <= b.base.value || b.end <= a.base.value else { return nil }
            }
        }
        let needed = Self.requiredStorageBytes(pool: c.securePool, vmidWidth: caps.vmidWidth)
        guard c.storageBytes >= needed, UInt(bitPattern: c.storage) % 8 == 0 else { return nil }
        guard MemoryLayout<RealmDescriptor>.size <= Int(granuleSize),
              MemoryLayout<RECState>.size <= Int(granuleSize) else { return nil }
        let words = c.storage.bindMemory(to: Atomic<UInt32>.self, capacity: needed / 4)
        granules = GranuleTable(pool: c.securePool, words: words)
        vmids = VMIDAllocator(words: words + granules.count, width: caps.vmidWidth)
        bindings = GranuleBindings(memory: c.storage + Self.bindingsOffset(pool: c.securePool, vmidWidth: caps.vmidWidth),
                                   pool: c.securePool, normalWorld: c.normalWorldMemory)
        capabilities = caps
        memory = NormalWorldMemory(normalWorld: c.normalWorldMemory, pool: c.securePool, bindings: bindings,
                                   hardware: hardware)
        self.hardware = hardware
    }

    /// Runs the RMI command `fid` with arguments x1...x6 and returns x0...x4. Any FID without an
    /// RMI 1.0 command returns SMCCC NOT_SUPPORTED. Safe to call from several CPUs at once.
    /// The commands with large frames are not inlined here (@inline(never) on each), so that
    /// every call, VERSION included, pays only a small dispatch frame.
    public func handle(fid: UInt64, arguments a: RMIArguments) -> RMIResult {
        guard let entry = RMIDispatchTable.entry(for: fid) else { return .unknownFunction }
        let result: RMIResult
        switch entry.command {
        case .none: result = .unknownFunction
        case .version: result = version(requested: a.x1)
        case .features: result = features(index: a.x1)
        case .granuleDelegate: result = granuleDelegate(a.x1)
        case .granuleUndelegate: result = granuleUndelegate(a.x1)
        case .realmCreate: result = realmCreate(rd: a.x1, params: a.x2)
        case .realmActivate: result = realmActivate(rd: a.x1)
        case .realmDestroy: result = realmDestroy(rd: a.x1)
        case .recAuxCount: result = recAuxCount(rd: a.x1)
        case .recCreate: result = recCreate(rd: a.x1, rec: a.x2, params: a.x3)
        case .recDestroy: result = recDestroy(rec: a.x1)
        case .recEnter: result = recEnter(rec: a.x1, run: a.x2)
        case .psciComplete: result = psciComplete(calling: a.x1, target: a.x2, status: a.x3)
        case .rttCreate: result = rttCreate(rd: a.x1, rtt: a.x2, ipa: a.x3, level: a.x4)
        case .rttDestroy: result = rttDestroy(rd: a.x1, ipa: a.x2, level: a.x3)
        case .rttFold: result = rttFold(rd: a.x1, ipa: a.x2, level: a.x3)
        case .rttReadEntry: result = rttReadEntry(rd: a.x1, ipa: a.x2, level: a.x3)
        case .rttMapUnprotected: result = rttMapUnprotected(rd: a.x1, ipa: a.x2, level: a.x3, descriptor: a.x4)
        case .rttUnmapUnprotected: result = rttUnmapUnprotected(rd: a.x1, ipa: a.x2, level: a.x3)
        case .rttInitRIPAS: result = rttInitRIPAS(rd: a.x1, base: a.x2, top: a.x3)
        case .rttSetRIPAS: result = rttSetRIPAS(rd: a.x1, rec: a.x2, base: a.x3, top: a.x4)
        case .dataCreate: result = dataCreate(rd: a.x1, data: a.x2, ipa: a.x3, source: a.x4, flags: a.x5)
        case .dataCreateUnknown: result = dataCreateUnknown(rd: a.x1, data: a.x2, ipa: a.x3)
        case .dataDestroy: result = dataDestroy(rd: a.x1, ipa: a.x2)
        }
        return result.keeping(entry.results)
    }
}

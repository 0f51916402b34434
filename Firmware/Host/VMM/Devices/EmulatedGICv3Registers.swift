// The MMIO side of EmulatedGICv3: the GICD_* frame and each vCPU's GICR_* RD_base and SGI_base
// frames (Arm IHI 0069, chapter 12 "GIC register descriptions"). Offsets, sizes and values come
// from the guest and are hostile: an access that is not an architected register at an allowed
// width reads as zero and its write is ignored (reserved and unimplemented locations are RAZ/WI).
// Registers are 32-bit; GICD_IPRIORITYR / GICR_IPRIORITYR also take byte accesses, and
// GICD_IROUTER / GICR_TYPER 64-bit ones (and 32-bit halves).

extension EmulatedGICv3 {
    // Distributor (IHI 0069 12.9).
    static let gicdCTLR: UInt64 = 0x0000
    static let gicdTYPER: UInt64 = 0x0004
    static let gicdIIDR: UInt64 = 0x0008
    static let gicdIGROUPR: UInt64 = 0x0080
    static let gicdISENABLER: UInt64 = 0x0100
    static let gicdICENABLER: UInt64 = 0x0180
    static let gicdISPENDR: UInt64 = 0x0200
    static let gicdICPENDR: UInt64 = 0x0280
    static let gicdISACTIVER: UInt64 = 0x0300
    static let gicdICACTIVER: UInt64 = 0x0380
    static let gicdIPRIORITYR: UInt64 = 0x0400
    static let gicdICFGR: UInt64 = 0x0C00
    static let gicdIROUTER: UInt64 = 0x6000
    static let pidr2: UInt64 = 0xFFE8
    // Redistributor RD_base (IHI 0069 12.11).
    static let gicrCTLR: UInt64 = 0x0000
    static let gicrIIDR: UInt64 = 0x0004
    static let gicrTYPER: UInt64 = 0x0008
    static let gicrWAKER: UInt64 = 0x0014
    /// SGI_base follows RD_base.
    static let sgiBase: UInt64 = 0x1_0000

    /// GICD_IIDR / GICR_IIDR: ProductID [31:24] 0x54 ('T'), Implementer [11:0] 0x43B (the JEP106
    /// code an Arm-architecture implementation of a VM's GIC commonly reports), revision 0.
    public static let implementerID: UInt32 = 0x5400_043B
    /// GICD_PIDR2 / GICR_PIDR2: ArchRev [7:4] = 3 (GICv3), JEDEC [3] set, JEP106 [2:0] 0b011.
    public static let peripheralID2: UInt32 = 0x3B

    /// GICD_TYPER: ITLinesNumber [4:0] = 2 (INTIDs up to 95), CPUNumber 0 (affinity routing),
    /// SecurityExtn [10] 0 (one Security state), LPIS [17] 0, IDbits [23:19] 15, No1N [25] 1.
    public static var distributorType: UInt32 {
        UInt32(interruptCount / 32 - 1) | 15 << 19 | 1 << 25
    }

    // MARK: Distributor

    /// A guest read of `size` bytes (1, 2, 4 or 8) at `offset` in the GICD_* frame.
    public mutating func readDistributor(offset: UInt64, size: Int) -> UInt64 {
        guard offset < VMDescription.distributorSize else { return 0 }
        if let value = readRouter(offset: offset, size: size) { return value }
        if size == 1 || size == 4, offset >= Self.gicdIPRIORITYR, offset < Self.gicdIPRIORITYR + UInt64(Self.interruptCount) {
            return readPriority(byte: Int(offset - Self.gicdIPRIORITYR), size: size, vcpu: 0, privateBank: false)
        }
        guard size == 4, offset & 3 == 0 else { return 0 }
        switch offset {
        case Self.gicdCTLR:
            return UInt64(distributorControl | Self.affinityRouting | Self.disableSecurity)
        case Self.gicdTYPER: return UInt64(Self.distributorType)
        case Self.gicdIIDR: return UInt64(Self.implementerID)
        case Self.pidr2: return UInt64(Self.peripheralID2)
        case Self.gicdICFGR..<Self.gicdICFGR + UInt64(Self.interruptCount / 4):
            let word = Int((offset - Self.gicdICFGR) / 4)
            // Words 0 and 1 (SGIs, PPIs) are the redistributors' with affinity routing.
            guard word >= 2 else { return 0 }
            return UInt64(readConfig(spiBank(word / 2 - 1), half: word & 1))
        default:
            guard let (register, word) = Self.bitRegister(offset), word >= 1, word <= spiBanks.count else { return 0 }
            return UInt64(readBits(register, self[spiBank(word - 1)]))
        }
    }

    /// A guest write of `size` bytes at `offset` in the GICD_* frame.
    public mutating func writeDistributor(offset: UInt64, size: Int, value: UInt64) {
        guard offset < VMDescription.distributorSize else { return }
        if writeRouter(offset: offset, size: size, value: value) { return }
        if size == 1 || size == 4, offset >= Self.gicdIPRIORITYR, offset < Self.gicdIPRIORITYR + UInt64(Self.interruptCount) {
            writePriority(byte: Int(offset - Self.gicdIPRIORITYR), size: size, value: value, vcpu: 0, privateBank: false)
            return
        }
        guard size == 4, offset & 3 == 0 else { return }
        let value32 = UInt32(truncatingIfNeeded: value)
        switch offset {
        case Self.gicdCTLR:
            distributorControl = value32 & (Self.enableGroup0 | Self.enableGroup1)
        case Self.gicdICFGR..<Self.gicdICFGR + UInt64(Self.interruptCount / 4):
            let word = Int((offset - Self.gicdICFGR) / 4)
            guard word >= 2 else { return }
            writeConfig(spiBank(word / 2 - 1), half: word & 1, value: value32)
        default:
            guard let (register, word) = Self.bitRegister(offset), word >= 1, word <= spiBanks.count else { return }
            writeBits(register, spiBank(word - 1), value32)
        }
    }

    // MARK: Redistributors

    /// A guest read at `offset` in the redistributor region (vCPU n's RD_base at
    /// n * VMDescription.redistributorStride, its SGI_base 64 KiB later).
    public mutating func readRedistributor(offset: UInt64, size: Int) -> UInt64 {
        guard let (vcpu, frameOffset) = redistributorFrame(offset) else { return 0 }
        if frameOffset >= Self.sgiBase {
            return readSGIFrame(vcpu: vcpu, offset: frameOffset - Self.sgiBase, size: size)
        }
        if frameOffset == Self.gicrTYPER && (size == 8 || size == 4) {
            let typer = redistributorType(vcpu)
            return size == 8 ? typer : typer & 0xFFFF_FFFF
        }
        if frameOffset == Self.gicrTYPER + 4 && size == 4 { return redistributorType(vcpu) >> 32 }
        guard size == 4, frameOffset & 3 == 0 else { return 0 }
        switch frameOffset {
        case Self.gicrCTLR: return 0  // EnableLPIs 0, RWP 0
        case Self.gicrIIDR: return UInt64(Self.implementerID)
        case Self.gicrWAKER:
            // ChildrenAsleep [2] follows ProcessorSleep [1] at once.
            return processorSleep[vcpu] ? 0b110 : 0
        case Self.pidr2: return UInt64(Self.peripheralID2)
        default: return 0
        }
    }

    /// A guest write at `offset` in the redistributor region.
    public mutating func writeRedistributor(offset: UInt64, size: Int, value: UInt64) {
        guard let (vcpu, frameOffset) = redistributorFrame(offset) else { return }
        if frameOffset >= Self.sgiBase {
            writeSGIFrame(vcpu: vcpu, offset: frameOffset - Self.sgiBase, size: size, value: value)
            return
        }
        guard size == 4, frameOffset == Self.gicrWAKER else { return }
        processorSleep[vcpu] = value & 0b10 != 0
    }

    /// GICR_TYPER: Affinity_Value [63:32] (Aff3.Aff2.Aff1.Aff0), Processor_Number [23:8],
    /// Last [4] on the last vCPU's frame; no physical or direct LPIs.
    func redistributorType(_ vcpu: Int) -> UInt64 {
        let mpidr = VMDescription.mpidr(ofVCPU: vcpu)
        let affinity = (mpidr & 0xFF_FFFF) | (mpidr >> 32 & 0xFF) << 24
        let last: UInt64 = vcpu == vcpuCount - 1 ? 1 << 4 : 0
        return affinity << 32 | UInt64(vcpu) << 8 | last
    }

    private func redistributorFrame(_ offset: UInt64) -> (vcpu: Int, offset: UInt64)? {
        let index = offset / VMDescription.redistributorStride
        guard index < UInt64(vcpuCount) else { return nil }
        return (Int(index), offset % VMDescription.redistributorStride)
    }

    private mutating func readSGIFrame(vcpu: Int, offset: UInt64, size: Int) -> UInt64 {
        if size == 1 || size == 4, offset >= Self.gicdIPRIORITYR, offset < Self.gicdIPRIORITYR + 32 {
            return readPriority(byte: Int(offset - Self.gicdIPRIORITYR), size: size, vcpu: vcpu, privateBank: true)
        }
        guard size == 4, offset & 3 == 0 else { return 0 }
        switch offset {
        case Self.gicdICFGR: return UInt64(readConfig(.privateBank(vcpu), half: 0))
        case Self.gicdICFGR + 4: return UInt64(readConfig(.privateBank(vcpu), half: 1))
        default:
            guard let (register, word) = Self.bitRegister(offset), word == 0 else { return 0 }
            return UInt64(readBits(register, self[.privateBank(vcpu)]))
        }
    }

    private mutating func writeSGIFrame(vcpu: Int, offset: UInt64, size: Int, value: UInt64) {
        if size == 1 || size == 4, offset >= Self.gicdIPRIORITYR, offset < Self.gicdIPRIORITYR + 32 {
            writePriority(byte: Int(offset - Self.gicdIPRIORITYR), size: size, value: value, vcpu: vcpu, privateBank: true)
            return
        }
        guard size == 4, offset & 3 == 0 else { return }
        let value32 = UInt32(truncatingIfNeeded: value)
        switch offset {
        // GICR_ICFGR0: SGIs are always edge-triggered (read-only).
        case Self.gicdICFGR: return
        case Self.gicdICFGR + 4: writeConfig(.privateBank(vcpu), half: 1, value: value32)
        default:
            guard let (register, word) = Self.bitRegister(offset), word == 0 else { return }
            writeBits(register, .privateBank(vcpu), value32)
        }
    }

    // MARK: Register families shared by GICD and GICR SGI_base

    enum BitRegister { case group, setEnable, clearEnable, setPending, clearPending, setActive, clearActive }

    /// The one-bit-per-INTID register at `offset` (same offsets in GICD and SGI_base) and its
    /// word index (word n covers INTIDs 32n ... 32n + 31).
    static func bitRegister(_ offset: UInt64) -> (BitRegister, Int)? {
        guard offset >= gicdIGROUPR, offset < gicdIPRIORITYR, offset & 3 == 0 else { return nil }
        let register: BitRegister
        switch offset & ~0x7F {
        case gicdIGROUPR: register = .group
        case gicdISENABLER: register = .setEnable
        case gicdICENABLER: register = .clearEnable
        case gicdISPENDR: register = .setPending
        case gicdICPENDR: register = .clearPending
        case gicdISACTIVER: register = .setActive
        case gicdICACTIVER: register = .clearActive
        default: return nil
        }
        return (register, Int((offset & 0x7F) / 4))
    }

    func spiBank(_ index: Int) -> BankRef { .spiBank(index) }

    func readBits(_ register: BitRegister, _ bank: Bank) -> UInt32 {
        switch register {
        case .group: bank.group
        case .setEnable, .clearEnable: bank.enabled
        case .setPending, .clearPending: bank.pending
        case .setActive, .clearActive: bank.active
        }
    }

    mutating func writeBits(_ register: BitRegister, _ ref: BankRef, _ value: UInt32) {
        var bank = self[ref]
        switch register {
        case .group: bank.group = value
        case .setEnable: bank.enabled |= value
        case .clearEnable: bank.enabled &= ~value
        // For a level-sensitive interrupt this sets or clears the latch only: it stays pending
        // while its line is high (IHI 0069 4.1.2).
        case .setPending: bank.latch |= value
        case .clearPending: bank.latch &= ~value
        case .setActive: bank.active |= value
        case .clearActive: bank.active &= ~value
        }
        self[ref] = bank
    }

    /// GIC*_ICFGR<half>: Int_config[1] of each of 16 INTIDs at bit 2i + 1 (1 = edge).
    func readConfig(_ ref: BankRef, half: Int) -> UInt32 {
        let edge = self[ref].edge >> UInt32(16 * half)
        var value: UInt32 = 0
        for i in 0..<16 where edge >> UInt32(i) & 1 != 0 { value |= 2 << UInt32(2 * i) }
        return value
    }

    mutating func writeConfig(_ ref: BankRef, half: Int, value: UInt32) {
        var edge = self[ref].edge
        for i in 0..<16 {
            let bit: UInt32 = 1 << UInt32(16 * half + i)
            if value >> UInt32(2 * i + 1) & 1 != 0 { edge |= bit } else { edge &= ~bit }
        }
        self[ref].edge = edge
    }

    /// Priority bytes from byte `byte` of GIC*_IPRIORITYR (INTID `byte`); a word access must be
    /// aligned. The distributor's bytes for INTIDs 0-31 are RAZ/WI.
    func readPriority(byte: Int, size: Int, vcpu: Int, privateBank: Bool) -> UInt64 {
        guard byte & (size - 1) == 0 else { return 0 }
        var value: UInt64 = 0
        for i in 0..<size {
            let intid = byte + i
            guard privateBank || intid >= 32, let (ref, bit) = locate(intid, vcpu: vcpu) else { continue }
            value |= UInt64(self[ref].priority[bit]) << UInt64(8 * i)
        }
        return value
    }

    mutating func writePriority(byte: Int, size: Int, value: UInt64, vcpu: Int, privateBank: Bool) {
        guard byte & (size - 1) == 0 else { return }
        for i in 0..<size {
            let intid = byte + i
            guard privateBank || intid >= 32, let (ref, bit) = locate(intid, vcpu: vcpu) else { continue }
            self[ref].priority[bit] = UInt8(truncatingIfNeeded: value >> UInt64(8 * i))
        }
    }

    /// GICD_IROUTER<n> (n = 32 ... 95) as a 64-bit access or either 32-bit half; nil when the
    /// access is not one. Writable: Aff0-Aff2 [23:0] and Aff3 [39:32]; IRM [31] RAZ/WI (No1N).
    func readRouter(offset: UInt64, size: Int) -> UInt64? {
        guard let (spi, high) = routerIndex(offset: offset, size: size) else { return nil }
        let route = routers[spi]
        if size == 8 { return route }
        return high ? route >> 32 : route & 0xFFFF_FFFF
    }

    mutating func writeRouter(offset: UInt64, size: Int, value: UInt64) -> Bool {
        guard let (spi, high) = routerIndex(offset: offset, size: size) else { return false }
        let writable: UInt64 = 0xFF_00FF_FFFF
        if size == 8 {
            routers[spi] = value & writable
        } else if high {
            routers[spi] = routers[spi] & 0xFFFF_FFFF | (value << 32) & writable
        } else {
            routers[spi] = routers[spi] & ~0xFFFF_FFFF | value & 0xFFFF_FFFF & writable
        }
        return true
    }

    private func routerIndex(offset: UInt64, size: Int) -> (spi: Int, high: Bool)? {
        guard offset >= Self.gicdIROUTER + 8 * 32, offset < Self.gicdIROUTER + 8 * UInt64(Self.interruptCount) else { return nil }
        let relative = offset - Self.gicdIROUTER
        switch size {
        case 8 where relative & 7 == 0: return (Int(relative / 8) - 32, false)
        case 4 where relative & 3 == 0: return (Int(relative / 8) - 32, relative & 4 != 0)
        default: return nil
        }
    }
}

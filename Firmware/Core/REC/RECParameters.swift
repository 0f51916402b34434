// RmiRecParams (DEN0137 B4.4.10), copied once from the host into TMM memory.

struct RECParameters {
    var flags: UInt64 = 0
    var mpidr: UInt64 = 0
    var pc: UInt64 = 0
    var gprs = InlineArray<8, UInt64>(repeating: 0)
    var numAux: UInt64 = 0
    var aux = InlineArray<16, UInt64>(repeating: 0)

    static let flagRunnable: UInt64 = 1

    static func read<H: TMMHardware>(from pa: PhysicalAddress, using memory: NormalWorldMemory<H>) -> RECParameters? {
        var p = RECParameters()
        guard let pa = memory.hostPage(pa),
              memory.read(pa, offset: 0x000, into: &p.flags),
              memory.read(pa, offset: 0x100, into: &p.mpidr),
              memory.read(pa, offset: 0x200, into: &p.pc),
              memory.read(pa, offset: 0x300, into: &p.gprs),
              memory.read(pa, offset: 0x800, into: &p.numAux),
              memory.read(pa, offset: 0x808, into: &p.aux)
        else { return nil }
        return p
    }

    var measured: MeasuredRECParameters { MeasuredRECParameters(flags: flags, pc: pc, gprs: gprs) }
}

/// RmiRecMpidr (DEN0137 B4.4.11): Aff0[3:0], Aff1[15:8], Aff2[23:16], Aff3[39:32], every other
/// bit zero. RECs are created in the order of the index this encodes.
enum RECMPIDR {
    static let validMask: UInt64 = 0xF | 0xFF << 8 | 0xFF << 16 | 0xFF << 32

    static func index(_ mpidr: UInt64) -> UInt64? {
        guard mpidr & ~validMask == 0 else { return nil }
        return (mpidr & 0xF) | (mpidr >> 8 & 0xFF) << 4 | (mpidr >> 16 & 0xFF) << 12 | (mpidr >> 32 & 0xFF) << 20
    }
}

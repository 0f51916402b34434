import HostStorage

/// One of the host's normal-world pages that it hands to the TMM (parameters, data sources,
/// RecRun). Fields are written at the byte offsets the RMI specification gives.
struct NonSecurePage {
    let address: UInt64

    init(index: UInt64) {
        address = UInt64(UInt(bitPattern: host_ns_page(index)))
    }

    private var bytes: UnsafeMutableRawPointer { UnsafeMutableRawPointer(bitPattern: UInt(address))! }

    func clear() { bytes.initializeMemory(as: UInt8.self, repeating: 0, count: 4096) }

    func store64(_ value: UInt64, at offset: Int) { bytes.storeBytes(of: value, toByteOffset: offset, as: UInt64.self) }
    func store8(_ value: UInt8, at offset: Int) { bytes.storeBytes(of: value, toByteOffset: offset, as: UInt8.self) }
    func load64(at offset: Int) -> UInt64 { bytes.load(fromByteOffset: offset, as: UInt64.self) }

    /// Fills the page with a pattern derived from `seed`, so each data page differs.
    func fillPattern(seed: UInt64) {
        var x = seed
        for offset in stride(from: 0, to: 4096, by: 8) {
            x = x &* 6364136223846793005 &+ 1442695040888963407
            store64(x, at: offset)
        }
    }
}

extension NonSecurePage {
    /// The page as RmiRealmParams (DEN0137 1.0-rel0) for REALM_CREATE: no LPA2, SVE or PMU,
    /// SHA-256, num_bps and num_wps as RMI_FEATURES reports NUM_BPS and NUM_WPS (the number
    /// available minus one: the most REALM_CREATE accepts), an RPV of eight words
    /// `rpv | i` (all zero without one), and `startTableCount` concatenated starting-level RTTs
    /// at `startTables`.
    func writeRealmParams(ipaWidth: UInt64, features: RMIFeatures, rpv: UInt64?, vmid: UInt64,
                          startTables: UInt64, startLevel: Int64, startTableCount: UInt64) {
        clear()
        store64(0, at: 0x000)                       // flags: no LPA2, SVE, PMU
        store64(ipaWidth, at: 0x008)                // s2sz
        store64(features.numBPs, at: 0x018)         // num_bps
        store64(features.numWPs, at: 0x020)         // num_wps
        store8(0, at: 0x030)                        // hash_algo: SHA-256
        if let rpv {
            for i in 0..<8 { store64(rpv | UInt64(i), at: 0x400 + 8 * i) }
        }
        store64(vmid, at: 0x800)
        store64(startTables, at: 0x808)             // rtt_base
        store64(UInt64(bitPattern: startLevel), at: 0x810)
        store64(startTableCount, at: 0x818)         // rtt_num_start
    }

    /// The page as RmiRecParams for REC_CREATE: RUNNABLE or not, MPIDR, PC, x0 (the other
    /// registers zero), and `auxCount` auxiliary granules, contiguous from `auxBase`.
    func writeRecParams(runnable: Bool, mpidr: UInt64, pc: UInt64, x0: UInt64 = 0, x1: UInt64 = 0, x2: UInt64 = 0,
                        x3: UInt64 = 0, auxBase: UInt64, auxCount: UInt64) {
        clear()
        store64(runnable ? 1 : 0, at: 0x000)        // flags
        store64(mpidr, at: 0x100)
        store64(pc, at: 0x200)
        store64(x0, at: 0x300)                      // gprs[0..3]
        store64(x1, at: 0x308)
        store64(x2, at: 0x310)
        store64(x3, at: 0x318)
        store64(auxCount, at: 0x800)                // num_aux
        for i in 0..<Int(auxCount) { store64(auxBase + UInt64(i) << 12, at: 0x808 + 8 * i) }
    }
}

import HostStorage
import PlatformDefinitions
import RealmLayout

// One confidential VM as the host's VMM builds it over RMI (the role KVM plays for virtCCA):
// granules from the secure pool the device tree names, REALM_CREATE, RTTs, INIT_RIPAS,
// DATA_CREATE of the test realm's image (measured, from the copy embedded in the host),
// DATA_CREATE_UNKNOWN for the rest of its RAM, RTT_MAP_UNPROTECTED of the shared pages, two
// RECs (the second not runnable until the realm's PSCI CPU_ON), REALM_ACTIVATE, and the
// teardown in the specification's order. Address space: realm_layout.h. On the EL3 image
// (no stage 2) the realm is identity-placed (Docs/el3-realms.md): its RAM IPA is the address
// of the pool granules that back it, and a shared page's IPA is the page's address with the
// top IPA bit set; REC 0 is told so (REALM_LAYOUT_IDENTITY).

/// A failed RMI step: which one, and what the TMM answered.
struct VMMError: Error {
    var step: StaticString
    var result: RMIResult

    var detail: LogLine {
        var line = LogLine(": ")
        line.append(step)
        line.append(" returned ")
        line.hex(result.x0)
        return line
    }
}

extension VMMError {
    /// Not an RMI failure: the host ran out of pool granules to hand out.
    static var poolExhausted: VMMError {
        VMMError(step: "the granule pool is exhausted", result: RMIResult(x0: ~0, x1: 0, x2: 0, x3: 0, x4: 0))
    }
}

/// Fails with `step` unless the command succeeded.
func require(_ result: RMIResult, _ step: StaticString) throws(VMMError) {
    guard result.succeeded else { throw VMMError(step: step, result: result) }
}

struct RealmVM {
    static let ipaWidth = UInt64(REALM_IPA_WIDTH)
    static let ramPages = UInt64(REALM_RAM_SIZE) >> 12
    static let unprotectedBase = UInt64(REALM_UNPROTECTED_BASE)
    static let startLevel: Int64 = 1
    static let startTables: UInt64 = 2
    static let recCount = 2
    static let maxAux = 16

    /// The embedded image: measured pages, copied by DATA_CREATE from normal-world memory.
    static var imageSource: UInt64 { host_realm_image_start() }
    static var imagePages: UInt64 { (host_realm_image_end() - host_realm_image_start()) >> 12 }

    let vmid: UInt64
    /// REC 0's x0: REALM_MODE_FULL or REALM_MODE_SECOND_REALM.
    let mode: UInt64
    /// The host pages this realm shares (NonSecurePage indices, REALM_SHARED_PAGES of them).
    let sharedPageIndex: UInt64
    /// Identity placement (EL3 image): IPA = physical address (Docs/el3-realms.md).
    let identityPlaced: Bool
    /// Realm RAM: REALM_RAM_BASE, or on the EL3 image the first data granule's address.
    let ramBase: UInt64
    var ramEnd: UInt64 { ramBase + UInt64(REALM_RAM_SIZE) }
    /// Where the shared pages and the emulated devices are in the realm's IPA space.
    var sharedIPA: UInt64 {
        identityPlaced ? Self.unprotectedBase | sharedPage(0).address : UInt64(REALM_SHARED_IPA)
    }
    var uartIPA: UInt64 { identityPlaced ? Self.unprotectedBase | UInt64(PLAT_UNBACKED_MMIO_BASE) : UInt64(REALM_UART_IPA) }
    var unemulatedIPA: UInt64 { identityPlaced ? uartIPA + UInt64(REALM_UNEMULATED_OFFSET) : UInt64(REALM_UNEMULATED_IPA) }
    /// Starting IPAs of the protected and unprotected level 2 and 3 RTTs.
    var rttIPA: InlineArray<4, (ipa: UInt64, level: Int64)> {
        [(ramBase, 2), (ramBase, 3), (sharedIPA, 2), (sharedIPA, 3)]
    }

    private(set) var rd: UInt64 = 0
    private(set) var startTableBase: UInt64 = 0
    /// Protected level 2 and 3, unprotected level 2 and 3, at the IPAs `rttIPA` names.
    private(set) var rtts = InlineArray<4, UInt64>(repeating: 0)
    /// Realm RAM page i is backed by dataBase + i * 4 KiB.
    private(set) var dataBase: UInt64 = 0
    private(set) var recs = InlineArray<2, UInt64>(repeating: 0)
    private(set) var aux = InlineArray<32, UInt64>(repeating: 0)
    private(set) var auxCount: UInt64 = 0
    private(set) var delegatedData: UInt64 = 0

    /// `identityRAM`: on the EL3 image, the data granules' first address, which is then the
    /// realm's RAM IPA.
    init(vmid: UInt64, mode: UInt64, sharedPageIndex: UInt64, identityRAM: UInt64? = nil) {
        self.vmid = vmid
        self.mode = mode
        self.sharedPageIndex = sharedPageIndex
        identityPlaced = identityRAM != nil
        ramBase = identityRAM ?? UInt64(REALM_RAM_BASE)
    }

    func sharedPage(_ i: UInt64) -> NonSecurePage { NonSecurePage(index: sharedPageIndex + i) }

    /// RD, starting-level RTTs and the four RTTs: delegated, REALM_CREATE, RTT_CREATE.
    mutating func create(pool: inout GranulePool, features: RMIFeatures) throws(VMMError) {
        guard let startTables = pool.takeStartTables(Self.startTables), let rd = pool.take() else {
            throw .poolExhausted
        }
        self.rd = rd
        startTableBase = startTables
        try require(RMI.granuleDelegate(rd), "GRANULE_DELEGATE(RD)")
        for i in 0..<Self.startTables { try require(RMI.granuleDelegate(startTables + i << 12), "GRANULE_DELEGATE(start RTT)") }
        for i in rtts.indices {
            guard let g = pool.take() else { throw .poolExhausted }
            rtts[i] = g
            try require(RMI.granuleDelegate(g), "GRANULE_DELEGATE(RTT)")
        }

        let params = NonSecurePage(index: 4)
        params.writeRealmParams(ipaWidth: Self.ipaWidth, features: features, rpv: UInt64(REALM_RPV_PATTERN), vmid: vmid,
                                startTables: startTables, startLevel: Self.startLevel, startTableCount: Self.startTables)
        try require(RMI.realmCreate(rd: rd, params: params.address), "REALM_CREATE")

        for i in rtts.indices {
            let at = rttIPA[i]
            try require(RMI.rttCreate(rd: rd, rtt: rtts[i], ipa: at.ipa & ~((1 << (39 - 9 * (at.level - 1))) - 1), level: at.level),
                        "RTT_CREATE")
        }
    }

    /// INIT_RIPAS over realm RAM, then its granules: the image measured, the rest unknown.
    /// Data granules come from `dataPool` (contiguous).
    mutating func populate(dataPool: inout GranulePool) throws(VMMError) {
        var base = ramBase
        while base < ramEnd {
            let r = RMI.rttInitRIPAS(rd: rd, base: base, top: ramEnd)
            try require(r, "RTT_INIT_RIPAS")
            guard r.x1 > base else { throw VMMError(step: "RTT_INIT_RIPAS made no progress", result: r) }
            base = r.x1
        }
        guard let data = dataPool.take(Self.ramPages), !identityPlaced || data == ramBase else {
            throw .poolExhausted
        }
        dataBase = data
        for page in 0..<Self.ramPages {
            let pa = data + page << 12
            try require(RMI.granuleDelegate(pa), "GRANULE_DELEGATE(data)")
            delegatedData = page + 1
            let ipa = ramBase + page << 12
            if page < Self.imagePages {
                try require(RMI.dataCreate(rd: rd, data: pa, ipa: ipa, source: Self.imageSource + page << 12, flags: 1),
                            "DATA_CREATE")
            } else {
                try require(RMI.dataCreateUnknown(rd: rd, data: pa, ipa: ipa), "DATA_CREATE_UNKNOWN")
            }
        }
    }

    /// Maps the host's shared pages at REALM_SHARED_IPA: normal write-back memory, read/write.
    func mapShared() throws(VMMError) {
        for i in 0..<UInt64(REALM_SHARED_PAGES) {
            let page = sharedPage(i)
            let descriptor = page.address | RMI.sharedMemoryAttributes
            try require(RMI.rttMapUnprotected(rd: rd, ipa: sharedIPA + i << 12, level: 3, descriptor: descriptor),
                        "RTT_MAP_UNPROTECTED")
        }
    }

    /// Two RECs with their auxiliary granules: REC 0 runnable at the image's entry with x0 =
    /// mode, REC 1 (MPIDR 1) not runnable until the realm starts it with PSCI CPU_ON.
    mutating func createRECs(pool: inout GranulePool) throws(VMMError) {
        let count = RMI.recAuxCount(rd: rd)
        try require(count, "REC_AUX_COUNT")
        guard count.x1 <= UInt64(Self.maxAux) else { throw VMMError(step: "REC_AUX_COUNT above 16", result: count) }
        auxCount = count.x1
        for r in 0..<Self.recCount {
            guard let rec = pool.take(), let auxBase = pool.take(auxCount) else {
                throw .poolExhausted
            }
            recs[r] = rec
            try require(RMI.granuleDelegate(rec), "GRANULE_DELEGATE(REC)")
            for i in 0..<Int(auxCount) {
                aux[r * Self.maxAux + i] = auxBase + UInt64(i) << 12
                try require(RMI.granuleDelegate(auxBase + UInt64(i) << 12), "GRANULE_DELEGATE(REC aux)")
            }
            let params = NonSecurePage(index: 5)
            // MPIDR: Aff0 = REC index; REC 0 at the image's entry point.
            // REC 0: x0 = mode, x1-x3 = the address-space convention (realm_layout.h).
            let layout: (UInt64, UInt64, UInt64) = r == 0 && identityPlaced
                ? (UInt64(REALM_LAYOUT_IDENTITY), sharedPage(0).address, UInt64(PLAT_UNBACKED_MMIO_BASE)) : (0, 0, 0)
            params.writeRecParams(runnable: r == 0, mpidr: UInt64(r), pc: r == 0 ? ramBase : 0, x0: r == 0 ? mode : 0,
                                  x1: layout.0, x2: layout.1, x3: layout.2, auxBase: auxBase, auxCount: auxCount)
            try require(RMI.recCreate(rd: rd, rec: rec, params: params.address), "REC_CREATE")
        }
    }

    /// Every granule the realm holds: RD, starting-level and further RTTs, DATA, RECs and
    /// their aux granules (what a normal-world probe must find out of its reach).
    func forEachGranule(_ body: (UInt64) -> Void) {
        body(rd)
        for i in 0..<Self.startTables { body(startTableBase + i << 12) }
        for i in rtts.indices { body(rtts[i]) }
        for page in 0..<Self.ramPages { body(dataBase + page << 12) }
        for r in 0..<Self.recCount {
            body(recs[r])
            for i in 0..<Int(auxCount) { body(aux[r * Self.maxAux + i]) }
        }
    }

    func activate() throws(VMMError) {
        try require(RMI.realmActivate(rd: rd), "REALM_ACTIVATE")
    }

    /// Teardown in the specification's order: RECs, data, unprotected mappings, RTTs from the
    /// leaves up, the realm; then every granule back to the normal world.
    func destroy() throws(VMMError) {
        for r in 0..<Self.recCount { try require(RMI.recDestroy(rec: recs[r]), "REC_DESTROY") }
        for page in 0..<delegatedData {
            let destroyed = RMI.dataDestroy(rd: rd, ipa: ramBase + page << 12)
            try require(destroyed, "DATA_DESTROY")
            guard destroyed.x1 == dataBase + page << 12 else {
                throw VMMError(step: "DATA_DESTROY returned another granule", result: destroyed)
            }
        }
        for i in 0..<UInt64(REALM_SHARED_PAGES) {
            try require(RMI.rttUnmapUnprotected(rd: rd, ipa: sharedIPA + i << 12, level: 3), "RTT_UNMAP_UNPROTECTED")
        }
        let order: InlineArray<4, Int> = [1, 0, 3, 2]
        for k in order.indices {
            let i = order[k]
            let at = rttIPA[i]
            let destroyed = RMI.rttDestroy(rd: rd, ipa: at.ipa & ~((1 << (39 - 9 * (at.level - 1))) - 1), level: at.level)
            try require(destroyed, "RTT_DESTROY")
            guard destroyed.x1 == rtts[i] else { throw VMMError(step: "RTT_DESTROY returned another RTT", result: destroyed) }
        }
        try require(RMI.realmDestroy(rd: rd), "REALM_DESTROY")
    }

    /// Every granule this realm used, back to the normal world.
    func undelegateAll() throws(VMMError) {
        for page in 0..<delegatedData { try require(RMI.granuleUndelegate(dataBase + page << 12), "GRANULE_UNDELEGATE(data)") }
        for r in 0..<Self.recCount {
            try require(RMI.granuleUndelegate(recs[r]), "GRANULE_UNDELEGATE(REC)")
            for i in 0..<Int(auxCount) { try require(RMI.granuleUndelegate(aux[r * Self.maxAux + i]), "GRANULE_UNDELEGATE(aux)") }
        }
        for i in rtts.indices { try require(RMI.granuleUndelegate(rtts[i]), "GRANULE_UNDELEGATE(RTT)") }
        for i in 0..<Self.startTables { try require(RMI.granuleUndelegate(startTableBase + i << 12), "GRANULE_UNDELEGATE(start RTT)") }
        try require(RMI.granuleUndelegate(rd), "GRANULE_UNDELEGATE(RD)")
    }
}

import PlatformDefinitions

// A Linux realm as the host's VMM builds it over RMI (DEN0137 1.0-rel0), the way a CCA host
// (KVM, kvmtool's `run --realm`) does, from what LinuxBootManifest describes:
//
//   REALM_CREATE   IPA width 40 (protected [0, 512 GiB), shared alias from 0x80_0000_0000),
//                  SHA-256, no RPV, start level 1 with two concatenated tables
//   RTT_CREATE     one level-2 RTT over RAM's 1 GiB and a level-3 RTT per 2 MiB of RAM; the
//                  unprotected alias gets its RTTs on demand, when the realm first touches a
//                  shared page there (LinuxRunLoop)
//   INIT_RIPAS     over all of RAM (measured)
//   DATA_CREATE    measured, in IPA order (LinuxBootLayout): the kernel Image at RAM +
//                  text_offset, the device tree at the next 2 MiB boundary after image_size,
//                  the initramfs in the 2 MiB block after the device tree's
//   DATA_CREATE_UNKNOWN  every other RAM page, up front (not measured: the realm receives
//                  zeroed memory whose content the RIM does not cover)
//   REC_CREATE     one REC per vCPU (MPIDR Aff0 = index): REC 0 runnable at the kernel entry
//                  with x0 = the device tree's IPA (arm64 boot protocol), the others not
//                  runnable until the realm's PSCI CPU_ON
//   REALM_ACTIVATE
//
// Granules come from the pool in contiguous blocks so that the VMM can find each one from its
// IPA without tables of its own: data granule of RAM page i = dataBase + i * 4 KiB, level-3 RTT
// of RAM's 2 MiB block j = rttL3Base + j * 4 KiB, and likewise for the unprotected alias.
// Teardown (`destroy`) follows the specification's order: RECs, data, unprotected mappings,
// RTTs from the leaves up, the realm; then every granule is undelegated.

/// The realm's RMI parameters (the device layout is VMDescription.realm's, the RAM layout
/// LinuxBootLayout's: both shared with tmm-measure through Devices/).
enum LinuxRealmParameters {
    static let ipaWidth: UInt64 = 40
    static let startLevel: Int64 = 1
    static let startTables: UInt64 = 2
    static let maxAux: UInt64 = 16
    static let vmid: UInt64 = 1
    static let block: UInt64 = 2 << 20
}

struct LinuxRealm {
    /// The realm's bootargs, composed at run time: 2 KiB, so in static storage rather than on
    /// the host's stack.
    nonisolated(unsafe) static var bootArguments = BootArguments()

    let manifest: LinuxBootManifest
    /// What the device models, the device tree and the layout share.
    let vm: VMDescription
    let layout: LinuxBootLayout
    let ramPages: UInt64
    let ramBlocks: UInt64
    /// IPAs and sizes of what DATA_CREATE measures.
    let dtbIPA: UInt64
    let dtbSize: UInt64
    let kernelIPA: UInt64
    let initrdIPA: UInt64
    /// Where the device tree is built / was loaded in normal-world memory.
    let dtbSource: UInt64

    private(set) var rd: UInt64 = 0
    private(set) var startTableBase: UInt64 = 0
    private(set) var rttL2: UInt64 = 0
    private(set) var rttL3Base: UInt64 = 0
    private(set) var sharedL2: UInt64 = 0
    private(set) var sharedL2Created = false
    private(set) var sharedL3Base: UInt64 = 0
    private(set) var dataBase: UInt64 = 0
    private(set) var delegatedData: UInt64 = 0
    private(set) var recBase: UInt64 = 0
    private(set) var auxCount: UInt64 = 0
    private(set) var recsCreated: UInt64 = 0
    /// Level-3 RTTs of the unprotected alias created so far (bit j: RAM block j).
    private(set) var sharedL3Created = InlineArray<8, UInt64>(repeating: 0)
    private(set) var sharedPagesMapped: UInt64 = 0

    var ramBase: UInt64 { vm.ramBase }
    var ramEnd: UInt64 { vm.ramEnd }
    var vcpus: Int { Int(manifest.vcpus) }
    func rec(_ index: Int) -> UInt64 { recBase + UInt64(index) * (1 + auxCount) << 12 }

    /// Plans the realm's RAM layout and writes its device tree (unless the user gave one);
    /// fails with a message when something does not fit.
    init(manifest: LinuxBootManifest) throws(LinuxRealmError) {
        self.manifest = manifest
        ramPages = manifest.memorySize >> 12
        ramBlocks = manifest.memorySize / LinuxRealmParameters.block
        let image = UnsafeRawBufferPointer(start: UnsafeRawPointer(bitPattern: UInt(LinuxBootManifest.kernelAddress)),
                                           count: Int(manifest.kernelSize))
        var vm = VMDescription.realm(ramSize: manifest.memorySize, vcpuCount: Int(manifest.vcpus),
                                     ipaWidth: Int(LinuxRealmParameters.ipaWidth))
        let layout: LinuxBootLayout
        do throws(LinuxImageError) {
            let header = try Arm64LinuxImage(parsing: image)
            layout = try LinuxBootLayout(vm: vm, kernel: header, initrdSize: manifest.initrdSize)
        } catch {
            var e = LinuxRealmError("the kernel cannot be booted")
            e.line.append(": ")
            e.line.append(error.message)
            if error == .doesNotFit { e.line.append(" (raise MEM)") }
            throw e
        }
        // Linux needs room of its own beyond what it is given: at least 16 MiB.
        guard layout.initrdEnd + (16 << 20) <= vm.ramEnd else {
            var e = LinuxRealmError("the kernel, device tree and initramfs do not leave 16 MiB of the realm's RAM; raise MEM")
            e.line.append(": they end at RAM + ")
            e.line.hex(layout.initrdEnd - vm.ramBase)
            throw e
        }
        vm = layout.describing(vm)
        // earlycon maps its UART before Linux has asked RSI anything, so it must be told the
        // shared alias itself (Linux's ioremap later finds the device's RIPAS EMPTY and maps
        // the alias on its own).
        LinuxRealm.bootArguments = BootArguments()
        LinuxRealm.bootArguments.appendEarlyConsole(of: vm)
        for i in 0..<Int(manifest.commandLineLength) { LinuxRealm.bootArguments.append(byte: manifest.commandLine[i]) }
        guard LinuxRealm.bootArguments.complete else {
            throw LinuxRealmError("the command line is longer than the VMM's device tree holds", UInt64(BootArguments.capacity))
        }
        dtbSource = LinuxBootManifest.dtbAddress
        if manifest.dtbSize > 0 {
            dtbSize = manifest.dtbSize
        } else {
            let buffer = UnsafeMutableRawBufferPointer(start: UnsafeMutableRawPointer(bitPattern: UInt(LinuxBootManifest.dtbAddress)),
                                                       count: Int(PLAT_VMM_DTB_MAX_SIZE))
            do throws(DeviceTreeError) {
                let described = vm
                dtbSize = UInt64(try LinuxRealm.bootArguments.withUnsafeBytes { (line) throws(DeviceTreeError) in
                    try GuestDeviceTree.write(described, bootArguments: line, into: buffer)
                })
            } catch {
                throw LinuxRealmError("the VMM could not write the realm's device tree")
            }
        }
        guard dtbSize <= LinuxBootLayout.maxDTBSize else { throw LinuxRealmError("the device tree is larger than 2 MiB", dtbSize) }
        self.vm = vm
        self.layout = layout
        dtbIPA = layout.dtbBase
        kernelIPA = layout.kernelBase
        initrdIPA = layout.initrdBase
    }

    static func alignUp(_ value: UInt64, _ alignment: UInt64) -> UInt64 { (value + alignment - 1) & ~(alignment - 1) }

    /// Granules the realm takes from the pool, as `create`, `populate` and `createRECs` take them.
    func granulesNeeded(auxCount: UInt64) -> UInt64 {
        LinuxRealmParameters.startTables * 2 + 1 + 1 + ramBlocks + 1 + ramBlocks + ramPages + manifest.vcpus * (1 + auxCount)
    }

    /// RD, starting-level RTTs, RTTs over RAM; REALM_CREATE; RTT_CREATE.
    mutating func create(pool: inout GranulePool, features: RMIFeatures) throws(VMMError) {
        guard let startTables = pool.takeStartTables(LinuxRealmParameters.startTables), let rd = pool.take(),
              let l2 = pool.take(), let l3 = pool.take(ramBlocks), let sharedL2 = pool.take(),
              let sharedL3 = pool.take(ramBlocks) else { throw .poolExhausted }
        self.rd = rd
        startTableBase = startTables
        rttL2 = l2
        rttL3Base = l3
        self.sharedL2 = sharedL2
        sharedL3Base = sharedL3
        try require(RMI.granuleDelegate(rd), "GRANULE_DELEGATE(RD)")
        for i in 0..<LinuxRealmParameters.startTables {
            try require(RMI.granuleDelegate(startTables + i << 12), "GRANULE_DELEGATE(start RTT)")
        }
        let params = NonSecurePage(index: 4)
        params.writeRealmParams(ipaWidth: LinuxRealmParameters.ipaWidth, features: features, rpv: nil, vmid: LinuxRealmParameters.vmid,
                                startTables: startTables, startLevel: LinuxRealmParameters.startLevel,
                                startTableCount: LinuxRealmParameters.startTables)
        try require(RMI.realmCreate(rd: rd, params: params.address), "REALM_CREATE")
        try require(RMI.granuleDelegate(l2), "GRANULE_DELEGATE(RTT)")
        try require(RMI.rttCreate(rd: rd, rtt: l2, ipa: ramBase, level: 2), "RTT_CREATE(level 2)")
        for j in 0..<ramBlocks {
            let rtt = l3 + j << 12
            try require(RMI.granuleDelegate(rtt), "GRANULE_DELEGATE(RTT)")
            try require(RMI.rttCreate(rd: rd, rtt: rtt, ipa: ramBase + j * LinuxRealmParameters.block, level: 3),
                        "RTT_CREATE(level 3)")
        }
    }

    /// INIT_RIPAS over RAM, then every RAM page: measured DATA_CREATE for the device tree,
    /// kernel and initramfs, DATA_CREATE_UNKNOWN for the rest.
    mutating func populate(pool: inout GranulePool) throws(VMMError) {
        var base = ramBase
        while base < ramEnd {
            let r = RMI.rttInitRIPAS(rd: rd, base: base, top: ramEnd)
            try require(r, "RTT_INIT_RIPAS")
            guard r.x1 > base else { throw VMMError(step: "RTT_INIT_RIPAS made no progress", result: r) }
            base = r.x1
        }
        guard let data = pool.take(ramPages) else { throw .poolExhausted }
        dataBase = data
        // Loaded files end in a partial page: what DATA_CREATE copies past their end must be
        // zero, as tmm-measure pads them.
        Self.zeroTail(dtbSource, dtbSize)
        Self.zeroTail(LinuxBootManifest.kernelAddress, manifest.kernelSize)
        Self.zeroTail(LinuxBootManifest.initrdAddress, manifest.initrdSize)
        for page in 0..<ramPages {
            let pa = data + page << 12
            try require(RMI.granuleDelegate(pa), "GRANULE_DELEGATE(data)")
            delegatedData = page + 1
            let ipa = ramBase + page << 12
            if let source = measuredSource(ipa) {
                try require(RMI.dataCreate(rd: rd, data: pa, ipa: ipa, source: source, flags: 1), "DATA_CREATE")
            } else {
                try require(RMI.dataCreateUnknown(rd: rd, data: pa, ipa: ipa), "DATA_CREATE_UNKNOWN")
            }
        }
    }

    /// The normal-world page DATA_CREATE measures into realm page `ipa`, or nil for RAM the
    /// realm receives unmeasured.
    func measuredSource(_ ipa: UInt64) -> UInt64? {
        if ipa >= dtbIPA && ipa < dtbIPA + Self.alignUp(dtbSize, 0x1000) { return dtbSource + (ipa - dtbIPA) }
        if ipa >= kernelIPA && ipa < kernelIPA + Self.alignUp(manifest.kernelSize, 0x1000) {
            return LinuxBootManifest.kernelAddress + (ipa - kernelIPA)
        }
        if ipa >= initrdIPA && ipa < initrdIPA + Self.alignUp(manifest.initrdSize, 0x1000) {
            return LinuxBootManifest.initrdAddress + (ipa - initrdIPA)
        }
        return nil
    }

    private static func zeroTail(_ address: UInt64, _ size: UInt64) {
        let end = alignUp(address + size, 0x1000)
        guard size > 0, end > address + size else { return }
        UnsafeMutableRawPointer(bitPattern: UInt(address + size))!.initializeMemory(as: UInt8.self, repeating: 0,
                                                                                   count: Int(end - address - size))
    }

    /// One REC per vCPU with its auxiliary granules, contiguous: REC i at rec(i), its aux after.
    mutating func createRECs(pool: inout GranulePool) throws(VMMError) {
        let count = RMI.recAuxCount(rd: rd)
        try require(count, "REC_AUX_COUNT")
        guard count.x1 <= LinuxRealmParameters.maxAux else { throw VMMError(step: "REC_AUX_COUNT above 16", result: count) }
        auxCount = count.x1
        guard let base = pool.take(manifest.vcpus * (1 + auxCount)) else { throw .poolExhausted }
        recBase = base
        for r in 0..<vcpus {
            let rec = self.rec(r)
            try require(RMI.granuleDelegate(rec), "GRANULE_DELEGATE(REC)")
            for i in 0..<auxCount { try require(RMI.granuleDelegate(rec + (1 + i) << 12), "GRANULE_DELEGATE(REC aux)") }
            let params = NonSecurePage(index: 5)
            params.writeRecParams(runnable: r == 0, mpidr: UInt64(r), pc: r == 0 ? kernelIPA : 0, x0: r == 0 ? dtbIPA : 0,
                                  auxBase: rec + 0x1000, auxCount: auxCount)
            try require(RMI.recCreate(rd: rd, rec: rec, params: params.address), "REC_CREATE")
            recsCreated = UInt64(r) + 1
        }
    }

    func activate() throws(VMMError) {
        try require(RMI.realmActivate(rd: rd), "REALM_ACTIVATE")
    }

    // MARK: shared (unprotected) memory

    /// The normal-world page behind unprotected IPA `ipa` (page aligned), when `ipa` is the
    /// shared alias of realm RAM: PLAT_VMM_SHARED_BASE + its offset in RAM.
    func sharedBacking(_ ipa: UInt64) -> UInt64? {
        guard ipa & vm.sharedAliasBit != 0 else { return nil }
        let protected = ipa & ~vm.sharedAliasBit
        guard protected >= ramBase && protected < ramEnd else { return nil }
        let offset = protected - ramBase
        guard offset < UInt64(PLAT_VMM_SHARED_SIZE) else { return nil }
        return UInt64(PLAT_VMM_SHARED_BASE) + offset
    }

    /// Maps the shared page at unprotected IPA `ipa` (RAM's alias) to its normal-world page,
    /// creating the alias's RTTs first when needed (RTT_CREATE, RTT_MAP_UNPROTECTED).
    mutating func mapShared(_ ipa: UInt64) throws(VMMError) {
        let page = ipa & ~0xFFF
        guard let backing = sharedBacking(page) else { throw VMMError(step: "no shared memory at this IPA", result: RMIResult(x0: ~0, x1: page, x2: 0, x3: 0, x4: 0)) }
        let aliasRAM = ramBase | vm.sharedAliasBit
        if !sharedL2Created {
            try require(RMI.granuleDelegate(sharedL2), "GRANULE_DELEGATE(RTT)")
            try require(RMI.rttCreate(rd: rd, rtt: sharedL2, ipa: aliasRAM, level: 2), "RTT_CREATE(unprotected level 2)")
            sharedL2Created = true
        }
        let block = (page - aliasRAM) / LinuxRealmParameters.block
        let word = Int(block / 64), bit = block % 64
        if sharedL3Created[word] >> bit & 1 == 0 {
            let rtt = sharedL3Base + block << 12
            try require(RMI.granuleDelegate(rtt), "GRANULE_DELEGATE(RTT)")
            try require(RMI.rttCreate(rd: rd, rtt: rtt, ipa: aliasRAM + block * LinuxRealmParameters.block, level: 3),
                        "RTT_CREATE(unprotected level 3)")
            sharedL3Created[word] |= 1 << bit
        }
        // Fresh memory for the realm: it must not find what an earlier run left there.
        UnsafeMutableRawPointer(bitPattern: UInt(backing))!.initializeMemory(as: UInt8.self, repeating: 0, count: 4096)
        try require(RMI.rttMapUnprotected(rd: rd, ipa: page, level: 3, descriptor: backing | RMI.sharedMemoryAttributes),
                    "RTT_MAP_UNPROTECTED")
        sharedPagesMapped += 1
    }

    // MARK: teardown

    /// The specification's order: RECs, data granules, unprotected mappings, RTTs from the
    /// leaves up, the realm. Then `undelegateAll`.
    func destroy() throws(VMMError) {
        for r in 0..<Int(recsCreated) { try require(RMI.recDestroy(rec: rec(r)), "REC_DESTROY") }
        for page in 0..<delegatedData {
            let destroyed = RMI.dataDestroy(rd: rd, ipa: ramBase + page << 12)
            try require(destroyed, "DATA_DESTROY")
            guard destroyed.x1 == dataBase + page << 12 else {
                throw VMMError(step: "DATA_DESTROY returned another granule", result: destroyed)
            }
        }
        let aliasRAM = ramBase | vm.sharedAliasBit
        for block in 0..<ramBlocks where sharedL3Created[Int(block / 64)] >> (block % 64) & 1 != 0 {
            for i in 0..<UInt64(512) {
                let ipa = aliasRAM + block * LinuxRealmParameters.block + i << 12
                let entry = RMI.rttReadEntry(rd: rd, ipa: ipa, level: 3)
                try require(entry, "RTT_READ_ENTRY")
                if entry.x2 == RTTEntryState.assigned {
                    try require(RMI.rttUnmapUnprotected(rd: rd, ipa: ipa, level: 3), "RTT_UNMAP_UNPROTECTED")
                }
            }
            let destroyed = RMI.rttDestroy(rd: rd, ipa: aliasRAM + block * LinuxRealmParameters.block, level: 3)
            try require(destroyed, "RTT_DESTROY(unprotected level 3)")
        }
        if sharedL2Created { try require(RMI.rttDestroy(rd: rd, ipa: aliasRAM, level: 2), "RTT_DESTROY(unprotected level 2)") }
        for block in 0..<ramBlocks {
            let destroyed = RMI.rttDestroy(rd: rd, ipa: ramBase + block * LinuxRealmParameters.block, level: 3)
            try require(destroyed, "RTT_DESTROY(level 3)")
            guard destroyed.x1 == rttL3Base + block << 12 else { throw VMMError(step: "RTT_DESTROY returned another RTT", result: destroyed) }
        }
        try require(RMI.rttDestroy(rd: rd, ipa: ramBase, level: 2), "RTT_DESTROY(level 2)")
        try require(RMI.realmDestroy(rd: rd), "REALM_DESTROY")
    }

    /// Every granule the realm holds, as `undelegateAll` returns them (what a normal-world
    /// probe must find out of its reach).
    func forEachGranule(_ body: (UInt64) -> Void) {
        for page in 0..<delegatedData { body(dataBase + page << 12) }
        for r in 0..<Int(recsCreated) {
            for i in 0...auxCount { body(rec(r) + i << 12) }
        }
        for block in 0..<ramBlocks {
            body(rttL3Base + block << 12)
            if sharedL3Created[Int(block / 64)] >> (block % 64) & 1 != 0 { body(sharedL3Base + block << 12) }
        }
        if sharedL2Created { body(sharedL2) }
        body(rttL2)
        for i in 0..<LinuxRealmParameters.startTables { body(startTableBase + i << 12) }
        body(rd)
    }

    func undelegateAll() throws(VMMError) {
        for page in 0..<delegatedData { try require(RMI.granuleUndelegate(dataBase + page << 12), "GRANULE_UNDELEGATE(data)") }
        for r in 0..<Int(recsCreated) {
            for i in 0...auxCount { try require(RMI.granuleUndelegate(rec(r) + i << 12), "GRANULE_UNDELEGATE(REC)") }
        }
        for block in 0..<ramBlocks {
            try require(RMI.granuleUndelegate(rttL3Base + block << 12), "GRANULE_UNDELEGATE(RTT)")
            if sharedL3Created[Int(block / 64)] >> (block % 64) & 1 != 0 {
                try require(RMI.granuleUndelegate(sharedL3Base + block << 12), "GRANULE_UNDELEGATE(RTT)")
            }
        }
        if sharedL2Created { try require(RMI.granuleUndelegate(sharedL2), "GRANULE_UNDELEGATE(RTT)") }
        try require(RMI.granuleUndelegate(rttL2), "GRANULE_UNDELEGATE(RTT)")
        for i in 0..<LinuxRealmParameters.startTables {
            try require(RMI.granuleUndelegate(startTableBase + i << 12), "GRANULE_UNDELEGATE(start RTT)")
        }
        try require(RMI.granuleUndelegate(rd), "GRANULE_UNDELEGATE(RD)")
    }
}

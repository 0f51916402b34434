// RMI_REC_ENTER (DEN0137 B4.3.12): every check of the spec and TF-RMM rel0
// runtime/rmi/rec.c smc_rec_enter, in that order; then the host's completion of the previous
// exit; then the run loop (RECRunLoop.swift) until something needs the host; then the exit is
// reported through the host's RmiRecRun.

extension TMM {
    static var runExitOffset: Int { 0x800 }

    @inline(never)  // TMM.handle stays a jump table with a small frame
    func recEnter(rec recAddr: UInt64, run runAddr: UInt64) -> RMIResult {
        // run_align, run_pas: checked once; every later access to the page goes through `run`.
        guard let run = memory.hostPage(PhysicalAddress(runAddr)) else { return .failure(.input) }
        let running: RunningREC
        do {
            // rec_align, rec_bound, rec_gran_state
            guard let g = lockNamed(recAddr, expecting: .rec) else { return .failure(.input) }
            // rec_state: already running
            guard let r = RunningREC(g, table: granules) else { return .failure(.rec) }
            running = r
        }
        // RmiRecEnter is copied in once; only the copy is used.
        var entry = RECEntry()
        guard readEntry(run, into: &entry) else { return .failure(.input) }
        let rec = running.state
        // The RD's state and its fixed attributes, read under the RD lock: the run loop walks
        // the realm's RTTs with them without holding the RD lock while the realm runs.
        guard let (state, realm) = withRealm(of: rec, { ($0.state, $0.fixed) }) else { return .failure(.input) }
        // realm_new, system_off
        switch state {
        case .new: return .failure(.realm(index: 0))
        case .systemOff: return .failure(.realm(index: 1))
        case .active: break
        }
        // rec_runnable, psci_pending
        guard rec.pointee.runnable, !rec.pointee.psci.pending else { return .failure(.rec) }
        // rec_gicv3
        let lrCount = Int(capabilities.gicListRegisters)
        guard GICState.isValid(entry, listRegisters: lrCount) else { return .failure(.rec) }
        // rec_sea, rec_mmio: the host may only complete an exit that happened
        guard canInjectSEA(entry, rec, realm), canEmulateMMIO(entry, rec) else { return .failure(.rec) }

        rec.pointee.gic.load(entry, listRegisters: lrCount)
        var record = RECExitRecord()
        if completePendingExit(entry, rec, realm, &record) {
            var info = realm.executionInfo
            info.recIndex = rec.pointee.index
            info.mpidr = rec.pointee.mpidr
            runLoop(rec, realm: realm, info: info, entryFlags: entry.flags, &record)
        }
        reportInterruptsAndTimers(rec, &record)
        guard writeExit(record, to: run) else { return .failure(.input) }
        return .success()
    }

    /// Calls `body` with the RD of `rec`'s realm under its lock (nothing else is held).
    func withRealm<T>(of rec: UnsafeMutablePointer<RECState>, _ body: (inout RealmDescriptor) -> T) -> T? {
        guard let rd = lock(rec.pointee.owner, expecting: .rd) else { return nil }
        return body(&rd.realm.pointee)
    }

    private func readEntry(_ run: HostPage, into e: inout RECEntry) -> Bool {
        memory.read(run, offset: 0x000, into: &e.flags)
            && memory.read(run, offset: 0x200, into: &e.gprs)
            && memory.read(run, offset: 0x300, into: &e.gicv3HCR)
            && memory.read(run, offset: 0x308, into: &e.gicv3ListRegisters)
    }
}

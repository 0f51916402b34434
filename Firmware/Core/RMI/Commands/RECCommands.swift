// RMI_REC_CREATE and RMI_REC_DESTROY (DEN0137 B4.3.13, B4.3.14). Failure conditions in the
// order TF-RMM rel0 checks them (runtime/rmi/rec.c).

extension TMM {
    @inline(never)  // TMM.handle stays a jump table with a small frame
    func recCreate(rd rdAddr: UInt64, rec recAddr: UInt64, params paramsAddr: UInt64) -> RMIResult {
        // params_align, params_bound, params_pas
        guard let p = RECParameters.read(from: PhysicalAddress(paramsAddr), using: memory) else {
            return .failure(.input)
        }
        guard p.numAux <= 16 else { return .failure(.input) }
        let auxCount = Int(p.numAux)
        // aux_align, aux_bound, aux_state: each auxiliary granule is claimed alone, before any
        // other lock, so the host's order cannot deadlock (see GranuleDescriptor.swift).
        guard let aux = claimAux(p.aux, count: auxCount) else { return .failure(.input) }
        let result = createREC(rd: rdAddr, rec: recAddr, params: p, aux: aux)
        if result.x0 != RMIReturnCode.success.encoded { releaseAux(aux, count: auxCount) }
        return result
    }

    /// `aux`: the secure addresses of the auxiliary granules the host named in `p.aux`.
    private func createREC(rd rdAddr: UInt64, rec recAddr: UInt64, params p: RECParameters,
                           aux: InlineArray<16, UInt64>) -> RMIResult {
        // rec_*, rd_*
        guard let pair = lockNamedPair(recAddr, .delegated, rdAddr, .rd) else { return .failure(.input) }
        // MAX_RECS: the RD's refcount counts the realm's RECs; at 2^MAX_RECS_ORDER - 1 there is
        // no room for another (checked here, before realm_state, as TF-RMM rec.c does).
        guard pair.second.refcount < RealmDescriptor.maxRECs else { return .failure(.realm(index: 0)) }
        let realm = pair.second.realm
        // realm_state
        guard realm.pointee.state == .new else { return .failure(.realm(index: 0)) }
        // mpidr_index: RECs are created in MPIDR order
        guard let index = RECMPIDR.index(p.mpidr), index == realm.pointee.recCount else { return .failure(.input) }
        // num_aux
        guard p.numAux == RealmDescriptor.recAuxCount else { return .failure(.input) }

        let runnable = p.flags & RECParameters.flagRunnable != 0
        pair.first.contents.bindMemory(to: RECState.self, capacity: 1).initialize(to: RECState(
            owner: pair.second.address.value, index: index, mpidr: p.mpidr, runnable: runnable,
            auxCount: UInt8(p.numAux), aux: aux,
            gprs: p.gprs, pc: p.pc))
        // TF-RMM rel0 measures only runnable RECs (lib/measurement rim.c caller in rec.c).
        if runnable {
            var rim = RealmInitialMeasurement(algorithm: realm.pointee.hashAlgorithm, value: realm.pointee.rim)
            rim.extendREC(p.measured)
            realm.pointee.rim = rim.value
        }
        realm.pointee.recCount = index + 1
        pair.second.adjustRefcount(by: 1)
        pair.first.transition(to: .rec)
        return .success()
    }

    /// Moves the named granules to REC_AUX; their secure addresses, or nil (and nothing
    /// changed) when one is not a DELEGATED granule.
    private func claimAux(_ names: InlineArray<16, UInt64>, count: Int) -> InlineArray<16, UInt64>? {
        var aux = InlineArray<16, UInt64>(repeating: 0)
        for i in 0..<count {
            guard let g = lockNamed(names[i], expecting: .delegated) else {
                releaseAux(aux, count: i)
                return nil
            }
            g.transition(to: .recAux)
            aux[i] = g.address.value
        }
        return aux
    }

    /// `aux`: secure addresses.
    private func releaseAux(_ aux: InlineArray<16, UInt64>, count: Int) {
        for i in 0..<count {
            if let g = lock(aux[i], expecting: .recAux) { g.transition(to: .delegated) }
        }
    }

    func recDestroy(rec recAddr: UInt64) -> RMIResult {
        // rec_align, rec_bound, rec_gran_state
        guard let rec = lockNamed(recAddr, expecting: .rec) else { return .failure(.input) }
        // rec_state: running on some CPU
        guard rec.refcount == 0 else { return .failure(.rec) }
        let state = rec.rec.pointee
        releaseAux(state.aux, count: Int(min(state.auxCount, 16)))
        rec.transition(to: .delegated)
        // The REC's hold on its RD, dropped without the RD lock (lock order: the RD is only
        // ever locked before its RECs).
        if let rdIndex = granules.index(of: PhysicalAddress(state.owner)) { granules.releaseReference(rdIndex) }
        return .success()
    }
}

// RMI_GRANULE_DELEGATE and RMI_GRANULE_UNDELEGATE (DEN0137 B4.3.3, B4.3.4). On TrustZone the
// delegable granules are exactly those of the secure pool; there is no PAS to change.

extension TMM {
    func granuleDelegate(_ addr: UInt64) -> RMIResult {
        // gran_align, gran_bound: not a pool granule.
        guard let g = lockAny(addr) else { return .failure(.input) }
        // gran_state
        guard g.state == .undelegated else { return .failure(.input) }
        g.transition(to: .delegated)
        return .success()
    }

    func granuleUndelegate(_ addr: UInt64) -> RMIResult {
        guard let g = lockAny(addr) else { return .failure(.input) }
        guard g.state == .delegated else { return .failure(.input) }
        g.transition(to: .undelegated)
        return .success()
    }
}

// Realm IPA state (DEN0137 A5.2.2) and the host-visible RTT entry state (RmiRttEntryState).

enum RIPAS: UInt8 {
    case empty = 0
    case ram = 1
    case destroyed = 2
}

enum RTTEntryState: UInt64 {
    case unassigned = 0
    case assigned = 1
    case table = 2
}

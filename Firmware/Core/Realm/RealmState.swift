// Realm lifecycle states (DEN0137 A2.1.5).

enum RealmState: UInt8 {
    case new = 0
    case active = 1
    case systemOff = 2
}

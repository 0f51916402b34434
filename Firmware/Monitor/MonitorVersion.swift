/// The monitor's own version, printed at boot.
enum MonitorVersion {
    static let major: UInt64 = 0
    static let minor: UInt64 = 1
}

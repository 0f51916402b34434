// RMI command return codes (DEN0137 1.0-rel0, RmiStatusCode and RmiCommandReturnCode).
// This file is the one place where a result is packed into x0.

/// RmiStatusCode.
enum RMIStatus: UInt8 {
    case success = 0
    case errorInput = 1
    case errorRealm = 2
    case errorREC = 3
    case errorRTT = 4
}

/// A failed RMI command: the status and, where the specification defines one, the index.
enum RMIError: Error, Equatable {
    case input
    /// A realm attribute did not match; the index names which one (command specific).
    case realm(index: UInt8)
    case rec
    /// An RTT walk stopped, or found an unexpected entry, at `level`.
    case rtt(level: Int8)

    var status: RMIStatus {
        switch self {
        case .input: .errorInput
        case .realm: .errorRealm
        case .rec: .errorREC
        case .rtt: .errorRTT
        }
    }

    var index: UInt8 {
        switch self {
        case .input, .rec: 0
        case .realm(let index): index
        // Levels are -1...3; the index field carries the level's 8-bit two's complement.
        case .rtt(let level): UInt8(bitPattern: level)
        }
    }
}

/// RmiCommandReturnCode: status in bits [7:0], index in bits [15:8] of x0.
struct RMIReturnCode: Equatable {
    var status: RMIStatus
    var index: UInt8

    static let success = RMIReturnCode(status: .success, index: 0)

    init(status: RMIStatus, index: UInt8 = 0) {
        self.status = status
        self.index = index
    }

    init(_ error: RMIError) {
        self.init(status: error.status, index: error.index)
    }

    var encoded: UInt64 { UInt64(status.rawValue) | UInt64(index) << 8 }

    /// Decodes an x0 value; nil when bits other than status and index are set or the status
    /// is not one that RMI 1.0 defines.
    init?(encoded: UInt64) {
        guard encoded >> 16 == 0, let status = RMIStatus(rawValue: UInt8(encoded & 0xFF)) else {
            return nil
        }
        self.init(status: status, index: UInt8(encoded >> 8 & 0xFF))
    }
}

// The registers of one RMI call: x1...x6 in, x0...x4 out (SMCCC; DEN0137 B4.1).

public struct RMIArguments: Equatable {
    public var x1: UInt64
    public var x2: UInt64
    public var x3: UInt64
    public var x4: UInt64
    public var x5: UInt64
    public var x6: UInt64

    public init(_ x1: UInt64 = 0, _ x2: UInt64 = 0, _ x3: UInt64 = 0, _ x4: UInt64 = 0, _ x5: UInt64 = 0, _ x6: UInt64 = 0) {
        self.x1 = x1
        self.x2 = x2
        self.x3 = x3
        self.x4 = x4
        self.x5 = x5
        self.x6 = x6
    }
}

public struct RMIResult: Equatable {
    /// RmiCommandReturnCode: status in [7:0], index in [15:8].
    public var x0: UInt64
    public var x1: UInt64
    public var x2: UInt64
    public var x3: UInt64
    public var x4: UInt64

    public init(x0: UInt64, x1: UInt64 = 0, x2: UInt64 = 0, x3: UInt64 = 0, x4: UInt64 = 0) {
        self.x0 = x0
        self.x1 = x1
        self.x2 = x2
        self.x3 = x3
        self.x4 = x4
    }

    static func success(_ x1: UInt64 = 0, _ x2: UInt64 = 0, _ x3: UInt64 = 0, _ x4: UInt64 = 0) -> RMIResult {
        RMIResult(x0: RMIReturnCode.success.encoded, x1: x1, x2: x2, x3: x3, x4: x4)
    }

    static func failure(_ error: RMIError, _ x1: UInt64 = 0, _ x2: UInt64 = 0) -> RMIResult {
        RMIResult(x0: RMIReturnCode(error).encoded, x1: x1, x2: x2)
    }

    /// The answer to a FID with no RMI 1.0 command: not an RMI status but SMCCC NOT_SUPPORTED
    /// (-1) in x0, as TF-RMM's handle_ns_smc answers SMC_UNKNOWN.
    static var unknownFunction: RMIResult { RMIResult(x0: UInt64(bitPattern: -1)) }

    /// Zeroes the registers beyond the command's result count (DEN0137 B4.1: unused output
    /// registers are zero).
    func keeping(_ count: UInt8) -> RMIResult {
        switch count {
        case 0: RMIResult(x0: x0)
        case 1: RMIResult(x0: x0, x1: x1)
        case 2: RMIResult(x0: x0, x1: x1, x2: x2)
        case 3: RMIResult(x0: x0, x1: x1, x2: x2, x3: x3)
        default: self
        }
    }
}

import AArch64

/// Results x0..x7 of an SMC.
struct SMCResult {
    var x0: UInt64, x1: UInt64, x2: UInt64, x3: UInt64, x4: UInt64, x5: UInt64, x6: UInt64, x7: UInt64

    var signed: Int64 { Int64(bitPattern: x0) }
}

/// Issues an SMC with the SMC Calling Convention: W0 = function ID, x1..x7 arguments.
func smc(_ fid: UInt64, _ x1: UInt64 = 0, _ x2: UInt64 = 0, _ x3: UInt64 = 0, _ x4: UInt64 = 0,
         _ x5: UInt64 = 0, _ x6: UInt64 = 0, _ x7: UInt64 = 0) -> SMCResult {
    var regs = smc_regs(x: (fid, x1, x2, x3, x4, x5, x6, x7))
    smc_call(&regs)
    return SMCResult(x0: regs.x.0, x1: regs.x.1, x2: regs.x.2, x3: regs.x.3,
                     x4: regs.x.4, x5: regs.x.5, x6: regs.x.6, x7: regs.x.7)
}

import AArch64
import RealmLayout
import RealmSupport

// FP/SIMD in a realm, as an OS uses it: enable it in CPACR_EL1 (Linux does at boot, and its
// kernel-mode NEON faults otherwise), compute on V registers, and find the whole FP/SIMD state,
// V0-V31, FPCR and FPSR, as it was after an exit to the host, which runs with its own.

enum FPSIMDChecks {
    /// CPACR_EL1.FPEN [21:20] = 0b11; ZEN [17:16] and SMEN [25:24] enable SVE and SME.
    static let fpen: UInt64 = 0x3 << 20
    static let zenAndSMEN: UInt64 = 0x3 << 16 | 0x3 << 24
    /// FPCR: AHP, DN, FZ and RMode round-towards-zero; FPSR: QC, IXC, IOC.
    static let fpcr: UInt64 = 1 << 26 | 1 << 25 | 1 << 24 | 0x3 << 22
    static let fpsr: UInt64 = 1 << 27 | 1 << 4 | 1
    static let pattern: UInt64 = 0x5EC0_0FF1_CE00_0000

    static func run(_ checks: inout RealmChecks) {
        write_cpacr_el1(read_cpacr_el1() | fpen | zenAndSMEN)
        isb()
        checks.expectEqual("CPACR_EL1: the realm enables FP/SIMD (FPEN 0b11); the SVE and SME enables stay 0",
                           read_cpacr_el1(), fpen)
        checks.expectEqual("FP/SIMD: an addition on V registers at EL1",
                           realm_fpsimd_add(0x1111_2222_3333_4444, 0x0101_0101_0101_0101), 0x1212_2323_3434_4545)

        realm_fpsimd_fill(pattern, fpcr, fpsr)
        // An exit to the host and back (the host's VMM answers the echo call).
        let status = HostCallChecks.call(UInt64(REALM_HOST_CALL_ECHO), [0, 0, 0, 0])
        var control: (UInt64, UInt64) = (0, 0)
        let changed = withUnsafeMutablePointer(to: &control) { pointer in
            pointer.withMemoryRebound(to: UInt64.self, capacity: 2) { realm_fpsimd_changed(pattern, $0) }
        }
        var detail = LogLine(": host call ")
        detail.hex(status)
        detail.append(", lanes changed ")
        detail.decimal(changed)
        detail.append(", FPCR ")
        detail.hex(control.0)
        detail.append(", FPSR ")
        detail.hex(control.1)
        checks.expect("FP/SIMD: V0-V31, FPCR and FPSR survive an exit to the host",
                      status == RSIStatus.success && changed == 0 && control.0 == fpcr && control.1 == fpsr, detail)
    }
}

import AArch64
import PlatformDefinitions
import Synchronization

// The normal world cannot read secure memory: QEMU virt's secure-only RAM is absent from the
// Non-secure physical address space, so a load from it takes a synchronous external abort.
// The host's exception handler records the abort and skips the load.

/// Set while the boot CPU performs a load that is expected to fault.
nonisolated(unsafe) var expectingFault = false
nonisolated(unsafe) var faultSyndrome: UInt64 = 0
nonisolated(unsafe) var faultAddress: UInt64 = 0
nonisolated(unsafe) var faultTaken = false

enum SecureMemoryChecks {
    static func run(_ checks: inout CheckRecorder, pool: (base: UInt64, size: UInt64)?) {
        probe(&checks, "normal-world read of secure-only RAM faults", address: UInt64(PLAT_SECURE_RAM_BASE))
        // The device secret lies in the secure flash, which QEMU virt (secure=on) leaves out of
        // the Non-secure address space altogether.
        probe(&checks, "normal-world read of the secure flash (device secret) faults", address: UInt64(PLAT_FLASH_BASE))
        if let pool, pool.base >= UInt64(PLAT_SECURE_RAM_BASE),
           pool.base - UInt64(PLAT_SECURE_RAM_BASE) < UInt64(PLAT_SECURE_RAM_SIZE) {
            probe(&checks, "normal-world read of the secure granule pool faults", address: pool.base)
        }
    }

    private static func probe(_ checks: inout CheckRecorder, _ name: StaticString, address: UInt64) {
        faultTaken = false
        expectingFault = true
        let value = probe_read64(address)
        expectingFault = false
        // ESR_EL2.EC 0x25: data abort at the same EL; DFSC 0x10: synchronous external abort.
        let ec = faultSyndrome >> 26 & 0x3F
        let dfsc = faultSyndrome & 0x3F
        var detail = LogLine(": ")
        if faultTaken {
            detail.append("ESR_EL2 ")
            detail.hex(faultSyndrome, digits: 8)
            detail.append(" FAR_EL2 ")
            detail.hex(faultAddress)
        } else {
            detail.append("read returned ")
            detail.hex(value)
        }
        checks.expect(name, faultTaken && ec == 0x25 && dfsc == 0x10 && faultAddress == address, detail)
    }
}

/// Saved registers of an exception (host_entry.S): x0-x30, ELR_EL2, SPSR_EL2.
private let savedELRIndex = 31

@_cdecl("host_exception")
func hostException(_ kind: UInt64, _ frame: UnsafeMutablePointer<UInt64>) {
    let esr = read_esr_el2()
    // Vector 4: synchronous exception at EL2 with SP_EL2.
    if kind == 4 && expectingFault && esr >> 26 == 0x25 {
        faultSyndrome = esr
        faultAddress = read_far_el2()
        faultTaken = true
        expectingFault = false
        frame[savedELRIndex] += 4
        return
    }
    var line = LogLine("[host] UNEXPECTED EXCEPTION, vector ")
    line.decimal(kind)
    line.append(": ESR_EL2 ")
    line.hex(esr, digits: 8)
    line.append(" ELR_EL2 ")
    line.hex(frame[savedELRIndex])
    line.append(" FAR_EL2 ")
    line.hex(read_far_el2())
    console.print(line)
    PSCIClient.systemOff()
}

import AArch64
import PlatformDefinitions
import Synchronization

// The normal world cannot read secure memory: the platform's secure-only RAM (QEMU virt's and
// sbsa-ref's alike) is absent from the Non-secure physical address space, so a load from it
// takes a synchronous external abort.
// The host's exception handler records the abort and skips the load.

/// Set while the boot CPU performs a load that is expected to fault.
nonisolated(unsafe) var expectingFault = false
nonisolated(unsafe) var faultSyndrome: UInt64 = 0
nonisolated(unsafe) var faultAddress: UInt64 = 0
nonisolated(unsafe) var faultTaken = false

enum SecureMemoryChecks {
    static func run(_ checks: inout CheckRecorder, pool: (base: UInt64, size: UInt64)?) {
        probe(&checks, "normal-world read of secure-only RAM faults", address: UInt64(PLAT_SECURE_RAM_BASE))
        // The device secret lies in the secure flash, which QEMU leaves out of the Non-secure
        // address space altogether (virt with secure=on; sbsa-ref's flash0).
        probe(&checks, "normal-world read of the secure flash (device secret) faults", address: UInt64(PLAT_FLASH_BASE))
        if let pool, isSecureRAM(pool.base) {
            probe(&checks, "normal-world read of the secure granule pool faults", address: pool.base)
        }
    }

    /// Whether `address` lies in the platform's secure-only RAM (where the pool is unless it is
    /// carved out of DRAM, which QEMU does not protect).
    static func isSecureRAM(_ address: UInt64) -> Bool {
        address >= UInt64(PLAT_SECURE_RAM_BASE) && address - UInt64(PLAT_SECURE_RAM_BASE) < UInt64(PLAT_SECURE_RAM_SIZE)
    }

    /// Reads (or writes) `address` with the exception handler set to record an abort and skip
    /// the access. `faulted`: the access took a data abort at EL2 (ESR_EL2.EC 0x25) that is a
    /// synchronous external abort (DFSC 0x10) at `address`; `value`: what a read returned.
    /// faultTaken, faultSyndrome and faultAddress hold what the handler saw.
    static func probeAccess(_ address: UInt64, write: Bool) -> (faulted: Bool, value: UInt64) {
        faultTaken = false
        expectingFault = true
        var value: UInt64 = 0
        if write { probe_write64(address, 0x0BAD_C0DE) } else { value = probe_read64(address) }
        expectingFault = false
        let faulted = faultTaken && faultSyndrome >> 26 & 0x3F == 0x25 && faultSyndrome & 0x3F == 0x10 && faultAddress == address
        return (faulted, value)
    }

    private static func probe(_ checks: inout CheckRecorder, _ name: StaticString, address: UInt64) {
        let read = probeAccess(address, write: false)
        var detail = LogLine(": ")
        if faultTaken {
            detail.append("ESR_EL2 ")
            detail.hex(faultSyndrome, digits: 8)
            detail.append(" FAR_EL2 ")
            detail.hex(faultAddress)
        } else {
            detail.append("read returned ")
            detail.hex(read.value)
        }
        checks.expect(name, read.faulted, detail)
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

import AArch64
import RealmSupport

// PSCI from the realm (DEN0022, as DEN0137 B5.4 routes it): calls the TMM answers itself, and
// CPU_ON / AFFINITY_INFO for REC 1, which the host completes with RMI_PSCI_COMPLETE.

/// REC 1 stays on until REC 0 has checked CPU_ON's ALREADY_ON: however quickly REC 1 prints
/// (one host call per line, or a whole line of MMIO exits), the check does not race it. A word
/// in the host-call page that neither RsiHostCall uses, read with single loads.
enum SecondaryHandshake {
    static var flag: UInt64 { realm_host_call_page() + 0x800 }
    static func reset() { Memory.store(flag, 0) }
    static func allowStop() { Memory.store(flag, 1) }

    /// Waits until REC 0 allows it, at most about ten seconds of the virtual counter (REC 0 may
    /// get the CPU only at the host's 100 ms preemption of this spin).
    static func waitUntilAllowed() {
        let deadline = read_cntvct_el0() &+ 10 &* read_cntfrq_el0()
        while Memory.load(flag) == 0 && read_cntvct_el0() < deadline {}
    }
}

enum PSCIChecks {
    static let secondaryMPIDR: UInt64 = 1
    static let secondaryContext: UInt64 = 0xC0FF_EE01

    static func run(_ checks: inout RealmChecks) {
        checks.expectEqual("PSCI_VERSION: 1.1", psci(PSCIFunction.version), 0x1_0001)
        checks.expectEqual("PSCI_FEATURES(CPU_ON): implemented", psci(PSCIFunction.features, PSCIFunction.cpuOn), PSCIStatus.success)
        checks.expectEqual("PSCI_FEATURES(unknown function): NOT_SUPPORTED",
                           psci(PSCIFunction.features, 0x8400_001F), PSCIStatus.notSupported)

        let entry = realm_secondary_entry_address()
        SecondaryHandshake.reset()
        checks.expectEqual("PSCI CPU_ON(REC 0, the caller): ALREADY_ON",
                           psci(PSCIFunction.cpuOn, 0, entry, 0), PSCIStatus.alreadyOn)
        checks.expectEqual("PSCI CPU_ON(MPIDR 5, no such REC): INVALID_PARAMETERS",
                           psci(PSCIFunction.cpuOn, 5, entry, 0), PSCIStatus.invalidParameters)
        checks.expectEqual("PSCI CPU_ON(entry at an unprotected IPA): INVALID_ADDRESS",
                           psci(PSCIFunction.cpuOn, secondaryMPIDR, 1 << 39, 0), PSCIStatus.invalidAddress)
        checks.expectEqual("PSCI AFFINITY_INFO(REC 0, the caller): ON",
                           psci(PSCIFunction.affinityInfo, 0, 0), PSCIStatus.affinityOn)
        checks.expectEqual("PSCI AFFINITY_INFO(lowest level 1): INVALID_PARAMETERS",
                           psci(PSCIFunction.affinityInfo, secondaryMPIDR, 1), PSCIStatus.invalidParameters)

        // Through the host.
        checks.expectEqual("PSCI AFFINITY_INFO(REC 1) before CPU_ON: OFF",
                           psci(PSCIFunction.affinityInfo, secondaryMPIDR, 0), PSCIStatus.affinityOff)
        checks.expectEqual("PSCI CPU_ON(REC 1): SUCCESS",
                           psci(PSCIFunction.cpuOn, secondaryMPIDR, entry, secondaryContext), PSCIStatus.success)
        // REC 1 prints a whole line before it turns itself off, so it is still on here.
        checks.expectEqual("PSCI CPU_ON(REC 1) again while it runs: ALREADY_ON",
                           psci(PSCIFunction.cpuOn, secondaryMPIDR, entry, secondaryContext), PSCIStatus.alreadyOn)
        SecondaryHandshake.allowStop()
        var polls: UInt64 = 0
        var state = PSCIStatus.affinityOn
        while state == PSCIStatus.affinityOn && polls < 100_000 {
            state = psci(PSCIFunction.affinityInfo, secondaryMPIDR, 0)
            polls += 1
        }
        var detail = LogLine(" after ")
        detail.decimal(polls)
        detail.append(" polls")
        checks.expect("PSCI AFFINITY_INFO(REC 1): OFF once REC 1 called CPU_OFF", state == PSCIStatus.affinityOff, detail)
        var context = LogLine(": ")
        context.hex(secondaryContextID)
        checks.expect("second vCPU: REC 1 ran with the context id from CPU_ON", secondaryContextID == secondaryContext, context)
    }
}

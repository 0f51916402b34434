// The EL3 image does not run realms yet: a CPU without FEAT_SEL2 has no secure stage 2 to
// confine them with. REC_ENTER's checks all run; the REC then stops at once as if a physical
// interrupt had been pending (RMI_EXIT_IRQ), which a host handles by entering again.

func runREC(_ state: inout RealmCPUState, realm: RealmExecutionInfo, controls: RealmRunControls) -> RealmHardwareExit {
    .irq
}

/// No realm runs, so no virtual interrupt of one ever ends.
func endPhysicalInterrupt(_ intid: UInt32) {}

// Realm execution at Secure EL1 comes with the realm-execution work (Docs/realm-execution.md);
// until then a REC stops at once as if a physical interrupt had been pending (RMI_EXIT_IRQ).

func runREC(_ state: inout RealmCPUState, realm: RealmExecutionInfo, controls: RealmRunControls) -> RealmHardwareExit {
    .irq
}

// Bridge from the core's current REC hook to the realm runner, until the core keeps a
// RealmCPUState per REC itself: each run starts from the reset EL1 state.

private let spsrEL1hMasked: UInt64 = 0x3C5
private let sctlrEL1ResetRES1: UInt64 = 0x30D0_0800

func runREC(_ context: inout RECContext, realm: RealmExecutionInfo, entry: RECEntry) -> RECExit {
    var state = RealmCPUState()
    state.gprs = context.gprs
    state.pc = context.pc
    state.pstate = spsrEL1hMasked
    state.el1.sctlr = sctlrEL1ResetRES1
    let exit = runRealmAtSecureEL1(&state, realm: realm, controls: RealmRunControls())
    context.gprs = state.gprs
    context.pc = state.pc
    switch exit {
    case .synchronous(let esr, let far, let hpfar): return .sync(esr: esr, far: far, hpfar: hpfar)
    case .irq: return .irq
    case .fiq: return .fiq
    case .serror(let esr): return .serror(esr: esr)
    }
}

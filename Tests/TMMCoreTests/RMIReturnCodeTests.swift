import Testing
@testable import TMMCore

@Suite struct RMIReturnCodeTests {
    /// DEN0137 1.0: status in x0[7:0], index in x0[15:8]; RMI_ERROR_RTT's index is the level.
    @Test func packing() {
        #expect(RMIReturnCode.success.encoded == 0)
        #expect(RMIReturnCode(.input).encoded == 1)
        #expect(RMIReturnCode(.realm(index: 3)).encoded == 0x302)
        #expect(RMIReturnCode(.rec).encoded == 3)
        #expect(RMIReturnCode(.rtt(level: 2)).encoded == 0x204)
        #expect(RMIReturnCode(encoded: 0x304) == RMIReturnCode(.rtt(level: 3)))
        #expect(RMIReturnCode(encoded: 0x5) == nil)
        #expect(RMIReturnCode(encoded: 0x1_0000) == nil)
    }
}

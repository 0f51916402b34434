// VCPUSchedule: how the Linux realm's run loop shares the host's one CPU between vCPUs.

import Testing
import VMMDevices

@Suite struct VCPUScheduleTests {
    @Test func firstEntryIsVCPU0WithAFullSlice() {
        var s = VCPUSchedule(count: 2, slice: 100)
        #expect(s.next(eligible: 0b11, now: 1000) == 0)
        #expect(s.sliceEnd == 1100)
    }

    /// The exits the host answers at once (MMIO, PSCI, ...) do not hand the CPU to the other
    /// vCPU: the current one runs on until its slice ends.
    @Test func currentKeepsTheCPUAcrossExitsWithinItsSlice() {
        var s = VCPUSchedule(count: 2, slice: 100)
        #expect(s.next(eligible: 0b11, now: 0) == 0)
        for t in stride(from: UInt64(1), to: 100, by: 7) {
            #expect(s.next(eligible: 0b11, now: t) == 0)
        }
        #expect(s.sliceEnd == 100)
    }

    @Test func sliceEndRotatesRoundRobin() {
        var s = VCPUSchedule(count: 3, slice: 100)
        #expect(s.next(eligible: 0b111, now: 0) == 0)
        #expect(s.next(eligible: 0b111, now: 100) == 1)
        #expect(s.sliceEnd == 200)
        #expect(s.next(eligible: 0b111, now: 200) == 2)
        #expect(s.next(eligible: 0b111, now: 300) == 0)
    }

    @Test func waitingOrOffVCPUsAreSkipped() {
        var s = VCPUSchedule(count: 3, slice: 100)
        #expect(s.next(eligible: 0b100, now: 0) == 2)
        // vCPU 2 waits in WFI: the next eligible one takes over at once, slice or not.
        #expect(s.next(eligible: 0b001, now: 10) == 0)
        #expect(s.sliceEnd == 110)
        #expect(s.next(eligible: 0, now: 20) == nil)
    }

    @Test func aLoneEligibleVCPUGetsANewSlice() {
        var s = VCPUSchedule(count: 2, slice: 100)
        #expect(s.next(eligible: 0b01, now: 0) == 0)
        #expect(s.next(eligible: 0b01, now: 150) == 0)
        #expect(s.sliceEnd == 250)
    }

    /// After sending an SGI the sender yields, so the target runs next.
    @Test func yieldHandsOverAtOnce() {
        var s = VCPUSchedule(count: 2, slice: 100)
        #expect(s.next(eligible: 0b11, now: 0) == 0)
        s.yield()
        #expect(s.next(eligible: 0b11, now: 5) == 1)
        #expect(s.sliceEnd == 105)
    }

    @Test func countIsClamped() {
        var s = VCPUSchedule(count: 0, slice: 10)
        #expect(s.next(eligible: 0xFF, now: 0) == 0)
        #expect(s.next(eligible: 0xFF, now: 10) == 0)
        var big = VCPUSchedule(count: 100, slice: 10)
        #expect(big.next(eligible: 0x80, now: 0) == 7)
    }
}

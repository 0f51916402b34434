import AArch64
import PlatformDefinitions
import RealmLayout
import RealmSupport

// What the realm cannot reach: protected IPAs whose RIPAS is EMPTY, IPAs outside its IPA space,
// unprotected IPAs the host neither maps nor emulates, and, through its own stage-1 tables, the
// TMM's memory with either stage-1 NS value. Each access must end in a data abort the realm
// takes itself; nothing is read.

enum IsolationChecks {
    /// The TMM's own RAM on the platform the realm is built for.
    static let tmmPhysicalAddress = UInt64(PLAT_TMM_RAM_BASE)

    static func run(_ checks: inout RealmChecks, _ config: RealmConfiguration) {
        let scratch = probeRead(realm_scratch())
        checks.expect("isolation: a load from a protected IPA whose RIPAS is now EMPTY takes a synchronous external abort",
                      scratch.isExternalAbort, scratch.detail)
        let never = probeRead(neverRAMIPA)
        checks.expect("isolation: a load from a protected IPA that was never RAM takes a synchronous external abort",
                      never.isExternalAbort, never.detail)
        let store = probeWrite(neverRAMIPA, 0x5EC2E7)
        checks.expect("isolation: a store to a protected IPA whose RIPAS is EMPTY takes a synchronous external abort",
                      store.isExternalAbort, store.detail)
        let outside = probeRead(1 << config.ipaWidth)
        checks.expect("isolation: a load beyond the realm's IPA space takes a synchronous external abort",
                      outside.isExternalAbort, outside.detail)
        unemulated(&checks)
        stage1(&checks)
    }

    static func unemulated(_ checks: inout RealmChecks) {
        let unemulated = probeRead(AddressSpace.unemulatedAddress)
        checks.expect("isolation: an unprotected IPA the host does not emulate: the host injects a synchronous external abort",
                      unemulated.isExternalAbort, unemulated.detail)
    }

    /// Stage-1 tables of the realm's own making (4 KiB granule, 39-bit VA, walks from level 1):
    ///   VA [0x4000_0000, 1 GiB)  -> identity: the realm's code, data and stacks;
    ///   VA = the TMM's PA (2 MiB block around it) -> that PA with NS = 0;
    ///   VA 0x8000_0000 (2 MiB)   -> the same PA with NS = 1.
    /// The TMM's RAM lies below 1 GiB on every platform so far; a platform where it does not
    /// fails the check instead of probing elsewhere.
    /// Whatever the realm's stage 1 says, its "physical" addresses are IPAs that only its RTTs
    /// translate, in both IPA spaces (NS = 0 and NS = 1 alike): the TMM's RAM is an IPA whose
    /// RIPAS is EMPTY, so both loads must fault.
    static func stage1(_ checks: inout RealmChecks) {
        guard tmmPhysicalAddress < 1 << 30 else {
            checks.expect("isolation: the TMM's PA lies in the first GiB, where this check maps it", false)
            return
        }
        let level1 = realm_xlat(), level2Secure = realm_xlat() + 0x1000, level2NonSecure = realm_xlat() + 0x2000
        Memory.fill(level1, bytes: 0x3000, 0)
        let table: UInt64 = 0b11
        // Block: valid, AttrIndx 0 (normal write-back), AP EL1 read/write, inner shareable, AF.
        let block: UInt64 = 0b01 | 0b11 << 8 | 1 << 10
        let nonSecure: UInt64 = 1 << 5
        Memory.store(level1 + 8 * 0, level2Secure | table)
        Memory.store(level1 + 8 * 1, UInt64(REALM_RAM_BASE) & ~0x3FFF_FFFF | block)
        Memory.store(level1 + 8 * 2, level2NonSecure | table)
        Memory.store(level2Secure + 8 * (tmmPhysicalAddress >> 21), tmmPhysicalAddress & ~0x1F_FFFF | block)
        Memory.store(level2NonSecure, tmmPhysicalAddress & ~0x1F_FFFF | block | nonSecure)
        let secureVA = tmmPhysicalAddress
        let nonSecureVA = 0x8000_0000 | tmmPhysicalAddress & 0x1F_FFFF

        let savedSCTLR = RealmStage1.enable(level1: level1)
        let secure = probeRead(secureVA)
        let nonSecureProbe = probeRead(nonSecureVA)
        RealmStage1.disable(restoring: savedSCTLR)

        checks.expect("isolation: stage-1 NS=0 mapping of the TMM's PA faults (data abort, nothing read)",
                      secure.isDataAbort, secure.detail)
        checks.expect("isolation: stage-1 NS=1 mapping of the TMM's PA faults (data abort, nothing read)",
                      nonSecureProbe.isDataAbort, nonSecureProbe.detail)
    }

    /// The full run leaves a pattern in its secret page for the second realm to look for.
    static func leaveSecret() {
        let page = realm_secret_page()
        var offset: UInt64 = 0
        while offset < 0x1000 {
            Memory.store(page + offset, UInt64(REALM_SECRET_PATTERN) | offset)
            offset += 8
        }
        say("secret page written (for the second realm to look for)")
    }

    /// The second realm is built on the first one's granules: none of its memory may hold the
    /// first realm's secret.
    static func secretNotVisible(_ checks: inout RealmChecks) {
        var found: UInt64 = 0
        var zero: UInt64 = 0
        // The pages DATA_CREATE_UNKNOWN gave this realm from its buffers to the end of its RAM
        // (not its bss and stacks, which this code is using).
        let start = realm_token_buffer()
        var address = start
        let end = UInt64(REALM_RAM_BASE) + UInt64(REALM_RAM_SIZE)
        while address < end {
            let word = Memory.load(address)
            if word & ~0xFFF == UInt64(REALM_SECRET_PATTERN) { found += 1 }
            if word == 0 { zero += 1 }
            address += 8
        }
        var detail = LogLine(": ")
        detail.decimal(found)
        detail.append(" secret words, ")
        detail.decimal(zero)
        detail.append(" of ")
        detail.decimal((end - start) / 8)
        detail.append(" words zero")
        checks.expect("isolation: the second realm's memory holds none of the first realm's secret", found == 0, detail)
    }
}

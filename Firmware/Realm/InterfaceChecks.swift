import AArch64
import RealmLayout
import RealmSupport

// RSI_VERSION, RSI_FEATURES and RSI_REALM_CONFIG, with their errors for bad inputs.

/// An IPA in the protected half that was never RIPAS RAM: the realm's RAM ends well before it.
var neverRAMIPA: UInt64 { AddressSpace.neverRAMIPA }

enum InterfaceChecks {
    static let rsiVersion1_0: UInt64 = 0x1_0000

    static func run(_ checks: inout RealmChecks) -> RealmConfiguration {
        let version = rsi(RSIFunction.version, rsiVersion1_0)
        checks.expectEqual("RSI_VERSION(1.0): RSI_SUCCESS", version.status, RSIStatus.success)
        checks.expectEqual("RSI_VERSION(1.0): lower revision 1.0", version.x[1], rsiVersion1_0)
        checks.expectEqual("RSI_VERSION(1.0): higher revision 1.0", version.x[2], rsiVersion1_0)
        let unsupported = rsi(RSIFunction.version, 0x2_0000)
        checks.expectEqual("RSI_VERSION(2.0): RSI_ERROR_INPUT", unsupported.status, RSIStatus.errorInput)
        checks.expectEqual("RSI_VERSION(2.0): still reports higher revision 1.0", unsupported.x[2], rsiVersion1_0)

        let features = rsi(RSIFunction.features, 0)
        checks.expect("RSI_FEATURES(0): RSI_SUCCESS, no optional feature", features.status == RSIStatus.success && features.x[1] == 0)

        let page = realm_config_page()
        Memory.fill(page, bytes: 0x1000, 0xFFFF_FFFF_FFFF_FFFF)
        let result = rsi(RSIFunction.realmConfig, page)
        checks.expectEqual("RSI_REALM_CONFIG: RSI_SUCCESS", result.status, RSIStatus.success)
        var config = RealmConfiguration()
        config.ipaWidth = Memory.load(page)
        checks.expectEqual("RSI_REALM_CONFIG: ipa_width is 40", config.ipaWidth, UInt64(REALM_IPA_WIDTH))
        let hashAlgorithm = UInt64(Memory.load8(page + 8))
        checks.expectEqual("RSI_REALM_CONFIG: hash algorithm SHA-256 (0)", hashAlgorithm, 0)
        config.digestSize = hashAlgorithm == 1 ? 64 : 32
        var rpvMatches = true
        for i in 0..<8 where Memory.load(page + 0x200 + 8 * UInt64(i)) != UInt64(REALM_RPV_PATTERN) | UInt64(i) {
            rpvMatches = false
        }
        checks.expect("RSI_REALM_CONFIG: the personalization value the host set", rpvMatches)
        if config.ipaWidth != UInt64(REALM_IPA_WIDTH) { config.ipaWidth = UInt64(REALM_IPA_WIDTH) }

        checks.expectEqual("RSI_REALM_CONFIG of an unaligned IPA: RSI_ERROR_INPUT",
                           rsi(RSIFunction.realmConfig, page + 0x10).status, RSIStatus.errorInput)
        checks.expectEqual("RSI_REALM_CONFIG of an unprotected IPA: RSI_ERROR_INPUT",
                           rsi(RSIFunction.realmConfig, AddressSpace.sharedIPA).status, RSIStatus.errorInput)
        checks.expectEqual("RSI_REALM_CONFIG beyond the IPA space: RSI_ERROR_INPUT",
                           rsi(RSIFunction.realmConfig, 1 << 40).status, RSIStatus.errorInput)
        checks.expectEqual("RSI_REALM_CONFIG of an IPA whose RIPAS is EMPTY: RSI_ERROR_INPUT",
                           rsi(RSIFunction.realmConfig, neverRAMIPA).status, RSIStatus.errorInput)
        return config
    }
}

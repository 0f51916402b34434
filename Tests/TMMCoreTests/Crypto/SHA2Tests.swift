// SHA-2 against the FIPS 180-4 example vectors (NIST CSRC "Examples with Intermediate Values")
// and the one-million-'a' long message.

import Testing
@testable import TMMCore

private let message448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
private let message896 =
    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"

private func sha256(_ message: [UInt8]) -> String {
    var hash = SHA256()
    message.withUnsafeBytes { hash.update($0) }
    var out = [UInt8](repeating: 0, count: 32)
    out.withUnsafeMutableBytes { hash.finalize(into: $0) }
    return hexString(out)
}

private func sha512Family(_ make: () -> SHA512, _ message: [UInt8]) -> String {
    var hash = make()
    message.withUnsafeBytes { hash.update($0) }
    var out = [UInt8](repeating: 0, count: hash.digestSize)
    out.withUnsafeMutableBytes { hash.finalize(into: $0) }
    return hexString(out)
}

@Suite struct SHA2Tests {
    @Test func sha256Vectors() {
        #expect(sha256([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(sha256(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(sha256(Array(message448.utf8)) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(sha256(Array(message896.utf8)) == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
        #expect(sha256([UInt8](repeating: 0x61, count: 1_000_000))
            == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func sha512Vectors() {
        let make = { SHA512() }
        #expect(sha512Family(make, []) == "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e")
        #expect(sha512Family(make, Array("abc".utf8)) == "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f")
        #expect(sha512Family(make, Array(message896.utf8)) == "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909")
        #expect(sha512Family(make, [UInt8](repeating: 0x61, count: 1_000_000))
            == "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b")
    }

    @Test func sha384Vectors() {
        let make = { SHA512.sha384() }
        #expect(sha512Family(make, []) == "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b")
        #expect(sha512Family(make, Array("abc".utf8)) == "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7")
        #expect(sha512Family(make, Array(message896.utf8)) == "09330c33f71147e83d192fc782cd1b4753111b173b3b05d22fa08086e3b0f712fcc7c71a557e2db966c3e9fa91746039")
        #expect(sha512Family(make, [UInt8](repeating: 0x61, count: 1_000_000))
            == "9d0e1809716474cb086e834e310a4a1ced149e9c00f248527972cec5704c2a5b07b8b3dc38ecc4ebae97ddd87f3d8985")
    }

    /// Feeding a message in pieces of every size from 1 to 130 bytes must give the digest of
    /// the whole: this exercises every buffering path of `update`.
    @Test func incrementalUpdatesMatchOneShot() {
        let message = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        let whole256 = sha256(message)
        let whole512 = sha512Family({ SHA512() }, message)
        for chunk in 1...130 {
            var h256 = SHA256()
            var h512 = SHA512()
            var offset = 0
            message.withUnsafeBytes { all in
                while offset < message.count {
                    let end = min(offset + chunk, message.count)
                    let piece = UnsafeRawBufferPointer(rebasing: all[offset..<end])
                    h256.update(piece)
                    h512.update(piece)
                    offset = end
                }
            }
            var out256 = [UInt8](repeating: 0, count: 32)
            var out512 = [UInt8](repeating: 0, count: 64)
            out256.withUnsafeMutableBytes { h256.finalize(into: $0) }
            out512.withUnsafeMutableBytes { h512.finalize(into: $0) }
            #expect(hexString(out256) == whole256, "SHA-256 chunk size \(chunk)")
            #expect(hexString(out512) == whole512, "SHA-512 chunk size \(chunk)")
        }
    }
}

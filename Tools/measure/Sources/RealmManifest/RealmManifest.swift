// A realm manifest: what a realm owner knows about how the host will build the realm, in the
// order the host performs the measured RMI operations. From it, `expectedRIM` computes the Realm
// Initial Measurement with the TMM's own measurement code (Firmware/Core/Measurement), so the
// value a realm's attestation token reports can be predicted offline (DEN0137 1.0-rel0,
// "Realm Initial Measurement").
//
// JSON form (numbers may be JSON integers or "0x..." strings):
// {
//   "hash_algorithm": "sha-256" | "sha-512",
//   "realm": { "flags": 0, "s2sz": 40, "sve_vl": 0, "num_bps": 6, "num_wps": 4, "pmu_num_ctrs": 0 },
//   "steps": [
//     { "init_ripas": { "base": "0x0", "top": "0x200000", "level": 3 } },
//     { "data": { "ipa": "0x0", "file": "realm.bin", "measure_content": true } },
//     { "rec": { "runnable": true, "pc": "0x0", "gprs": ["0x0"] } }
//   ]
// }
// `level` is the RTT level of the entries INIT_RIPAS walks (each entry is measured with its
// own range). A data step covers the file's pages from `ipa` on, the last page zero-padded,
// in address order. A REC that is not runnable is not measured.

import Foundation
import TMMCore

public enum ManifestError: Error, Equatable, CustomStringConvertible {
    case malformed(String)
    case unreadableFile(String)

    public var description: String {
        switch self {
        case .malformed(let why): "malformed manifest: \(why)"
        case .unreadableFile(let path): "cannot read data file \(path)"
        }
    }
}

public struct RealmManifest {
    public enum Step: Equatable {
        case initRIPAS(base: UInt64, top: UInt64, level: Int)
        case data(ipa: UInt64, pages: [[UInt8]], measureContent: Bool)
        case rec(runnable: Bool, pc: UInt64, gprs: [UInt64])
    }

    public var algorithm: MeasurementAlgorithm
    public var parameters: MeasuredRealmParameters
    public var steps: [Step]

    public init(algorithm: MeasurementAlgorithm, parameters: MeasuredRealmParameters, steps: [Step]) {
        self.algorithm = algorithm
        self.parameters = parameters
        self.steps = steps
    }

    /// Parses the JSON form; data files are read relative to `directory`.
    public init(json: Data, directory: URL) throws(ManifestError) {
        guard let root = (try? JSONSerialization.jsonObject(with: json)) as? [String: Any] else {
            throw .malformed("not a JSON object")
        }
        switch root["hash_algorithm"] as? String {
        case "sha-256": algorithm = .sha256
        case "sha-512": algorithm = .sha512
        default: throw .malformed("hash_algorithm must be \"sha-256\" or \"sha-512\"")
        }
        guard let realm = root["realm"] as? [String: Any] else { throw .malformed("missing \"realm\"") }
        parameters = MeasuredRealmParameters(
            flags: try Self.number(realm, "flags", default: 0),
            s2sz: try Self.number(realm, "s2sz"),
            sveVL: try Self.number(realm, "sve_vl", default: 0),
            numBPs: try Self.number(realm, "num_bps"),
            numWPs: try Self.number(realm, "num_wps"),
            pmuNumCounters: try Self.number(realm, "pmu_num_ctrs", default: 0),
            hashAlgorithm: algorithm.rawValue)
        // REALM_CREATE refuses 0, a reserved value; the upper bounds are the platform's FEATURES.
        guard parameters.numBPs > 0, parameters.numWPs > 0 else {
            throw .malformed("num_bps and num_wps must be at least 1")
        }
        guard let rawSteps = root["steps"] as? [[String: Any]] else { throw .malformed("missing \"steps\" array") }
        var steps: [Step] = []
        for (index, raw) in rawSteps.enumerated() {
            guard raw.count == 1, let (kind, body) = raw.first, let fields = body as? [String: Any] else {
                throw .malformed("step \(index) must be an object with one key")
            }
            switch kind {
            case "init_ripas":
                let base = try Self.number(fields, "base"), top = try Self.number(fields, "top")
                let level = try Self.number(fields, "level")
                guard top > base, base & 0xFFF == 0, top & 0xFFF == 0, (1...3).contains(level) else {
                    throw .malformed("step \(index): init_ripas needs page-aligned base < top and level 1...3")
                }
                steps.append(.initRIPAS(base: base, top: top, level: Int(level)))
            case "data":
                let ipa = try Self.number(fields, "ipa")
                guard ipa & 0xFFF == 0 else { throw .malformed("step \(index): data ipa must be page aligned") }
                guard let path = fields["file"] as? String else { throw .malformed("step \(index): data needs \"file\"") }
                let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : directory.appendingPathComponent(path)
                guard let contents = try? Data(contentsOf: url) else { throw .unreadableFile(url.path) }
                let measure = fields["measure_content"] as? Bool ?? true
                steps.append(.data(ipa: ipa, pages: Self.pages(of: [UInt8](contents)), measureContent: measure))
            case "rec":
                let pc = try Self.number(fields, "pc")
                let runnable = fields["runnable"] as? Bool ?? true
                var gprs: [UInt64] = []
                for value in fields["gprs"] as? [Any] ?? [] { gprs.append(try Self.parse(value, "gprs")) }
                guard gprs.count <= 8 else { throw .malformed("step \(index): at most 8 gprs (x0-x7)") }
                steps.append(.rec(runnable: runnable, pc: pc, gprs: gprs))
            default:
                throw .malformed("step \(index): unknown step \"\(kind)\"")
            }
        }
        self.steps = steps
    }

    /// The RIM after every step, as the TMM computes it.
    public func expectedRIM() -> [UInt8] {
        var rim = RealmInitialMeasurement(algorithm: algorithm, parameters: parameters)
        for step in steps {
            switch step {
            case .initRIPAS(let base, let top, let level):
                // One extension per RTT entry of `level` in [base, top).
                let size: UInt64 = 1 << (12 + 9 * UInt64(3 - level))
                var address = base
                while address < top {
                    let next = min(address + size, top)
                    rim.extendRIPAS(base: address, top: next)
                    address = next
                }
            case .data(let ipa, let pages, let measureContent):
                for (i, page) in pages.enumerated() {
                    page.withUnsafeBytes {
                        rim.extendData(ipa: ipa + UInt64(i) * 0x1000, flags: measureContent ? 1 : 0, content: $0)
                    }
                }
            case .rec(let runnable, let pc, let gprs):
                guard runnable else { continue }
                var registers = InlineArray<8, UInt64>(repeating: 0)
                for (i, value) in gprs.enumerated() { registers[i] = value }
                rim.extendREC(MeasuredRECParameters(flags: 1, pc: pc, gprs: registers))
            }
        }
        var bytes = [UInt8]()
        for i in 0..<algorithm.digestSize { bytes.append(rim.value.bytes[i]) }
        return bytes
    }

    static func pages(of contents: [UInt8]) -> [[UInt8]] {
        var pages: [[UInt8]] = []
        var offset = 0
        repeat {
            var page = [UInt8](repeating: 0, count: 0x1000)
            let count = min(0x1000, contents.count - offset)
            if count > 0 { page.replaceSubrange(0..<count, with: contents[offset..<offset + count]) }
            pages.append(page)
            offset += 0x1000
        } while offset < contents.count
        return pages
    }

    private static func number(_ object: [String: Any], _ key: String, default value: UInt64? = nil) throws(ManifestError) -> UInt64 {
        guard let raw = object[key] else {
            if let value { return value }
            throw .malformed("missing \"\(key)\"")
        }
        return try parse(raw, key)
    }

    private static func parse(_ raw: Any, _ key: String) throws(ManifestError) -> UInt64 {
        if let text = raw as? String {
            let digits = text.hasPrefix("0x") ? String(text.dropFirst(2)) : text
            guard let value = UInt64(digits, radix: text.hasPrefix("0x") ? 16 : 10) else {
                throw .malformed("\"\(key)\": \(text) is not a number")
            }
            return value
        }
        if let number = raw as? Int, number >= 0 {
            return UInt64(number)
        }
        throw .malformed("\"\(key)\" must be a non-negative number")
    }
}

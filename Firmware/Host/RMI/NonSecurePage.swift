import HostStorage

/// One of the host's normal-world pages that it hands to the TMM (parameters, data sources,
/// RecRun). Fields are written at the byte offsets the RMI specification gives.
struct NonSecurePage {
    let address: UInt64

    init(index: UInt64) {
        address = UInt64(UInt(bitPattern: host_ns_page(index)))
    }

    private var bytes: UnsafeMutableRawPointer { UnsafeMutableRawPointer(bitPattern: UInt(address))! }

    func clear() { bytes.initializeMemory(as: UInt8.self, repeating: 0, count: 4096) }

    func store64(_ value: UInt64, at offset: Int) { bytes.storeBytes(of: value, toByteOffset: offset, as: UInt64.self) }
    func store8(_ value: UInt8, at offset: Int) { bytes.storeBytes(of: value, toByteOffset: offset, as: UInt8.self) }
    func load64(at offset: Int) -> UInt64 { bytes.load(fromByteOffset: offset, as: UInt64.self) }

    /// Fills the page with a pattern derived from `seed`, so each data page differs.
    func fillPattern(seed: UInt64) {
        var x = seed
        for offset in stride(from: 0, to: 4096, by: 8) {
            x = x &* 6364136223846793005 &+ 1442695040888963407
            store64(x, at: offset)
        }
    }
}

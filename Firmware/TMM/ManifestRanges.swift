import TMMBoot

/// The pool or normal-world ranges of a boot manifest, validated: at most TMM_MAX_RANGES,
/// each granule aligned and not wrapping around the address space.
struct ManifestRanges {
    private var ranges = InlineArray<4, (base: UInt64, size: UInt64)>(repeating: (0, 0))
    private(set) var count = 0

    init(_ manifest: tmm_boot_manifest, pools: Bool) {
        let declared = Int(pools ? manifest.pool_count : manifest.ns_count)
        var source = pools ? manifest.pool : manifest.ns_memory
        withUnsafeBytes(of: &source) { raw in
            let entries = raw.bindMemory(to: tmm_memory_range.self)
            for i in 0..<min(declared, min(entries.count, ranges.count)) {
                let range = entries[i]
                let (end, overflow) = range.base.addingReportingOverflow(range.size)
                guard !overflow, range.size > 0, range.base & 0xFFF == 0, end & 0xFFF == 0 else { continue }
                ranges[count] = (range.base, range.size)
                count += 1
            }
        }
    }

    subscript(index: Int) -> (base: UInt64, size: UInt64) { ranges[index] }
}

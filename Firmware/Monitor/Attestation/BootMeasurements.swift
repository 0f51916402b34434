import AArch64
import AttestationStorage
import MonitorStorage

// Boot measurements: SHA-256 of the firmware images as they lie in secure flash, taken by the
// monitor at cold boot before the TMM runs. They become the software components of the
// platform token, and the monitor prints each digest on the secure console.
//
//   monitor  its code and read-only data (which embeds the normal world's device tree) and
//            the initial image of its .data, all as stored in flash. Not the device secret,
//            which lies in a page of its own outside these ranges.
//   TMM      S-EL2 image: the TMM load image the monitor copies into TMM RAM, measured in
//            flash, which is read-only at run time, so it is the image the copy produces.
//            EL3 image: the TMM is compiled into the monitor (one Swift module, one text
//            section), so the monitor's measurement covers it; the token then has a single
//            component naming both, and what the image lacks (IsolationModel.componentName).

struct ImageMeasurement {
    var name: StaticString
    var digest = InlineArray<32, UInt8>(repeating: 0)

    init(name: StaticString) { self.name = name }
}

enum BootMeasurements {
    /// The measurements of this image variant, in the order the token lists them.
    static func take() -> (count: Int, InlineArray<2, ImageMeasurement>) {
        var results = InlineArray<2, ImageMeasurement>(repeating: ImageMeasurement(name: ""))
        let model = ImageIsolation.model
        results[0] = measureMonitor(name: model.componentName(0))
        #if !TMM_AT_EL3
        results[1] = measure(name: model.componentName(1),
                             ranges: (tmm_load_start(), tmm_image_end() - tmm_image_start()), (0, 0))
        #endif
        return (model.componentCount, results)
    }

    private static func measureMonitor(name: StaticString) -> ImageMeasurement {
        measure(name: name,
                ranges: (monitor_text_start(), monitor_rodata_end() - monitor_text_start()),
                (monitor_data_load_start(), monitor_data_end() - monitor_data_start()))
    }

    /// SHA-256 over two ranges of flash, one after the other.
    private static func measure(name: StaticString, ranges first: (base: UInt64, size: UInt64),
                                _ second: (base: UInt64, size: UInt64)) -> ImageMeasurement
    {
        var hash = SHA256()
        update(&hash, first)
        update(&hash, second)
        var measurement = ImageMeasurement(name: name)
        withUnsafeMutableBytes(of: &measurement.digest) { hash.finalize(into: $0) }
        return measurement
    }

    /// Feeds a range to `hash`. Swift has no pointer to address 0, where the flash and the
    /// monitor's image begin (UnsafeRawPointer(bitPattern: 0) is nil), so the first 64 bytes
    /// of such a range are read with single loads into a buffer first.
    private static func update(_ hash: inout SHA256, _ range: (base: UInt64, size: UInt64)) {
        var base = range.base, size = range.size
        if base == 0 && size > 0 {
            var head = InlineArray<8, UInt64>(repeating: 0)
            for i in 0..<8 { head[i] = probe_read64(UInt64(8 * i)) }
            let count = Int(min(size, 64))
            withUnsafeBytes(of: head) { hash.update(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            base += UInt64(count)
            size -= UInt64(count)
        }
        guard size > 0, let start = UnsafeRawPointer(bitPattern: UInt(base)) else { return }
        hash.update(UnsafeRawBufferPointer(start: start, count: Int(size)))
    }
}

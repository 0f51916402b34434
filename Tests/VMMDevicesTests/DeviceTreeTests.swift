// The FDT writer and the guest device tree, read back by a decoder written here from the
// Devicetree Specification v0.4 chapter 5 alone, and by dtc when it is installed.

import Foundation
import Testing
import VMMDevices

/// A decoded node: properties by name, children by name (with unit address).
final class FDTNode {
    let name: String
    var properties: [String: [UInt8]] = [:]
    var propertyOrder: [String] = []
    var children: [FDTNode] = []
    init(name: String) { self.name = name }

    func child(_ name: String) -> FDTNode? { children.first { $0.name == name } }
    func node(_ path: String) -> FDTNode? {
        var node: FDTNode? = self
        for part in path.split(separator: "/") { node = node?.child(String(part)) }
        return node
    }
    func cells(_ property: String) -> [UInt32]? {
        guard let bytes = properties[property], bytes.count % 4 == 0 else { return nil }
        return stride(from: 0, to: bytes.count, by: 4).map { i in
            bytes[i..<i + 4].reduce(0) { $0 << 8 | UInt32($1) }
        }
    }
    func pairs64(_ property: String) -> [UInt64]? {
        guard let c = cells(property), c.count % 2 == 0 else { return nil }
        return stride(from: 0, to: c.count, by: 2).map { UInt64(c[$0]) << 32 | UInt64(c[$0 + 1]) }
    }
    /// A string-list property.
    func strings(_ property: String) -> [String]? {
        guard let bytes = properties[property], bytes.last == 0 else { return nil }
        return bytes.dropLast().split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    }
}

struct DecodedFDT {
    var root: FDTNode
    var version: UInt32
    var lastCompatibleVersion: UInt32
    var bootCPU: UInt32
    var reservations: [(UInt64, UInt64)]
}

enum FDTDecodeError: Error { case bad(String) }

func decodeFDT(_ blob: [UInt8]) throws -> DecodedFDT {
    func be32(_ at: Int) throws -> UInt32 {
        guard at >= 0, at + 4 <= blob.count else { throw FDTDecodeError.bad("read past end at \(at)") }
        return blob[at..<at + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }
    func be64(_ at: Int) throws -> UInt64 { UInt64(try be32(at)) << 32 | UInt64(try be32(at + 4)) }
    func cString(_ at: Int, limit: Int) throws -> String {
        var end = at
        while end < limit && blob[end] != 0 { end += 1 }
        guard end < limit else { throw FDTDecodeError.bad("unterminated string at \(at)") }
        return String(decoding: blob[at..<end], as: UTF8.self)
    }
    guard try be32(0) == 0xD00D_FEED else { throw FDTDecodeError.bad("magic") }
    let total = Int(try be32(4)), structOff = Int(try be32(8)), stringsOff = Int(try be32(12))
    let rsvOff = Int(try be32(16)), version = try be32(20), lastComp = try be32(24), boot = try be32(28)
    let stringsSize = Int(try be32(32)), structSize = Int(try be32(36))
    guard total == blob.count else { throw FDTDecodeError.bad("totalsize \(total) vs \(blob.count)") }
    guard rsvOff % 8 == 0, structOff % 4 == 0 else { throw FDTDecodeError.bad("block alignment") }
    guard structOff + structSize <= stringsOff || stringsOff + stringsSize <= structOff,
          structOff + structSize <= total, stringsOff + stringsSize <= total else { throw FDTDecodeError.bad("block bounds") }
    var reservations: [(UInt64, UInt64)] = []
    var at = rsvOff
    while true {
        let address = try be64(at), size = try be64(at + 8)
        at += 16
        if address == 0 && size == 0 { break }
        reservations.append((address, size))
    }
    guard at <= structOff else { throw FDTDecodeError.bad("reservations overlap the structure block") }
    var stack: [FDTNode] = []
    var root: FDTNode? = nil
    var p = structOff
    let end = structOff + structSize
    loop: while p < end {
        let token = try be32(p)
        p += 4
        switch token {
        case 1:
            let name = try cString(p, limit: end)
            p = (p + name.utf8.count + 1 + 3) & ~3
            let node = FDTNode(name: name)
            if let parent = stack.last { parent.children.append(node) } else {
                guard root == nil, name.isEmpty else { throw FDTDecodeError.bad("second root or named root") }
                root = node
            }
            stack.append(node)
        case 2:
            guard stack.popLast() != nil else { throw FDTDecodeError.bad("END_NODE without node") }
        case 3:
            let length = Int(try be32(p)), nameOff = Int(try be32(p + 4))
            guard nameOff < stringsSize else { throw FDTDecodeError.bad("name offset") }
            let name = try cString(stringsOff + nameOff, limit: stringsOff + stringsSize)
            guard p + 8 + length <= end, let node = stack.last else { throw FDTDecodeError.bad("property bounds") }
            guard node.properties[name] == nil else { throw FDTDecodeError.bad("duplicate property \(name)") }
            node.properties[name] = Array(blob[p + 8..<p + 8 + length])
            node.propertyOrder.append(name)
            p = (p + 8 + length + 3) & ~3
        case 4: continue
        case 9:
            guard stack.isEmpty, p == end else { throw FDTDecodeError.bad("END inside a node or before the block's end") }
            break loop
        default: throw FDTDecodeError.bad("token \(token)")
        }
    }
    guard let root, stack.isEmpty else { throw FDTDecodeError.bad("no complete root") }
    return DecodedFDT(root: root, version: version, lastCompatibleVersion: lastComp, bootCPU: boot, reservations: reservations)
}

let testCommandLine = Array("console=ttyAMA0 earlycon=pl011,0x8009000000".utf8)

func generate(_ vm: VMDescription, commandLine: [UInt8] = testCommandLine, capacity: Int = 8192) throws -> [UInt8] {
    var buffer = [UInt8](repeating: 0xEE, count: capacity)
    let size = try buffer.withUnsafeMutableBytes { raw in
        try commandLine.withUnsafeBytes { line in try GuestDeviceTree.write(vm, bootArguments: line, into: raw) }
    }
    return Array(buffer[0..<size])
}

func testVM(initrd: Bool = true) -> VMDescription {
    var vm = VMDescription.realm(ramSize: 0x2000_0000, vcpuCount: 3, ipaWidth: 40)
    if initrd {
        vm.initrdStart = 0x8400_0000
        vm.initrdEnd = 0x8480_1234
    }
    return vm
}

@Suite struct DeviceTreeWriterTests {
    @Test func headerBlocksAndStringDeduplication() throws {
        var buffer = [UInt8](repeating: 0, count: 1024)
        let size = try buffer.withUnsafeMutableBytes { raw throws(DeviceTreeError) -> Int in
            var w = DeviceTreeWriter(buffer: raw, stringsCapacity: 128)
            w.addReservation(address: 0x1234_5678_9000, size: 0x2000)
            w.beginNode("")
            w.property("a", u32: 7)
            w.beginNode("n", unitAddress: 0xABC0)
            w.property("a", u64: 0x1_0000_0002)
            w.property("list", string: "x\0yz")
            w.emptyProperty("flag")
            w.endNode()
            w.endNode()
            return try w.finish(bootCPU: 2)
        }
        let fdt = try decodeFDT(Array(buffer[0..<size]))
        #expect(fdt.version == 17 && fdt.lastCompatibleVersion == 16 && fdt.bootCPU == 2)
        #expect(fdt.reservations.count == 1 && fdt.reservations[0] == (0x1234_5678_9000, 0x2000))
        #expect(fdt.root.cells("a") == [7])
        let n = try #require(fdt.root.child("n@abc0"))
        #expect(n.pairs64("a") == [0x1_0000_0002])
        #expect(n.strings("list") == ["x", "yz"])
        #expect(n.properties["flag"] == [])
        // "a" is stored once in the strings block: a, list, flag.
        let stringsSize = buffer[32..<36].reduce(0) { $0 << 8 | Int($1) }
        #expect(stringsSize == 2 + 5 + 5)
    }

    @Test func errors() {
        func run(_ capacity: Int, _ body: (inout DeviceTreeWriter) -> Void) -> DeviceTreeError? {
            var buffer = [UInt8](repeating: 0, count: capacity)
            return buffer.withUnsafeMutableBytes { raw -> DeviceTreeError? in
                var w = DeviceTreeWriter(buffer: raw, stringsCapacity: 64)
                body(&w)
                do throws(DeviceTreeError) { _ = try w.finish(); return nil } catch { return error }
            }
        }
        #expect(run(256) { $0.beginNode("") } == .unbalancedNodes)
        #expect(run(256) { $0.endNode() } == .unbalancedNodes)
        #expect(run(256) { $0.beginNode(""); $0.endNode(); $0.beginNode("") } == .unbalancedNodes)
        #expect(run(256) { $0.beginNode(""); $0.endNode(); $0.addReservation(address: 0, size: 1) } == .misordered)
        #expect(run(256) { $0.beginNode(""); $0.beginProperty("p"); $0.beginProperty("q") } == .misordered)
        #expect(run(256) { $0.property("p", u32: 1) } == .unbalancedNodes)
        #expect(run(256) { _ in } == .unbalancedNodes)
        #expect(run(100) { $0.beginNode(""); $0.endNode() } == .bufferTooSmall)
        #expect(run(256) { w in
            w.beginNode("")
            for _ in 0..<100 { w.property("p", u32: 1) }
            w.endNode()
        } == .bufferTooSmall)
        #expect(run(256) { $0.beginNode(""); $0.property("a-rather-long-property-name-for-64-bytes-of-strings-area-xxxxxxxx", u32: 0); $0.endNode() } == .bufferTooSmall)
        #expect(run(256) { $0.beginNode(""); $0.endNode() } == nil)
    }
}

@Suite struct GuestDeviceTreeTests {
    @Test func realmTree() throws {
        let vm = testVM()
        let fdt = try decodeFDT(try generate(vm))
        let root = fdt.root
        #expect(fdt.reservations.isEmpty)
        #expect(root.cells("#address-cells") == [2] && root.cells("#size-cells") == [2])
        #expect(root.cells("interrupt-parent") == [GuestDeviceTree.gicPhandle])

        let chosen = try #require(root.child("chosen"))
        #expect(chosen.strings("bootargs") == ["console=ttyAMA0 earlycon=pl011,0x8009000000"])
        #expect(chosen.strings("stdout-path") == ["/pl011@9000000"])
        #expect(chosen.pairs64("linux,initrd-start") == [0x8400_0000])
        #expect(chosen.pairs64("linux,initrd-end") == [0x8480_1234])

        let memory = try #require(root.child("memory@80000000"))
        #expect(memory.strings("device_type") == ["memory"])
        #expect(memory.pairs64("reg") == [0x8000_0000, 0x2000_0000])

        let cpus = try #require(root.child("cpus"))
        #expect(cpus.cells("#address-cells") == [1] && cpus.cells("#size-cells") == [0])
        #expect(cpus.children.map(\.name) == ["cpu@0", "cpu@1", "cpu@2"])
        for (i, cpu) in cpus.children.enumerated() {
            #expect(cpu.cells("reg") == [UInt32(i)])
            #expect(cpu.strings("device_type") == ["cpu"])
            #expect(cpu.strings("enable-method") == ["psci"])
        }

        let psci = try #require(root.child("psci"))
        #expect(psci.strings("compatible") == ["arm,psci-1.0", "arm,psci-0.2"])
        #expect(psci.strings("method") == ["smc"])

        // Devices at their protected IPAs (Linux maps the shared alias after IPA_STATE_GET).
        let gic = try #require(root.child("intc@8000000"))
        #expect(gic.strings("compatible") == ["arm,gic-v3"])
        #expect(gic.cells("#interrupt-cells") == [3])
        #expect(gic.properties["interrupt-controller"] == [])
        #expect(gic.pairs64("reg") == [0x0800_0000, 0x1_0000, 0x080A_0000, 3 * 0x2_0000])
        #expect(gic.cells("phandle") == [GuestDeviceTree.gicPhandle])

        let timer = try #require(root.child("timer"))
        #expect(timer.strings("compatible") == ["arm,armv8-timer"])
        #expect(timer.cells("interrupts") == [1, 13, 8, 1, 14, 8, 1, 11, 8, 1, 10, 8])

        let clock = try #require(root.children.first { $0.strings("compatible") == ["fixed-clock"] })
        #expect(clock.cells("clock-frequency") == [24_000_000])
        #expect(clock.cells("#clock-cells") == [0])
        let clockPhandle = try #require(clock.cells("phandle")?.first)

        let uart = try #require(root.child("pl011@9000000"))
        #expect(uart.strings("compatible") == ["arm,pl011", "arm,primecell"])
        #expect(uart.pairs64("reg") == [0x0900_0000, 0x1000])
        #expect(uart.cells("interrupts") == [0, 1, 4])
        #expect(uart.cells("clocks") == [clockPhandle, clockPhandle])
        #expect(uart.strings("clock-names") == ["uartclk", "apb_pclk"])

        // Phandles are unique.
        var phandles: [UInt32] = []
        func collect(_ n: FDTNode) { if let p = n.cells("phandle") { phandles += p }; n.children.forEach(collect) }
        collect(root)
        #expect(Set(phandles).count == phandles.count)
    }

    @Test func bytesAfterTheBlobAreZero() throws {
        var buffer = [UInt8](repeating: 0xEE, count: 8192)
        let size = try buffer.withUnsafeMutableBytes { raw in
            try testCommandLine.withUnsafeBytes { line in try GuestDeviceTree.write(testVM(), bootArguments: line, into: raw) }
        }
        #expect(buffer[size...].allSatisfy { $0 == 0 })
        #expect(size % 4 == 0 || buffer[size - 1] != 0xEE)
    }

    @Test func composedBootArgumentsAndNULs() throws {
        let vm = testVM()
        var args = BootArguments("console=ttyAMA0 earlycon=pl011,")
        args.appendHex(vm.guestAddress(vm.uartBase))
        var buffer = [UInt8](repeating: 0, count: 8192)
        let size = try buffer.withUnsafeMutableBytes { raw in
            try args.withUnsafeBytes { line throws(DeviceTreeError) in try GuestDeviceTree.write(vm, bootArguments: line, into: raw) }
        }
        let chosen = try #require(try decodeFDT(Array(buffer[0..<size])).root.child("chosen"))
        #expect(chosen.strings("bootargs") == ["console=ttyAMA0 earlycon=pl011,0x8009000000"])
        // A NUL ends the command line; an empty one is an empty string.
        let cut = try decodeFDT(try generate(vm, commandLine: Array("quiet\0rest".utf8)))
        #expect(cut.root.child("chosen")?.strings("bootargs") == ["quiet"])
        let empty = try decodeFDT(try generate(vm, commandLine: []))
        #expect(empty.root.child("chosen")?.properties["bootargs"] == [0])
    }

    @Test func noInitrdNoInitrdProperties() throws {
        let fdt = try decodeFDT(try generate(testVM(initrd: false)))
        let chosen = try #require(fdt.root.child("chosen"))
        #expect(chosen.properties["linux,initrd-start"] == nil)
        #expect(chosen.properties["linux,initrd-end"] == nil)
    }

    @Test func nonRealmDevicesAtTheirBases() throws {
        var vm = testVM()
        vm.ipaWidth = 0
        vm.vcpuCount = 1
        let fdt = try decodeFDT(try generate(vm))
        #expect(fdt.root.child("pl011@9000000") != nil)
        #expect(fdt.root.child("intc@8000000")?.pairs64("reg") == [0x0800_0000, 0x1_0000, 0x080A_0000, 0x2_0000])
        #expect(fdt.root.node("cpus")?.children.count == 1)
    }

    @Test func tooSmallABufferIsAnError() {
        var buffer = [UInt8](repeating: 0, count: 600)
        let result = buffer.withUnsafeMutableBytes { raw in
            testCommandLine.withUnsafeBytes { line in
                Result { () throws(DeviceTreeError) in try GuestDeviceTree.write(testVM(), bootArguments: line, into: raw) }
            }
        }
        #expect(throws: DeviceTreeError.bufferTooSmall) { try result.get() }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/dtc")))
    func dtcAcceptsItWithoutWarnings() throws {
        let blob = try generate(testVM())
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vmm-dt-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("guest.dtb")
        try Data(blob).write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/dtc")
        process.arguments = ["-I", "dtb", "-O", "dts", file.path]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let dts = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let warnings = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(warnings == "", "dtc: \(warnings)")
        // Older dtc prints string lists with \0, newer ones as "a", "b".
        #expect(dts.contains("compatible = \"arm,pl011\", \"arm,primecell\";")
                || dts.contains("compatible = \"arm,pl011\\0arm,primecell\";"))
        #expect(dts.contains("interrupt-controller;"))
        #expect(dts.contains("bootargs = \"console=ttyAMA0 earlycon=pl011,0x8009000000\";"))
    }
}

// The ordinary VM that `make bench-linux` compares a realm with must boot from the same device
// tree: the generator's output for VMDescription.normalVM equals the realm's node for node and
// property for property, except the earlycon address the VMM prefixes to the command line.

import Testing
import VMMDevices

@Suite struct NormalVMTreeTests {
    /// What both VMMs do: the same RAM, vCPU count and initrd placement, the earlycon word for
    /// the description, then the user's command line.
    func tree(_ base: VMDescription) throws -> (DecodedFDT, VMDescription) {
        var vm = base
        vm.initrdStart = 0x8280_0000
        vm.initrdEnd = 0x8290_4830
        var arguments = BootArguments()
        arguments.appendEarlyConsole(of: vm)
        arguments.append("console=ttyAMA0 tmm.bench=1")
        let line = arguments.withUnsafeBytes { Array($0) }
        return (try decodeFDT(try generate(vm, commandLine: line)), vm)
    }

    func flatten(_ node: FDTNode, _ path: String, into out: inout [String: [UInt8]]) {
        for (name, value) in node.properties { out[path + ":" + name] = value }
        for child in node.children { flatten(child, path + "/" + child.name, into: &out) }
    }

    @Test func sameTreeButEarlycon() throws {
        let (realm, _) = try tree(.realm(ramSize: 128 << 20, vcpuCount: 1, ipaWidth: 40))
        let (normal, vm) = try tree(.normalVM(ramSize: 128 << 20, vcpuCount: 1))
        #expect(!vm.isRealm && vm.sharedAliasBit == 0)

        var a: [String: [UInt8]] = [:]
        var b: [String: [UInt8]] = [:]
        flatten(realm.root, "", into: &a)
        flatten(normal.root, "", into: &b)
        #expect(Set(a.keys) == Set(b.keys))
        let differing = a.keys.filter { a[$0] != b[$0] }.sorted()
        #expect(differing == ["/chosen:bootargs"])
        #expect(realm.root.node("chosen")?.strings("bootargs") == ["earlycon=pl011,mmio32,0x8009000000 console=ttyAMA0 tmm.bench=1"])
        #expect(normal.root.node("chosen")?.strings("bootargs") == ["earlycon=pl011,mmio32,0x9000000 console=ttyAMA0 tmm.bench=1"])
    }

    @Test func devicesAtTheirPlainAddresses() {
        let vm = VMDescription.normalVM(ramSize: 128 << 20, vcpuCount: 1)
        #expect(vm.region(at: 0x0900_0018)?.region == .uart)
        #expect(vm.region(at: 0x0800_0000)?.region == .distributor)
        #expect(vm.region(at: 0x080A_0000)?.region == .redistributor)
        // The realm's alias is nothing in a normal VM.
        #expect(vm.region(at: 0x80_0900_0018) == nil)
    }
}

// tmm-measure: predicts a realm's Realm Initial Measurement offline and prints it in hex, from
// a realm manifest (see RealmManifest.swift for the format) or, with --linux-kernel, for the
// Linux realm the host VMM builds from those files (LinuxRealmManifest.swift).

import ArgumentParser
import Foundation
import RealmManifest
import TMMCore

@main
struct TMMMeasure: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tmm-measure",
        abstract: "Compute the expected Realm Initial Measurement (RIM) of a realm from its manifest.")

    @Argument(help: "The realm manifest (JSON). Data file paths are relative to its directory.")
    var manifest: String?

    @Option(name: .customLong("linux-kernel"), help: "Predict the Linux realm the host VMM builds from this arm64 Image.")
    var linuxKernel: String?
    @Option(help: "The initramfs given to the VMM (Linux realm).")
    var initrd: String?
    @Option(help: "A device tree given to the VMM instead of the one it generates (Linux realm).")
    var dtb: String?
    @Option(help: "Realm RAM in MiB (Linux realm).")
    var mem: UInt64 = 128
    @Option(help: "vCPUs (Linux realm).")
    var cpus: Int = 1
    @Option(help: "The kernel command line, as given to the VMM (Linux realm).")
    var append: String = ""
    @Option(help: "Realm parameters as the VMM passes them to REALM_CREATE (Linux realm).")
    var s2sz: UInt64 = 40
    @Option(name: .customLong("num-bps"), help: "num_bps: the platform's RMI_FEATURES NUM_BPS (Linux realm).")
    var numBPs: UInt64?
    @Option(name: .customLong("num-wps"), help: "num_wps: the platform's RMI_FEATURES NUM_WPS (Linux realm).")
    var numWPs: UInt64?
    @Option(name: .customLong("dump-dtb"), help: "Also write the device tree the VMM generates to this file (Linux realm).")
    var dumpDTB: String?

    mutating func run() throws {
        do {
            let realm: RealmManifest
            if let linuxKernel {
                realm = try linuxManifest(kernelPath: linuxKernel)
            } else if let manifest {
                let url = URL(fileURLWithPath: manifest)
                guard let json = try? Data(contentsOf: url) else { throw ManifestError.unreadableFile(manifest) }
                realm = try RealmManifest(json: json, directory: url.deletingLastPathComponent())
            } else {
                throw ValidationError("give a realm manifest or --linux-kernel")
            }
            print(realm.expectedRIM().map { String(format: "%02x", $0) }.joined())
        } catch let error as ManifestError {
            FileHandle.standardError.write(Data("tmm-measure: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    private func linuxManifest(kernelPath: String) throws -> RealmManifest {
        guard let numBPs, let numWPs else {
            throw ValidationError("a Linux realm needs --num-bps and --num-wps (the platform's RMI_FEATURES)")
        }
        func read(_ path: String) throws -> [UInt8] {
            guard let data = try? Data(contentsOf: URL(fileURLWithPath: path)) else { throw ManifestError.unreadableFile(path) }
            return [UInt8](data)
        }
        let (mib, overflow) = mem.multipliedReportingOverflow(by: 1 << 20)
        guard !overflow else { throw ValidationError("--mem is too large") }
        let inputs = LinuxRealmInputs(kernel: try read(kernelPath), initrd: try initrd.map(read) ?? [],
                                      deviceTree: try dtb.map(read), memorySize: mib, vcpus: cpus,
                                      commandLine: Array(append.utf8))
        let parameters = MeasuredRealmParameters(flags: 0, s2sz: s2sz, sveVL: 0, numBPs: numBPs, numWPs: numWPs,
                                                 pmuNumCounters: 0, hashAlgorithm: MeasurementAlgorithm.sha256.rawValue)
        let realm = try RealmManifest.linux(inputs, algorithm: .sha256, parameters: parameters)
        if let dumpDTB, case .data(_, let pages, _)? = realm.steps.dropFirst().first {
            // The DTB step's pages; the file ends at the blob's own size (its header's totalsize).
            let bytes = pages.flatMap { $0 }
            let size = bytes.count >= 8 ? Int(bytes[4..<8].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }) : 0
            try Data(bytes.prefix(size)).write(to: URL(fileURLWithPath: dumpDTB))
        }
        return realm
    }
}

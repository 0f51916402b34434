// tmm-measure: predicts a realm's Realm Initial Measurement offline from a realm manifest
// (see RealmManifest.swift for the format) and prints it in hex.

import ArgumentParser
import Foundation
import RealmManifest

@main
struct TMMMeasure: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tmm-measure",
        abstract: "Compute the expected Realm Initial Measurement (RIM) of a realm from its manifest.")

    @Argument(help: "The realm manifest (JSON). Data file paths are relative to its directory.")
    var manifest: String

    mutating func run() throws {
        let url = URL(fileURLWithPath: manifest)
        guard let json = try? Data(contentsOf: url) else {
            FileHandle.standardError.write(Data("tmm-measure: cannot read \(manifest)\n".utf8))
            throw ExitCode(2)
        }
        do {
            let realm = try RealmManifest(json: json, directory: url.deletingLastPathComponent())
            print(realm.expectedRIM().map { String(format: "%02x", $0) }.joined())
        } catch {
            FileHandle.standardError.write(Data("tmm-measure: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

// The claims of a verified token as JSON, byte strings in lowercase hex, keys sorted so the
// output is stable.

import Foundation

extension VerifiedToken {
    public func json() -> String {
        func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
        var components: [[String: Any]] = []
        for component in platform.softwareComponents {
            var entry: [String: Any] = [
                "measurement-value": hex(component.measurementValue),
                "signer-id": hex(component.signerID),
            ]
            if let type = component.measurementType { entry["measurement-type"] = type }
            if let version = component.version { entry["version"] = version }
            if let description = component.measurementDescription { entry["measurement-description"] = description }
            components.append(entry)
        }
        var platformObject: [String: Any] = [
            "profile": platform.profile,
            "challenge": hex(platform.challenge),
            "implementation-id": hex(platform.implementationID),
            "instance-id": hex(platform.instanceID),
            "config": hex(platform.configuration),
            "lifecycle": platform.securityLifecycle,
            "hash-algo-id": platform.hashAlgorithm,
            "sw-components": components,
            "signature-verified": platformSignatureVerified,
        ]
        if let service = platform.verificationService { platformObject["service-indicator"] = service }
        let realmObject: [String: Any] = [
            "profile": realm.profile,
            "challenge": hex(realm.challenge),
            "personalization-value": hex(realm.personalizationValue),
            "hash-algo-id": realm.hashAlgorithm,
            "public-key": hex(realm.publicKey),
            "public-key-hash-algo-id": realm.publicKeyHashAlgorithm,
            "initial-measurement": hex(realm.initialMeasurement),
            "extensible-measurements": realm.extensibleMeasurements.map(hex),
            "signature-verified": true,
        ]
        let object: [String: Any] = ["cca-platform-token": platformObject, "cca-realm-delegated-token": realmObject]
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }
}

// The claims of a verified token as JSON, byte strings in lowercase hex, keys sorted so the
// output is stable.

import Foundation

extension VerifiedToken {
    public func json() -> String {
        var platformObject = platform.jsonObject()
        platformObject["signature-verified"] = platformSignatureVerified
        let realmObject: [String: Any] = [
            "profile": realm.profile,
            "challenge": hexString(realm.challenge),
            "personalization-value": hexString(realm.personalizationValue),
            "hash-algo-id": realm.hashAlgorithm,
            "public-key": hexString(realm.publicKey),
            "public-key-hash-algo-id": realm.publicKeyHashAlgorithm,
            "initial-measurement": hexString(realm.initialMeasurement),
            "extensible-measurements": realm.extensibleMeasurements.map(hexString),
            "signature-verified": true,
        ]
        return serialize([
            "cca-platform-token": platformObject, "cca-realm-delegated-token": realmObject,
            "tmm-isolation-model": isolation.jsonObject(),
        ])
    }
}

extension PlatformClaims {
    /// A platform token verified on its own (`TokenVerifier.verifyPlatformToken`).
    public func json() -> String {
        var object = jsonObject()
        object["signature-verified"] = true
        // verifyPlatformToken has refused claims that contradict each other.
        let isolation = (try? isolation()) ?? .unknown
        return serialize(["cca-platform-token": object, "tmm-isolation-model": isolation.jsonObject()])
    }

    func jsonObject() -> [String: Any] {
        var components: [[String: Any]] = []
        for component in softwareComponents {
            var entry: [String: Any] = [
                "measurement-value": hexString(component.measurementValue),
                "signer-id": hexString(component.signerID),
            ]
            if let type = component.measurementType { entry["measurement-type"] = type }
            if let version = component.version { entry["version"] = version }
            if let description = component.measurementDescription { entry["measurement-description"] = description }
            components.append(entry)
        }
        var object: [String: Any] = [
            "profile": profile,
            "challenge": hexString(challenge),
            "implementation-id": hexString(implementationID),
            "instance-id": hexString(instanceID),
            "config": hexString(configuration),
            "lifecycle": securityLifecycle,
            "hash-algo-id": hashAlgorithm,
            "sw-components": components,
        ]
        if let service = verificationService { object["service-indicator"] = service }
        return object
    }
}

extension PlatformIsolation {
    /// tmm-verify's reading of the claims, not a claim itself: kept outside the token's objects.
    func jsonObject() -> [String: Any] {
        ["model": name, "realms-isolated": realmsIsolated, "summary": summary]
    }
}

private func hexString(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

private func serialize(_ object: [String: Any]) -> String {
    let data = try! JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    return String(decoding: data, as: UTF8.self)
}

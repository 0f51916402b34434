// RSI_ATTESTATION_TOKEN_INIT and _CONTINUE, driving the REC's AttestationTokenSession exactly
// as its header describes, with the token kept in the REC's auxiliary granules
// (RECAuxiliaryStorage.swift) and the RAK and platform token from the platform.

extension TMM {
    /// INIT (x1-x8 = challenge): builds and signs the whole token now; x1 = its size.
    func attestationTokenInit(_ rec: UnsafeMutablePointer<RECState>) {
        var challenge = InlineArray<8, UInt64>(repeating: 0)
        for i in 0..<8 { challenge[i] = rec.pointee.cpu.gprs[1 + i] }
        // The claims as they are now, read under the RD lock and then used from this copy.
        guard let claims = withRealm(of: rec, { (measurements: $0.measurements, rpv: $0.rpv, algorithm: $0.hashAlgorithm) }),
              let storage = attestationStorage(rec.pointee)
        else {
            rec.pointee.attestation = AttestationTokenSession()
            return complete(rec, .errorUnknown)
        }
        var measurements = claims.measurements
        let result = withUnsafeBytes(of: challenge) { challengeBytes in
            withUnsafeBytes(of: claims.rpv) { rpv in
                withUnsafeBytes(of: &measurements) { m in
                    hardware.withAttestationMaterial { key, platformToken in
                        rec.pointee.attestation.start(
                            challenge: challengeBytes, personalizationValue: rpv, hashAlgorithm: claims.algorithm,
                            measurements: m, key: key, platformToken: platformToken, storage: storage)
                    }
                }
            }
        }
        guard let result else {
            // No attestation material on this platform: no token can be made.
            rec.pointee.attestation = AttestationTokenSession()
            return complete(rec, .errorUnknown)
        }
        complete(rec, result.status, result.value)
    }

    /// CONTINUE (x1 = buffer IPA, x2 = offset, x3 = size): the next part of the token.
    func attestationTokenContinue(_ rec: UnsafeMutablePointer<RECState>, _ realm: FixedRealmAttributes,
                                  _ record: inout RECExitRecord) -> Bool {
        let ipa = rec.pointee.cpu.gprs[1]
        let offset = rec.pointee.cpu.gprs[2]
        let size = rec.pointee.cpu.gprs[3]
        guard ipa & (granuleSize - 1) == 0, AttestationTokenSession.isChunkValid(offset: offset, size: size),
              realm.isProtected(ipa)
        else {
            complete(rec, .errorInput)
            return true
        }
        guard rec.pointee.attestation.isActive, let storage = attestationStorage(rec.pointee) else {
            complete(rec, .errorState)
            return true
        }
        let access = withRealmPage(realm, ipa: ipa) { page in
            rec.pointee.attestation.deliver(
                offset: offset, size: size,
                into: UnsafeMutableRawBufferPointer(start: page, count: Int(granuleSize)), from: storage)
        }
        switch access {
        case .done(let result):
            complete(rec, result.status, result.value)
            return true
        case .empty:
            complete(rec, .errorInput)
            return true
        case .unmapped(let level):
            emulateStage2DataAbort(rec, ipa: ipa, level: level, &record)
            return false
        }
    }
}

// Which isolation model this image's build gives its realms: the build defines TMM_AT_EL3 for
// the EL3 image (Makefile). The platform token's claims and the boot banner's threat-model
// line both come from this one value (IsolationModel, Docs/el3-threat-model.md).

enum ImageIsolation {
    #if TMM_AT_EL3
    static let model = IsolationModel.el3WithoutSecureStage2
    #else
    static let model = IsolationModel.secureEL2Stage2
    #endif
}

// swift-tools-version:6.0
// Host build of the platform-independent firmware logic (Firmware/Core), its tests and the
// host tools. The firmware images themselves are cross-built by the Makefile from the same
// sources with Embedded Swift.
import PackageDescription

let crypto: Target.Dependency = .product(name: "Crypto", package: "swift-crypto")

let package = Package(
    name: "TMM",
    products: [
        .library(name: "TMMCore", targets: ["TMMCore"]),
        .library(name: "VMMDevices", targets: ["VMMDevices"]),
        .executable(name: "tmm-verify", targets: ["tmm-verify"]),
        .executable(name: "tmm-bench", targets: ["tmm-bench"]),
        .executable(name: "tmm-measure", targets: ["tmm-measure"]),
    ],
    dependencies: [
        // Host side only: reference implementations for tests, the verifier and the benchmark.
        // Nothing under Firmware/ may import them.
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .target(
            name: "TMMCore",
            path: "Firmware/Core",
            // P-384 in an unoptimised build is about 20 times slower, which makes the hundreds of
            // cross-checked signatures in the tests take minutes; optimise even debug builds.
            // (Overflow checks stay on; -O does not remove them.)
            swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]
        ),
        // The host VMM's device models and guest device tree (also compiled into the bare-metal
        // host image by the Makefile), as a library for their host tests and the tools.
        .target(
            name: "VMMDevices",
            path: "Firmware/Host/VMM/Devices"
        ),
        // Decoding and checking CCA attestation tokens on a host (strict CBOR, COSE_Sign1,
        // claims, binding). Library so that it is unit-tested; `tmm-verify` is a thin shell.
        .target(
            name: "CCAVerify",
            dependencies: ["TMMCore", crypto],
            path: "Tools/verify/Sources/CCAVerify"
        ),
        .executableTarget(
            name: "tmm-verify",
            dependencies: ["CCAVerify", "TMMCore", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Tools/verify/Sources/tmm-verify"
        ),
        // Predicting a realm's RIM offline with the TMM's own measurement code.
        .target(
            name: "RealmManifest",
            dependencies: ["TMMCore", "VMMDevices"],
            path: "Tools/measure/Sources/RealmManifest"
        ),
        .executableTarget(
            name: "tmm-measure",
            dependencies: ["RealmManifest", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Tools/measure/Sources/tmm-measure"
        ),
        .executableTarget(
            name: "tmm-bench",
            dependencies: ["TMMCore", crypto],
            path: "Tools/bench"
        ),
        .testTarget(
            name: "TMMCoreTests",
            // CCAVerify's strict decoder reads back what the firmware encoders write.
            dependencies: ["TMMCore", "CCAVerify", "RealmManifest", "VMMDevices", crypto],
            path: "Tests/TMMCoreTests"
        ),
        .testTarget(
            name: "VMMDevicesTests",
            dependencies: ["VMMDevices"],
            path: "Tests/VMMDevicesTests"
        ),
        .testTarget(
            name: "CCAVerifyTests",
            dependencies: ["CCAVerify", "TMMCore", crypto],
            path: "Tools/verify/Tests/CCAVerifyTests"
        ),
    ],
    swiftLanguageModes: [.v6]
)

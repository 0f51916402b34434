// swift-tools-version:6.0
// Host build of the platform-independent firmware logic (Firmware/Core), its tests and the
// host tools. The firmware images themselves are cross-built by the Makefile from the same
// sources with Embedded Swift.
import PackageDescription

let package = Package(
    name: "TMM",
    products: [
        .library(name: "TMMCore", targets: ["TMMCore"]),
    ],
    targets: [
        .target(
            name: "TMMCore",
            path: "Firmware/Core"
        ),
        .testTarget(
            name: "TMMCoreTests",
            dependencies: ["TMMCore"],
            path: "Tests/TMMCoreTests"
        ),
    ],
    swiftLanguageModes: [.v6]
)

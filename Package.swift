// swift-tools-version:6.0
// SPDX-License-Identifier: Apache-2.0
import PackageDescription

let package = Package(
    name: "ORISBus",
    products: [
        .executable(name: "orisd", targets: ["orisd"]),
        .executable(name: "orisctl", targets: ["orisctl"]),
    ],
    targets: [
        // libzmq's C header and nothing else. Debian ships it in libzmq3-dev.
        .systemLibrary(
            name: "CZMQ",
            pkgConfig: "libzmq",
            providers: [.apt(["libzmq3-dev"])]
        ),
        // What Swift's Glibc module leaves out: the allocator's statistics for STATS, fallocate(2)
        // for the journal's reserved blocks.
        .systemLibrary(name: "CLinux"),
        // Every rule of the bus lives here; the executables are thin faces over it.
        // Release builds leave out the run-time exclusivity checks (about 2,500 instructions a
        // published item, measured with bench/profile.sh); debug builds, which the tests run,
        // keep them, and the compiler's static checks hold in both.
        .target(
            name: "ORISBus",
            dependencies: ["CZMQ", "CLinux"],
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
        ),
        .executableTarget(
            name: "orisd",
            dependencies: ["ORISBus"]
        ),
        .executableTarget(
            name: "orisctl",
            dependencies: ["ORISBus"]
        ),
        // The benchmark driver that bench/run.sh runs; not installed with the daemon.
        .executableTarget(
            name: "oris-bench",
            dependencies: ["ORISBus"]
        ),
        .testTarget(
            name: "ORISBusTests",
            dependencies: ["ORISBus"]
        ),
    ],
    swiftLanguageModes: [.v6]
)

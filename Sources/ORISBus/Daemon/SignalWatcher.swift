// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Turns SIGTERM, SIGINT and SIGHUP into bytes on a pipe that the daemon's loop polls, and
/// ignores SIGPIPE.
///
/// Glibc's module map does not expose `signalfd`, so a helper thread waits in `sigwait` and
/// writes each signal's number to a pipe; no code runs in a signal handler. The signals are
/// blocked in the calling thread by ``init()``, and threads made afterwards inherit the mask, so
/// the watcher must be made before any other thread (before the ZeroMQ context): a signal that
/// arrives early stays pending until the helper takes it, and none is lost.
package final class SignalWatcher: Sendable {
    /// The descriptor to poll: readable when a signal arrived.
    package let fileDescriptor: Int32
    private let writeDescriptor: Int32

    /// The signals watched.
    package static let watched: [Int32] = [SIGTERM, SIGINT, SIGHUP]

    /// Blocks the watched signals and starts the helper thread.
    ///
    /// - Returns: nil when the pipe cannot be made (out of descriptors).
    package init?() {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in SignalWatcher.watched {
            sigaddset(&set, signal)
        }
        let rc = pthread_sigmask(SIG_BLOCK, &set, nil)
        precondition(rc == 0, "pthread_sigmask failed: \(rc)")

        // A closed standard error (a log reader that went away) must not kill the daemon: writes
        // then fail with EPIPE and the line is lost, instead of SIGPIPE ending the process.
        signal(SIGPIPE, SIG_IGN)

        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return nil }
        for end in ends {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        // Only the reading end is non-blocking: the loop drains it; the helper's write may wait.
        _ = fcntl(ends[0], F_SETFL, O_NONBLOCK)
        self.fileDescriptor = ends[0]
        self.writeDescriptor = ends[1]

        let writer = ends[1]
        let mask = set
        let thread = Thread {
            var waitSet = mask
            while true {
                var signal: Int32 = 0
                guard sigwait(&waitSet, &signal) == 0 else { continue }
                var byte = UInt8(truncatingIfNeeded: signal)
                _ = write(writer, &byte, 1)
            }
        }
        thread.name = "orisd-signals"
        thread.start()
    }

    /// Reads the signals that arrived since the last call, without blocking.
    package func drain() -> [Int32] {
        var out = [Int32]()
        var buffer = [UInt8](repeating: 0, count: 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(self.fileDescriptor, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return out }
            out.append(contentsOf: buffer[0..<n].map { Int32($0) })
        }
    }

    /// Whether the signal asks for a reload (SIGHUP) rather than a stop.
    package static func isReload(_ signal: Int32) -> Bool { signal == SIGHUP }

    /// The signal's conventional name.
    package static func name(of signal: Int32) -> String {
        switch signal {
        case SIGTERM: return "SIGTERM"
        case SIGINT: return "SIGINT"
        case SIGHUP: return "SIGHUP"
        default: return "signal \(signal)"
        }
    }
}

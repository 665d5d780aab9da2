// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif

/// A mutex over `pthread_mutex_t` that checks every pthread result.
///
/// Small shared state only; nothing is held across a blocking call.
package final class Lock: @unchecked Sendable {
    // Sound because the mutex is only touched through pthread calls, which are thread-safe.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    package init() {
        let rc = pthread_mutex_init(self.mutex, nil)
        precondition(rc == 0, "pthread_mutex_init failed: \(rc)")
    }

    deinit {
        let rc = pthread_mutex_destroy(self.mutex)
        precondition(rc == 0, "pthread_mutex_destroy failed: \(rc)")
        self.mutex.deallocate()
    }

    /// Runs `body` holding the lock.
    package func withLock<T>(_ body: () throws -> T) rethrows -> T {
        let rc = pthread_mutex_lock(self.mutex)
        precondition(rc == 0, "pthread_mutex_lock failed: \(rc)")
        defer {
            let rc = pthread_mutex_unlock(self.mutex)
            precondition(rc == 0, "pthread_mutex_unlock failed: \(rc)")
        }
        return try body()
    }
}

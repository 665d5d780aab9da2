// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif

/// A file a command replaces at the end of its run, the way ``AtomicFile`` does it: a temporary
/// file `PATH.tmp` written beside it, then renamed over it.
///
/// A command checks it before its run does anything, so that a state file it cannot write is
/// reported before the work whose record it would keep (a feed's entries published, and then
/// no record of them).
package enum ReplaceableFile {
    /// Why `path` could not be replaced, or nil when it can be, as far as trying shows.
    ///
    /// Creates `PATH.tmp` (`open` with `O_CREAT`) and removes it again when it was not there
    /// before, and refuses a folder at `path` (`rename` over a folder fails). A disk that fills
    /// before the end of the run is not foreseen.
    package static func problem(replacing path: String) -> String? {
        var info = stat()
        if stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR {
            return "'\(path)' is a folder"
        }
        let temporary = path + ".tmp"
        let existed = access(temporary, F_OK) == 0
        let fd = open(temporary, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            return "cannot create '\(temporary)': \(String(cString: strerror(errno)))"
        }
        close(fd)
        if !existed {
            unlink(temporary)
        }
        return nil
    }
}

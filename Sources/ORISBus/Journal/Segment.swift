// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif
import CLinux

/// One journal segment file: a header, then records appended at its end, read anywhere.
///
/// ```text
/// segment = "ORISSEG1" nonce *record     ; nonce: 16 random bytes, part of every checksum
/// ```
///
/// Named after the position of its first record (`00000000000000000001.seg`), so that the files
/// sort in journal order. Owned by the journal, on one thread.
final class Segment {
    let path: String
    /// The position of its first record (from the name, corrected by recovery when they differ).
    var firstPosition: UInt64
    /// The random bytes every record's checksum starts with.
    private(set) var nonce: [UInt8] = []
    /// The checksum of the nonce alone, where every record's checksum starts.
    private(set) var nonceChecksum: UInt32 = 0

    static let signature: [UInt8] = Array("ORISSEG1".utf8)
    static let headerBytes = 24
    private(set) var descriptor: Int32
    private(set) var size: Int
    /// The received time of the last record, for retention by age.
    var lastTime: Timestamp?
    /// The position after the last record.
    var endPosition: UInt64
    /// Whether it takes no more records: recovery found damage at its end that it keeps.
    var sealed = false
    /// The file's blocks are allocated up to here (``reserve(upTo:at:)``), 0 before any
    /// reservation.
    private var reservedEnd = 0
    /// How far the next reservation reaches past what it is asked for (``reserve(upTo:at:)``).
    private var reservationAhead = Segment.reservationStep
    /// When the last reservation was made, in milliseconds of the monotonic clock.
    private var lastReservation: Int64?

    static func fileName(firstPosition: UInt64) -> String {
        let digits = String(firstPosition)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits + ".seg"
    }

    /// Opens (creating when asked) a segment file.
    init(directory: String, firstPosition: UInt64, create: Bool) throws(JournalError) {
        self.path = directory + "/" + Segment.fileName(firstPosition: firstPosition)
        self.firstPosition = firstPosition
        self.endPosition = firstPosition
        let flags = O_RDWR | O_CLOEXEC | (create ? O_CREAT | O_EXCL : 0)
        let fd = open(self.path, flags, 0o600)
        guard fd >= 0 else {
            throw .io(call: "open", path: self.path, errno: errno)
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let number = errno
            Glibc.close(fd)
            throw .io(call: "fstat", path: self.path, errno: number)
        }
        self.descriptor = fd
        self.size = Int(info.st_size)
        if create || self.size < Segment.headerBytes {
            // New, or a header torn by a crash before any record: start it afresh.
            var generator = SystemRandomNumberGenerator()
            let nonce = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
            try self.truncate(to: 0)
            try self.append(Segment.signature + nonce)
            self.nonce = nonce
            self.nonceChecksum = CRC32C.checksum(nonce)
        } else {
            let header = try self.read(at: 0, count: Segment.headerBytes)
            guard header.count == Segment.headerBytes, Array(header.prefix(8)) == Segment.signature else {
                Glibc.close(fd)
                self.descriptor = -1
                throw .io(call: "read segment header", path: self.path, errno: EINVAL)
            }
            self.nonce = Array(header.suffix(16))
            self.nonceChecksum = CRC32C.checksum(self.nonce)
            // Blocks past the end, reserved by a run that ended without giving them back (a
            // kill -9 or a crash), are given back now; nothing else would, as this run knows
            // nothing of them (``releaseReservation()``).
            let blockBytes = max(Int(info.st_blksize), 512)
            if Int(info.st_blocks) * 512 > (self.size + blockBytes - 1) / blockBytes * blockBytes {
                _ = ftruncate(fd, off_t(self.size))
            }
        }
    }

    /// The file name's position, when the name is exactly 20 digits and `.seg`.
    static func position(fromName name: String) -> UInt64? {
        let bytes = Array(name.utf8)
        guard bytes.count == 24, name.hasSuffix(".seg"),
              bytes.prefix(20).allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              let value = UInt64(name.prefix(20)), value > 0, value < Segment.maximumPosition
        else { return nil }
        return value
    }

    /// Positions stay below this, so that arithmetic on them can never overflow.
    static let maximumPosition: UInt64 = 1 << 62

    /// Appends bytes at the end; on failure nothing of them remains.
    func append(_ bytes: [UInt8]) throws(JournalError) {
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { buffer in
                pwrite(self.descriptor, buffer.baseAddress! + written, buffer.count - written,
                       off_t(self.size + written))
            }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 {
                let number = n < 0 ? errno : ENOSPC
                // Cut what part of the record went, so that no half record stays behind.
                _ = ftruncate(self.descriptor, off_t(self.size))
                self.reservedEnd = self.size
                if number == ENOSPC || number == EDQUOT {
                    throw .diskFull(path: self.path)
                }
                throw .io(call: "pwrite", path: self.path, errno: number)
            }
            written += n
        }
        self.size += bytes.count
    }

    /// Reads `count` bytes at `offset`; fewer when the file ends first.
    func read(at offset: Int, count: Int) throws(JournalError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = out.withUnsafeMutableBytes { buffer in
                pread(self.descriptor, buffer.baseAddress! + done, count - done, off_t(offset + done))
            }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw .io(call: "pread", path: self.path, errno: errno) }
            if n == 0 { break }
            done += n
        }
        if done < count { out.removeLast(count - done) }
        return out
    }

    /// Allocates the file's blocks up to at least `end`, some way ahead (just what is asked when
    /// the disk has less room), without changing its size: a deferred write
    /// (``Journal/deferWrites()``) then goes into blocks the file already has, and a full disk
    /// is found here, per item, before anything is numbered.
    ///
    /// How far ahead follows the segment's pace: 32 KiB, doubled up to 1 MiB (and a 64th of the
    /// free space) each time the last reservation was used up within a second, back to 32 KiB
    /// otherwise. A busy journal makes one `fallocate` a mebibyte (at 32 KiB it made one every
    /// 80 ingest items, 40 µs each by `perf trace`); a quiet one holds little of a disk that
    /// another tenant fills.
    ///
    /// On a file system without `fallocate` the writes go unreserved, as they do when not
    /// deferred.
    ///
    /// - Parameter now: the monotonic clock in milliseconds (tests give their own).
    /// - Throws: `diskFull` when the disk or the quota has no room for `end`.
    func reserve(upTo end: Int, at now: Int64 = Segment.monotonicMilliseconds()) throws(JournalError) {
        guard end > self.reservedEnd else { return }
        if let last = self.lastReservation, now - last < 1000 {
            self.reservationAhead = min(2 * self.reservationAhead, Segment.largestReservationStep)
        } else {
            self.reservationAhead = Segment.reservationStep
        }
        self.lastReservation = now
        var target = end + self.aheadWithinFreeSpace()
        while fallocate(self.descriptor, ORIS_FALLOC_FL_KEEP_SIZE, off_t(self.size), off_t(target - self.size)) != 0 {
            switch errno {
            case EINTR: continue
            case ENOSPC where target > end, EDQUOT where target > end:
                target = end
                continue
            case ENOSPC, EDQUOT: throw .diskFull(path: self.path)
            case EOPNOTSUPP, ENOSYS: break
            case let number: throw .io(call: "fallocate", path: self.path, errno: number)
            }
            break
        }
        self.reservedEnd = target
    }

    /// ``reservationAhead``, but past the first step no more than a 64th of the file system's
    /// free space: on a small disk that two busy tenants fill, a mebibyte held ahead by one
    /// would refuse the other's items while the disk had room.
    private func aheadWithinFreeSpace() -> Int {
        guard self.reservationAhead > Segment.reservationStep else { return self.reservationAhead }
        var info = statvfs()
        guard fstatvfs(self.descriptor, &info) == 0 else { return self.reservationAhead }
        let free = Int(clamping: UInt64(info.f_bavail) &* UInt64(info.f_frsize))
        return max(Segment.reservationStep, min(self.reservationAhead, free / 64))
    }

    /// How far ahead ``reserve(upTo:at:)`` allocates at first, and for a journal that does not
    /// fill it within a second: about a run of ingest records (64 of about 500 bytes), so that
    /// a quiet tenant holds little of a small disk that another tenant fills (a mebibyte ahead
    /// for every journal made a 2 MiB disk refuse the busy tenant's items while half of it held
    /// no record).
    static let reservationStep = 32 * 1024

    /// The furthest ``reserve(upTo:at:)`` allocates ahead, for a journal that keeps filling
    /// its reservations within a second.
    static let largestReservationStep = 1024 * 1024

    /// The monotonic clock, in milliseconds.
    static func monotonicMilliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }

    /// Gives back the blocks reserved past the file's end (``reserve(upTo:at:)``), when the
    /// segment takes no more writes.
    func releaseReservation() {
        guard self.reservedEnd > self.size else { return }
        _ = ftruncate(self.descriptor, off_t(self.size))
        self.reservedEnd = self.size
    }

    /// Cuts the file at `size` bytes.
    func truncate(to size: Int) throws(JournalError) {
        guard ftruncate(self.descriptor, off_t(size)) == 0 else {
            throw .io(call: "ftruncate", path: self.path, errno: errno)
        }
        self.size = size
    }

    /// Flushes the file's data to the disk (`fdatasync`).
    func sync() throws(JournalError) {
        while fdatasync(self.descriptor) != 0 {
            if errno == EINTR { continue }
            throw .io(call: "fdatasync", path: self.path, errno: errno)
        }
    }

    /// A duplicate descriptor, for a thread that syncs while this one writes.
    func duplicateDescriptor() -> Int32 {
        dup(self.descriptor)
    }

    func close() {
        guard self.descriptor >= 0 else { return }
        Glibc.close(self.descriptor)
        self.descriptor = -1
    }

    deinit {
        self.close()
    }
}

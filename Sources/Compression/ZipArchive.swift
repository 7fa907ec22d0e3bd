/// Reading a zip archive held in memory: the container of PyTorch's `torch.save` files.
///
/// A zip file ends with an "end of central directory" record pointing at the central directory,
/// one entry per file: its name, sizes, compression method and where its local header is. The
/// file's bytes follow that local header (whose own name and extra field are skipped), stored as
/// they are (method 0, as PyTorch writes them) or DEFLATE-compressed (method 8). Zip64 records,
/// which archives over 4 GB use, are read too.
///
/// Every offset and size is checked against the archive before it is used, and an entry is only
/// inflated up to its declared size, so a hostile archive can only be refused.
///
/// ```swift
/// let archive = try ZipArchive(bytes)
/// let pickle = try archive.contents(of: "model/data.pkl")
/// ```
public struct ZipArchive: Sendable {
    /// One file of the archive.
    public struct Entry: Sendable {
        public let name: String
        public let method: Int
        public let compressedSize: Int
        public let size: Int
        let localHeaderOffset: Int
    }

    public let bytes: [UInt8]
    /// The entries in central-directory order.
    public let entries: [Entry]
    /// Where each name's first entry is, so that finding one of many entries is one lookup (a
    /// scan per lookup made an archive of 150,000 entries take minutes).
    private let positions: [String: Int]

    /// The most entries accepted (a state dict of thousands of tensors has thousands).
    public static let maximumEntries = 1_000_000

    public init(_ bytes: [UInt8]) throws {
        self.bytes = bytes
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        func u64(_ at: Int) -> Int? {
            let low = u32(at), high = u32(at + 4)
            guard high < 1 << 30 else { return nil }
            return low | high << 32
        }
        // The end record is the last 22 bytes plus a comment of at most 65,535 bytes.
        guard bytes.count >= 22 else { throw DecompressionError("not a zip archive: only \(bytes.count) bytes") }
        var end = -1
        var position = bytes.count - 22
        let lowest = Swift.max(0, bytes.count - 22 - 65_535)
        while position >= lowest {
            if bytes[position] == 0x50, bytes[position + 1] == 0x4B, bytes[position + 2] == 5, bytes[position + 3] == 6
            {
                end = position
                break
            }
            position -= 1
        }
        guard end >= 0 else { throw DecompressionError("not a zip archive: no end of central directory") }
        var count = u16(end + 10)
        var directorySize = u32(end + 12)
        var directoryOffset = u32(end + 16)
        // Zip64: the end record's fields are 0xFFFF / 0xFFFFFFFF, and a locator before it points
        // at the zip64 end record holding the real values.
        if count == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF {
            let locator = end - 20
            guard locator >= 0, u32(locator) == 0x0706_4B50, let recordOffset = u64(locator + 8),
                recordOffset >= 0, recordOffset + 56 <= bytes.count, u32(recordOffset) == 0x0606_4B50,
                let realCount = u64(recordOffset + 32), let realSize = u64(recordOffset + 40),
                let realOffset = u64(recordOffset + 48)
            else { throw DecompressionError("zip64 end of central directory is missing or corrupt") }
            (count, directorySize, directoryOffset) = (realCount, realSize, realOffset)
        }
        guard count <= Self.maximumEntries, directoryOffset >= 0, directorySize >= 0,
            directoryOffset + directorySize <= bytes.count
        else { throw DecompressionError("the central directory lies outside the \(bytes.count)-byte archive") }

        var entries: [Entry] = []
        entries.reserveCapacity(Swift.min(count, 65_536))
        position = directoryOffset
        for _ in 0..<count {
            guard position + 46 <= directoryOffset + directorySize, u32(position) == 0x0201_4B50 else {
                throw DecompressionError("central directory entry \(entries.count) is corrupt")
            }
            let method = u16(position + 10)
            var compressedSize = u32(position + 20), size = u32(position + 24)
            let nameLength = u16(position + 28), extraLength = u16(position + 30), commentLength = u16(position + 32)
            var localOffset = u32(position + 42)
            let nameStart = position + 46
            let extraStart = nameStart + nameLength
            let next = extraStart + extraLength + commentLength
            guard next <= directoryOffset + directorySize else {
                throw DecompressionError("central directory entry \(entries.count) runs past the directory")
            }
            // A zip64 extra field (id 1) holds, in order, whichever of the three were 0xFFFFFFFF.
            var extra = extraStart
            while extra + 4 <= extraStart + extraLength {
                let id = u16(extra), length = u16(extra + 2)
                guard extra + 4 + length <= extraStart + extraLength else { break }
                if id == 1 {
                    var field = extra + 4
                    for which in 0..<3 {
                        let needed = [size, compressedSize, localOffset][which] == 0xFFFF_FFFF
                        guard needed else { continue }
                        guard field + 8 <= extra + 4 + length, let value = u64(field) else {
                            throw DecompressionError("a zip64 size of entry \(entries.count) is corrupt")
                        }
                        switch which {
                        case 0: size = value
                        case 1: compressedSize = value
                        default: localOffset = value
                        }
                        field += 8
                    }
                }
                extra += 4 + length
            }
            let name = String(decoding: bytes[nameStart..<nameStart + nameLength], as: UTF8.self)
            entries.append(
                Entry(
                    name: name, method: method, compressedSize: compressedSize, size: size,
                    localHeaderOffset: localOffset))
            position = next
        }
        self.entries = entries
        var positions: [String: Int] = [:]
        for (index, entry) in entries.enumerated() where positions[entry.name] == nil { positions[entry.name] = index }
        self.positions = positions
    }

    /// The entry named `name`, if there is one.
    public func entry(named name: String) -> Entry? {
        positions[name].map { entries[$0] }
    }

    /// The uncompressed bytes of `entry`, at most `maximumSize` of them.
    public func contents(of entry: Entry, maximumSize: Int = Int.max) throws -> [UInt8] {
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        let header = entry.localHeaderOffset
        guard header >= 0, header + 30 <= bytes.count,
            bytes[header] == 0x50, bytes[header + 1] == 0x4B, bytes[header + 2] == 3, bytes[header + 3] == 4
        else { throw DecompressionError("the local header of '\(entry.name)' is missing or corrupt") }
        let start = header + 30 + u16(header + 26) + u16(header + 28)
        guard entry.compressedSize >= 0, start <= bytes.count, entry.compressedSize <= bytes.count - start else {
            throw DecompressionError("the data of '\(entry.name)' runs past the end of the archive (truncated)")
        }
        guard entry.size <= maximumSize else {
            throw DecompressionError("'\(entry.name)' is \(entry.size) bytes, more than the \(maximumSize) allowed")
        }
        let data = bytes[start..<start + entry.compressedSize]
        switch entry.method {
        case 0:
            guard entry.size == entry.compressedSize else {
                throw DecompressionError("stored entry '\(entry.name)' has two different sizes")
            }
            return Array(data)
        case 8:
            let inflated = try Inflate.decompress(Array(data), maximumOutputSize: entry.size)
            guard inflated.count == entry.size else {
                throw DecompressionError("'\(entry.name)' inflates to \(inflated.count) bytes, not \(entry.size)")
            }
            return inflated
        default:
            throw DecompressionError(
                "'\(entry.name)' uses zip compression method \(entry.method); only 0 and 8 are read")
        }
    }

    /// The uncompressed bytes of the entry named `name`.
    public func contents(of name: String, maximumSize: Int = Int.max) throws -> [UInt8] {
        guard let entry = entry(named: name) else { throw DecompressionError("the archive has no '\(name)'") }
        return try contents(of: entry, maximumSize: maximumSize)
    }
}

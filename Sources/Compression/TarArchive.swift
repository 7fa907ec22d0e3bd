/// Reads a tar archive, the format CIFAR-10's binary version is published in (as a `.tar.gz`:
/// gunzip it first with `Gzip.decompress`).
///
/// A tar file is a run of 512-byte blocks. Each member is a header block (its name, size in
/// octal, type and a checksum of the header) followed by its content, padded to a whole block;
/// two zero blocks end the archive. POSIX ustar splits long names into a prefix and a name; GNU
/// tar puts a long name in a member of type `L` before the one it names, and pax in an `x` member
/// holding `path=...` records: all three are understood. Nothing is extracted: a reader asks for
/// the contents of the members it wants, so no name in an archive can write outside a folder.
///
/// Every header is checked (its checksum, its size against what is left of the archive) before
/// anything is believed, and a malformed archive throws a `DecompressionError` saying where.
///
/// ```swift
/// let archive = try TarArchive(try Gzip.decompress(downloaded))
/// let batch = archive.contents(of: "cifar-10-batches-bin/test_batch.bin")
/// ```
public struct TarArchive: Sendable {
    public struct Entry: Sendable, Equatable {
        public enum Kind: Sendable, Equatable {
            case file, directory
            /// Links, devices, FIFOs: listed, never read as files.
            case other(UInt8)
        }
        public let name: String
        public let kind: Kind
        public let size: Int
        /// Where the content lies in the archive's bytes.
        public let contentOffset: Int
    }

    /// The archive's bytes.
    public let bytes: [UInt8]
    /// The members, in archive order.
    public let entries: [Entry]

    public init(_ bytes: [UInt8]) throws {
        guard bytes.count >= 512 else {
            throw DecompressionError("tar: \(bytes.count) bytes is shorter than one 512-byte header (not a tar file)")
        }
        self.bytes = bytes
        var entries: [Entry] = []
        var offset = 0
        var pendingName: String?  // from a GNU `L` or a pax `x` member, for the member that follows
        while offset + 512 <= bytes.count {
            let header = bytes[offset..<offset + 512]
            // A zero block ends the archive (tar writes two; some writers stop after one).
            if header.allSatisfy({ $0 == 0 }) { break }
            let stored = try Self.octal(header, 148, 8, field: "checksum", at: offset)
            // The checksum is the sum of the header's bytes, its own field counted as spaces.
            var sum = 0
            for (index, byte) in header.enumerated() { sum += (148..<156).contains(index) ? 0x20 : Int(byte) }
            guard sum == stored else {
                throw DecompressionError(
                    "tar: the header at byte \(offset) has checksum \(stored), its bytes sum to \(sum) (not a tar file, or damaged)"
                )
            }
            let size = try Self.octal(header, 124, 12, field: "size", at: offset)
            let contentOffset = offset + 512
            guard size <= bytes.count - contentOffset else {
                throw DecompressionError(
                    "tar: the member at byte \(offset) holds \(size) bytes but only \(bytes.count - contentOffset) follow (truncated)"
                )
            }
            let type = header[header.startIndex + 156]
            let content = bytes[contentOffset..<contentOffset + size]
            switch type {
            case UInt8(ascii: "L"):
                pendingName = Self.string(content)
            case UInt8(ascii: "x"):
                pendingName = Self.paxPath(content) ?? pendingName
            case UInt8(ascii: "g"):
                break  // global pax settings: nothing this reader uses
            default:
                var name = Self.string(header.prefix(100))
                // ustar: a name longer than 100 bytes is split, its start in the prefix field.
                if header[(header.startIndex + 257)..<(header.startIndex + 263)].elementsEqual(Array("ustar\0".utf8)) {
                    let prefix = Self.string(header[(header.startIndex + 345)..<(header.startIndex + 500)])
                    if !prefix.isEmpty { name = prefix + "/" + name }
                }
                if let long = pendingName { name = long }
                pendingName = nil
                let kind: Entry.Kind =
                    switch type {
                    case 0, UInt8(ascii: "0"), UInt8(ascii: "7"): .file
                    case UInt8(ascii: "5"): .directory
                    default: .other(type)
                    }
                entries.append(Entry(name: name, kind: kind, size: size, contentOffset: contentOffset))
            }
            // The content is padded to a whole number of blocks.
            offset = contentOffset + (size + 511) / 512 * 512
        }
        self.entries = entries
    }

    /// The regular file named `name` (as listed, `./` prefixes ignored), or nil.
    public func entry(named name: String) -> Entry? {
        func plain(_ text: String) -> String { text.hasPrefix("./") ? String(text.dropFirst(2)) : text }
        return entries.last { $0.kind == .file && plain($0.name) == plain(name) }
    }

    /// The content of the regular file `name`, or nil when the archive has no such file.
    public func contents(of name: String) -> ArraySlice<UInt8>? {
        entry(named: name).map { bytes[$0.contentOffset..<$0.contentOffset + $0.size] }
    }

    /// A ustar archive of regular files (name, content), as `tar --format=ustar` writes one; names
    /// are at most 100 bytes. Kindling reads archives; this writes the small ones its tests serve
    /// and its fuzzer starts from.
    public static func ustar(_ members: [(name: String, content: [UInt8])]) -> [UInt8] {
        var archive: [UInt8] = []
        for member in members {
            precondition(member.name.utf8.count <= 100, "TarArchive.ustar: the name \(member.name) is over 100 bytes")
            var header = [UInt8](repeating: 0, count: 512)
            func put(_ text: String, at offset: Int) {
                for (index, byte) in text.utf8.enumerated() { header[offset + index] = byte }
            }
            func octal(_ value: Int, digits: Int) -> String {
                let text = String(value, radix: 8)
                return String(repeating: "0", count: Swift.max(0, digits - text.count)) + text
            }
            put(member.name, at: 0)
            put(octal(0o644, digits: 7), at: 100)  // mode
            put(octal(0, digits: 7), at: 108)  // owner
            put(octal(0, digits: 7), at: 116)  // group
            put(octal(member.content.count, digits: 11), at: 124)
            put(octal(0, digits: 11), at: 136)  // modification time
            put("0", at: 156)  // a regular file
            put("ustar\u{0}00", at: 257)
            // The checksum is summed with its own field as eight spaces, then written in it.
            put("        ", at: 148)
            put(octal(header.reduce(0) { $0 + Int($1) }, digits: 6) + "\u{0} ", at: 148)
            archive += header + member.content
            archive += [UInt8](repeating: 0, count: (512 - member.content.count % 512) % 512)
        }
        return archive + [UInt8](repeating: 0, count: 1024)
    }

    /// A numeric header field: octal digits, padded with spaces or NULs.
    private static func octal(_ header: ArraySlice<UInt8>, _ start: Int, _ length: Int, field: String, at offset: Int)
        throws -> Int
    {
        let digits = header[(header.startIndex + start)..<(header.startIndex + start + length)]
        var value = 0
        var seenDigit = false
        for byte in digits {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                // 11 octal digits (8 GB) is tar's limit; more is refused before anything overflows.
                guard value < 1 << 36 else {
                    throw DecompressionError("tar: the \(field) field of the header at byte \(offset) is too large")
                }
                value = value * 8 + Int(byte - UInt8(ascii: "0"))
                seenDigit = true
            case UInt8(ascii: " "), 0:
                if seenDigit { return value }
            default:
                throw DecompressionError(
                    "tar: the \(field) field of the header at byte \(offset) is not octal (not a tar file, or a size over 8 GB)"
                )
            }
        }
        guard seenDigit else {
            throw DecompressionError(
                "tar: the \(field) field of the header at byte \(offset) is empty (not a tar file)")
        }
        return value
    }

    /// Text up to the first NUL.
    private static func string(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// The `path` of a pax extended header: records `LENGTH key=value\n`.
    private static func paxPath(_ content: ArraySlice<UInt8>) -> String? {
        var path: String?
        for record in String(decoding: content, as: UTF8.self).split(separator: "\n") {
            guard let space = record.firstIndex(of: " ") else { continue }
            let pair = record[record.index(after: space)...]
            if pair.hasPrefix("path=") { path = String(pair.dropFirst(5)) }
        }
        return path
    }
}

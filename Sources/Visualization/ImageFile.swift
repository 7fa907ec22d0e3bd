import Compression
import Files
import Foundation
import Parallel

/// A picture read from a file, as grey levels: what `mnist predict --image` classifies.
///
/// Reads PNG (8 bits per channel; grey, grey + alpha, RGB or RGBA; not interlaced; every row
/// filter) and the Netpbm formats PGM and PPM (P2, P3, P5, P6, up to 8 bits). Colour is turned to
/// grey by luminance (0.299 R + 0.587 G + 0.114 B); transparent pixels are laid over white paper.
/// Anything else (interlaced or 16-bit PNG, a palette, a bad CRC, a truncated file) is refused
/// with an `ImageFileError` naming the file and the reason.
///
/// ```swift
/// let picture = try ImageFile(contentsOf: "my-digit.png")
/// picture.width, picture.height, picture.grey      // grey in 0...1, 0 = black
/// ```
public struct ImageFile: Sendable {
    public let width: Int
    public let height: Int
    /// Row-major grey levels, 0 = black, 1 = white.
    public let grey: [Float]

    /// The largest width or height accepted, so that a hostile header cannot ask for gigabytes.
    public static let maximumSide = 16_384
    /// The most pixels accepted: 16 megapixels (4096 x 4096), far more than a digit needs, and
    /// within a few hundred megabytes at every step of decoding and preparation.
    public static let maximumPixels = 1 << 24
    /// The largest file read: 64 MiB (a 16-megapixel RGBA image stored uncompressed fits).
    public static let maximumFileSize = 64 << 20

    public init(width: Int, height: Int, grey: [Float]) {
        self.width = width
        self.height = height
        self.grey = grey
    }

    public init(contentsOf path: String) throws {
        try self.init(
            bytes: FileReading.bytes(of: path, maximumSize: Self.maximumFileSize, what: "an image to classify"),
            path: path)
    }

    public init(bytes: [UInt8], path: String) throws {
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            self = try Self.decodePNG(bytes, path: path)
        } else if bytes.count >= 2 && bytes[0] == UInt8(ascii: "P")
            && (UInt8(ascii: "2")...UInt8(ascii: "6")).contains(bytes[1]) && bytes[1] != UInt8(ascii: "4")
        {
            self = try Self.decodeNetpbm(bytes, path: path)
        } else {
            throw ImageFileError(path: path, reason: "not a PNG, PGM or PPM file")
        }
    }

    /// Refuses sizes outside 1...`maximumSide` per side or above `maximumPixels` in all, before
    /// anything is allocated or inflated for them.
    static func checkSize(_ width: Int, _ height: Int, fail: (String) -> ImageFileError) throws {
        guard width > 0, height > 0, width <= maximumSide, height <= maximumSide else {
            throw fail("size \(width)x\(height) is outside 1...\(maximumSide) pixels per side")
        }
        guard width * height <= maximumPixels else {
            throw fail("size \(width)x\(height) is more than \(maximumPixels / 1_000_000) megapixels; scale it down")
        }
    }

    // MARK: PNG

    static func decodePNG(_ bytes: [UInt8], path: String) throws -> ImageFile {
        func fail(_ reason: String) -> ImageFileError { ImageFileError(path: path, reason: reason) }
        func uint32(_ at: Int) -> Int {
            Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
        }
        var position = 8
        var header: [UInt8]?
        var compressed: [UInt8] = []
        var sawEnd = false
        while position < bytes.count && !sawEnd {
            guard position + 12 <= bytes.count else {
                throw fail("a chunk header runs past the end of the file (truncated)")
            }
            let length = uint32(position)
            let type = String(decoding: bytes[position + 4..<position + 8], as: UTF8.self)
            guard length <= bytes.count - position - 12 else {
                throw fail("chunk \(type) of \(length) bytes runs past the end of the file (truncated)")
            }
            let data = Array(bytes[position + 8..<position + 8 + length])
            let storedCRC = UInt32(uint32(position + 8 + length))
            guard storedCRC == CRC32.checksum(Array(bytes[position + 4..<position + 8 + length])) else {
                throw fail("chunk \(type) has a bad CRC (corrupt)")
            }
            switch type {
            case "IHDR": header = data
            case "IDAT": compressed += data
            case "IEND": sawEnd = true
            default: break  // ancillary chunks (gamma, text, ...) do not change the pixels here
            }
            position += 12 + length
        }
        guard let header, header.count == 13 else { throw fail("no valid IHDR chunk") }
        guard sawEnd else { throw fail("no IEND chunk (truncated)") }
        let width = Int(header[0]) << 24 | Int(header[1]) << 16 | Int(header[2]) << 8 | Int(header[3])
        let height = Int(header[4]) << 24 | Int(header[5]) << 16 | Int(header[6]) << 8 | Int(header[7])
        let (depth, colour, interlace) = (header[8], header[9], header[12])
        try checkSize(width, height, fail: fail)
        guard depth == 8 else { throw fail("\(depth)-bit PNG is not supported (only 8 bits per channel)") }
        guard interlace == 0 else { throw fail("interlaced PNG is not supported; save it without interlacing") }
        guard header[10] == 0, header[11] == 0 else { throw fail("unknown compression or filter method") }
        let channels: Int
        switch colour {
        case 0: channels = 1
        case 2: channels = 3
        case 4: channels = 2
        case 6: channels = 4
        case 3: throw fail("palette PNG is not supported; save it as greyscale or RGB")
        default: throw fail("unknown PNG colour type \(colour)")
        }
        let rowBytes = width * channels
        let expected = height * (rowBytes + 1)
        let raw: [UInt8]
        do {
            raw = try Zlib.decompress(compressed, maximumOutputSize: expected)
        } catch let error as DecompressionError {
            throw fail("image data: \(error.reason)")
        }
        guard raw.count == expected else {
            throw fail("image data holds \(raw.count) bytes, \(width)x\(height) needs \(expected) (truncated)")
        }
        let pixels = try unfilter(raw, rows: height, rowBytes: rowBytes, bytesPerPixel: channels, fail: fail)
        var grey = [Float](repeating: 0, count: width * height)
        for index in 0..<(width * height) {
            let p = index * channels
            var value: Float, alpha: Float = 1
            switch channels {
            case 1: value = Float(pixels[p]) / 255
            case 2:
                value = Float(pixels[p]) / 255
                alpha = Float(pixels[p + 1]) / 255
            case 3: value = luminance(pixels[p], pixels[p + 1], pixels[p + 2])
            default:
                value = luminance(pixels[p], pixels[p + 1], pixels[p + 2])
                alpha = Float(pixels[p + 3]) / 255
            }
            grey[index] = value * alpha + (1 - alpha)  // over white paper
        }
        return ImageFile(width: width, height: height, grey: grey)
    }

    /// Undoes PNG's per-row filters: each row starts with its filter type, and Sub, Up, Average and
    /// Paeth predict a byte from its left, upper and upper-left neighbours (RFC 2083, section 6).
    static func unfilter(
        _ raw: [UInt8], rows: Int, rowBytes: Int, bytesPerPixel: Int,
        fail: (String) -> ImageFileError
    ) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: rows * rowBytes)
        for row in 0..<rows {
            let filter = raw[row * (rowBytes + 1)]
            let source = row * (rowBytes + 1) + 1, target = row * rowBytes
            for i in 0..<rowBytes {
                let x = raw[source + i]
                let left = i >= bytesPerPixel ? Int(output[target + i - bytesPerPixel]) : 0
                let up = row > 0 ? Int(output[target - rowBytes + i]) : 0
                let upLeft = row > 0 && i >= bytesPerPixel ? Int(output[target - rowBytes + i - bytesPerPixel]) : 0
                let prediction: Int
                switch filter {
                case 0: prediction = 0
                case 1: prediction = left
                case 2: prediction = up
                case 3: prediction = (left + up) / 2
                case 4:
                    let estimate = left + up - upLeft
                    let (da, db, dc) = (abs(estimate - left), abs(estimate - up), abs(estimate - upLeft))
                    prediction = da <= db && da <= dc ? left : (db <= dc ? up : upLeft)
                default: throw fail("row \(row) has unknown filter type \(filter) (corrupt)")
                }
                output[target + i] = x &+ UInt8(truncatingIfNeeded: prediction)
            }
        }
        return output
    }

    static func luminance(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> Float {
        (0.299 * Float(r) + 0.587 * Float(g) + 0.114 * Float(b)) / 255
    }

    // MARK: PGM and PPM

    static func decodeNetpbm(_ bytes: [UInt8], path: String) throws -> ImageFile {
        func fail(_ reason: String) -> ImageFileError { ImageFileError(path: path, reason: reason) }
        let kind = bytes[1]
        var position = 2
        /// The next whitespace-separated number of the header, skipping # comments.
        func number() throws -> Int {
            while position < bytes.count {
                if bytes[position] == UInt8(ascii: "#") {
                    while position < bytes.count && bytes[position] != 10 { position += 1 }
                } else if [9, 10, 13, 32].contains(bytes[position]) {
                    position += 1
                } else {
                    break
                }
            }
            var value = 0, digits = 0
            while position < bytes.count, (48...57).contains(bytes[position]) {
                value = value * 10 + Int(bytes[position] - 48)
                position += 1
                digits += 1
                guard value <= 1 << 30 else { throw fail("a header number is too large") }
            }
            guard digits > 0 else { throw fail("header ends early or holds a non-number (truncated or corrupt)") }
            return value
        }
        let width = try number(), height = try number(), maxValue = try number()
        try checkSize(width, height, fail: fail)
        guard maxValue > 0, maxValue <= 255 else {
            throw fail("maximum value \(maxValue) is not supported (only up to 255)")
        }
        let channels = kind == UInt8(ascii: "3") || kind == UInt8(ascii: "6") ? 3 : 1
        let count = width * height * channels
        // Each sample takes at least one byte: a header promising more than the file holds is
        // refused before anything is allocated for it.
        guard count <= bytes.count - position else {
            throw fail(
                "\(width)x\(height) image needs \(count) samples, the file has \(bytes.count - position) bytes left (truncated)"
            )
        }
        // Samples are at most 255 (checked above): one byte each, not eight, so a 16-megapixel
        // colour image costs 48 MB here rather than 384.
        var samples = [UInt8]()
        if kind == UInt8(ascii: "5") || kind == UInt8(ascii: "6") {
            position += 1  // the single whitespace after the maximum value
            guard position + count <= bytes.count else {
                throw fail("pixel data holds \(bytes.count - position) bytes, \(count) needed (truncated)")
            }
            samples = Array(bytes[position..<position + count])
        } else {
            samples.reserveCapacity(count)
            for _ in 0..<count { samples.append(UInt8(Swift.min(try number(), 255))) }
        }
        let scale = Float(maxValue)
        let grey = [Float](uninitializedCount: width * height) { grey in
            for index in 0..<(width * height) {
                let value =
                    channels == 1
                    ? Float(samples[index]) / scale
                    : (0.299 * Float(samples[3 * index]) + 0.587 * Float(samples[3 * index + 1]) + 0.114
                        * Float(samples[3 * index + 2])) / scale
                grey[index] = Swift.min(1, value)
            }
        }
        return ImageFile(width: width, height: height, grey: grey)
    }
}

/// An image file that cannot be read, with its path and the reason.
public struct ImageFileError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "\(path): \(reason)" }
}

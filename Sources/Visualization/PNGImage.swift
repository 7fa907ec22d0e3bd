import Compression
import Files
import Foundation

/// An 8-bit greyscale or RGB image that can be saved as a PNG file any viewer opens.
///
/// A PNG file is a signature and a list of chunks, each a length, a 4-letter type, data, and a
/// CRC-32 of type and data: IHDR (size and pixel format), IDAT (the pixel rows, each preceded by a
/// filter byte, compressed with zlib) and IEND. Rows are written with filter 0 (as they are).
///
/// ```swift
/// var image = PNGImage(width: 28, height: 28, channels: .grey)
/// image[3, 4] = [255]
/// try image.write(to: "digit.png")
/// ```
public struct PNGImage: Sendable, Equatable {
    public enum Channels: Int, Sendable {
        case grey = 1
        case rgb = 3
    }

    public let width: Int
    public let height: Int
    public let channels: Channels
    /// Row-major pixels, `channels.rawValue` bytes each (R, G, B for RGB).
    public var pixels: [UInt8]

    public init(width: Int, height: Int, channels: Channels, fill: [UInt8]? = nil) {
        precondition(width > 0 && height > 0, "PNGImage: size must be positive, got \(width)x\(height)")
        let background = fill ?? [UInt8](repeating: 0, count: channels.rawValue)
        precondition(background.count == channels.rawValue, "PNGImage: fill needs \(channels.rawValue) values")
        self.width = width
        self.height = height
        self.channels = channels
        pixels = Array([[UInt8]](repeating: background, count: width * height).joined())
    }

    public init(width: Int, height: Int, channels: Channels, pixels: [UInt8]) {
        precondition(
            pixels.count == width * height * channels.rawValue,
            "PNGImage: \(pixels.count) bytes for a \(width)x\(height) image of \(channels.rawValue) channel(s)")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// The pixel at column x, row y, as 1 or 3 bytes.
    public subscript(x: Int, y: Int) -> [UInt8] {
        get {
            let start = (y * width + x) * channels.rawValue
            return Array(pixels[start..<start + channels.rawValue])
        }
        set {
            precondition(
                x >= 0 && x < width && y >= 0 && y < height, "PNGImage: pixel (\(x), \(y)) outside \(width)x\(height)")
            precondition(newValue.count == channels.rawValue, "PNGImage: a pixel has \(channels.rawValue) value(s)")
            let start = (y * width + x) * channels.rawValue
            pixels.replaceSubrange(start..<start + channels.rawValue, with: newValue)
        }
    }

    /// The bytes of the PNG file.
    public func pngData(level: Deflate.Level = .fast) -> [UInt8] {
        var header: [UInt8] = []
        header += bigEndian(UInt32(width)) + bigEndian(UInt32(height))
        header += [8, channels == .grey ? 0 : 2, 0, 0, 0]  // 8 bits, colour type, deflate, filter, no interlace
        let rowBytes = width * channels.rawValue
        var raw = [UInt8]()
        raw.reserveCapacity(height * (rowBytes + 1))
        for row in 0..<height {
            raw.append(0)  // filter type 0: the row as it is
            raw += pixels[row * rowBytes..<(row + 1) * rowBytes]
        }
        var file: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        file += chunk("IHDR", header)
        file += chunk("IDAT", Zlib.compress(raw, level: level))
        file += chunk("IEND", [])
        return file
    }

    /// Writes the PNG file atomically and durably (`FileWriting`); a path that is not a regular
    /// file (a device, a directory, a link) is refused, not replaced.
    public func write(to path: String) throws {
        try FileWriting.write(pngData(), to: path)
    }

    private func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typeBytes = Array(type.utf8)
        return bigEndian(UInt32(data.count)) + typeBytes + data + bigEndian(CRC32.checksum(typeBytes + data))
    }

    private func bigEndian(_ value: UInt32) -> [UInt8] {
        [
            UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8),
            UInt8(truncatingIfNeeded: value),
        ]
    }
}

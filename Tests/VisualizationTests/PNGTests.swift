import Compression
import Foundation
import Testing
import Visualization

/// Runs python3 with a script on standard input; nil when Python is not there.
func python(_ script: String, arguments: [String]) -> (status: Int32, output: String)? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    do { try process.run() } catch { return nil }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

let pythonAvailable = python("print(1)", arguments: [])?.status == 0

@Suite("PNG files")
struct PNGTests {
    @Test("A PNG has the signature, IHDR with size and colour type, IDAT whose zlib data holds filtered rows, and IEND")
    func structure() throws {
        var image = PNGImage(width: 3, height: 2, channels: .grey)
        image[1, 0] = [200]
        image[2, 1] = [7]
        let bytes = image.pngData()
        #expect(Array(bytes[0..<8]) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(String(decoding: bytes[12..<16], as: UTF8.self) == "IHDR")
        #expect(Array(bytes[16..<24]) == [0, 0, 0, 3, 0, 0, 0, 2])
        #expect(bytes[24] == 8 && bytes[25] == 0)
        // IHDR's CRC covers its type and data.
        let crc = bytes[29..<33].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        #expect(crc == CRC32.checksum(Array(bytes[12..<29])))
        let idatLength = Int(bytes[33..<37].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
        #expect(String(decoding: bytes[37..<41], as: UTF8.self) == "IDAT")
        let rows = try Zlib.decompress(Array(bytes[41..<41 + idatLength]))
        #expect(rows == [0, 0, 200, 0, 0, 0, 0, 7])
        #expect(String(decoding: bytes[(bytes.count - 8)..<(bytes.count - 4)], as: UTF8.self) == "IEND")
    }

    @Test(
        "Python's zlib-based reader decodes our PNG pixel for pixel, grey and RGB",
        .enabled(if: pythonAvailable, "needs python3"))
    func pythonReadsPNG() throws {
        let script = """
            import struct, sys, zlib
            data = open(sys.argv[1], 'rb').read()
            assert data[:8] == b'\\x89PNG\\r\\n\\x1a\\n'
            pos, idat = 8, b''
            while pos < len(data):
                length, kind = struct.unpack('>I4s', data[pos:pos + 8])
                body = data[pos + 8:pos + 8 + length]
                assert zlib.crc32(kind + body) == struct.unpack('>I', data[pos + 8 + length:pos + 12 + length])[0]
                if kind == b'IHDR': width, height, depth, colour = struct.unpack('>IIBB', body[:10])
                if kind == b'IDAT': idat += body
                pos += 12 + length
            raw = zlib.decompress(idat)
            channels = 3 if colour == 2 else 1
            stride = width * channels + 1
            pixels = b''.join(raw[r * stride + 1:(r + 1) * stride] for r in range(height))
            print(width, height, channels, sum(pixels), pixels[:6].hex())
            """
        var grey = PNGImage(width: 40, height: 30, channels: .grey)
        for y in 0..<30 { for x in 0..<40 { grey[x, y] = [UInt8((x * 7 + y * 3) % 256)] } }
        let rgb = PNGImage(width: 5, height: 4, channels: .rgb, pixels: (0..<60).map { UInt8($0 * 4) })
        for image in [grey, rgb] {
            let path = NSTemporaryDirectory() + "kindling-\(UUID().uuidString).png"
            defer { try? FileManager.default.removeItem(atPath: path) }
            try image.write(to: path)
            let result = try #require(python(script, arguments: [path]))
            #expect(result.status == 0, "\(result.output)")
            let sum = image.pixels.reduce(0) { $0 + Int($1) }
            let head = image.pixels.prefix(6).map { String(format: "%02x", $0) }.joined()
            #expect(
                result.output.trimmingCharacters(in: .whitespacesAndNewlines)
                    == "\(image.width) \(image.height) \(image.channels.rawValue) \(sum) \(head)")
        }
    }

    @Test("An image grid places each image at its cell with its caption drawn underneath")
    func grid() {
        var grid = ImageGrid(columns: 2, imageWidth: 2, imageHeight: 2, scale: 1)
        grid.add(grey: [1, 1, 1, 1], caption: "7")
        grid.add(grey: [0, 0, 0, 0], caption: "1")
        grid.add(grey: [1, 0, 0, 1])
        let image = grid.render()
        // Cells are 2 + 4 wide and 2 + 4 + 11 (caption) high; images start 2 pixels in.
        #expect(image.width == 12 && image.height == 34)
        #expect(image[2, 2] == [255, 255, 255] && image[8, 2] == [0, 0, 0])
        #expect(image[2, 19] == [255, 255, 255] && image[3, 19] == [0, 0, 0])
        // Some caption pixels are white under the first image.
        let captionPixels = (6..<17).flatMap { y in (0..<6).map { x in image[x, y] } }
        #expect(captionPixels.contains([255, 255, 255]))
        #expect(BitmapFont.width(of: "PRED 7") == 35)
    }
}

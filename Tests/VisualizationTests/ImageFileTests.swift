import Compression
import Foundation
import Testing
import Visualization

/// Writes PNG fixtures with Python's zlib, one per colour type and row filter, as an independent
/// encoder would; returns the folder, or nil without Python.
func pythonFixtures() -> String? {
    let folder = NSTemporaryDirectory() + "kindling-png-\(UUID().uuidString)"
    let script = """
        import os, struct, sys, zlib
        folder = sys.argv[1]
        os.makedirs(folder)
        W, H = 7, 5
        def chunk(kind, data):
            return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))
        def paeth(a, b, c):
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            return a if pa <= pb and pa <= pc else (b if pb <= pc else c)
        def encode(rows, channels, colour, filter_type):
            out, previous = b'', bytes(W * channels)
            for row in rows:
                line = bytearray()
                for i, x in enumerate(row):
                    a = row[i - channels] if i >= channels else 0
                    b = previous[i]; c = previous[i - channels] if i >= channels else 0
                    pred = [0, a, b, (a + b) // 2, paeth(a, b, c)][filter_type]
                    line.append((x - pred) % 256)
                out += bytes([filter_type]) + bytes(line); previous = row
            ihdr = struct.pack('>IIBBBBB', W, H, 8, colour, 0, 0, 0)
            return b'\\x89PNG\\r\\n\\x1a\\n' + chunk(b'IHDR', ihdr) + chunk(b'tEXt', b'made by python') + chunk(b'IDAT', zlib.compress(out, 9)) + chunk(b'IEND', b'')
        for colour, channels in [(0, 1), (4, 2), (2, 3), (6, 4)]:
            rows = [bytes((x * 37 + y * 11 + c * 5) % 256 if c < 3 else 255 for x in range(W) for c in range(channels)) for y in range(H)]
            for f in range(5):
                open(os.path.join(folder, f'c{colour}-f{f}.png'), 'wb').write(encode(rows, channels, colour, f))
        open(os.path.join(folder, 'p5.pgm'), 'wb').write(b'P5\\n# a comment\\n7 5\\n255\\n' + bytes((x * 37 + y * 11) % 256 for y in range(H) for x in range(W)))
        """
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script, folder]
    do { try process.run() } catch { return nil }
    process.waitUntilExit()
    return process.terminationStatus == 0 ? folder : nil
}

@Suite("Reading PNG, PGM and PPM files")
struct ImageFileTests {
    /// The grey value the fixtures hold at (x, y) for a grey image: (37x + 11y) mod 256.
    func expectedGrey(_ x: Int, _ y: Int) -> Float { Float((x * 37 + y * 11) % 256) / 255 }

    @Test(
        "PNGs written by Python's zlib in every colour type with every row filter decode to the same pixels",
        .enabled(if: pythonAvailable, "needs python3"))
    func pythonFixturesDecode() throws {
        let folder = try #require(pythonFixtures())
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for colour in [0, 4, 2, 6] {
            for filter in 0..<5 {
                let image = try ImageFile(contentsOf: "\(folder)/c\(colour)-f\(filter).png")
                #expect(image.width == 7 && image.height == 5)
                for (x, y) in [(0, 0), (3, 2), (6, 4)] {
                    let r = Float((x * 37 + y * 11) % 256), g = Float((x * 37 + y * 11 + 5) % 256),
                        b = Float((x * 37 + y * 11 + 10) % 256)
                    let expected: Float
                    switch colour {
                    case 0: expected = r / 255
                    case 4: expected = r / 255 * (g / 255) + (1 - g / 255)  // grey over white through alpha
                    default: expected = (0.299 * r + 0.587 * g + 0.114 * b) / 255
                    }
                    #expect(
                        abs(image.grey[y * 7 + x] - expected) < 1e-5,
                        "colour \(colour) filter \(filter) at (\(x), \(y))")
                }
            }
        }
        let pgm = try ImageFile(contentsOf: "\(folder)/p5.pgm")
        #expect(pgm.grey[2 * 7 + 3] == expectedGrey(3, 2))
    }

    @Test("Our own PNG writer's files read back exactly; ASCII PGM and PPM parse with comments")
    func roundTrip() throws {
        var image = PNGImage(width: 4, height: 3, channels: .grey)
        for y in 0..<3 { for x in 0..<4 { image[x, y] = [UInt8(x * 60 + y * 10)] } }
        let decoded = try ImageFile(bytes: image.pngData(), path: "own.png")
        #expect(decoded.grey == image.pixels.map { Float($0) / 255 })
        let pgm = try ImageFile(bytes: Array("P2\n# drawn by hand\n2 2\n4\n0 1\n2 4\n".utf8), path: "a.pgm")
        #expect(pgm.grey == [0, 0.25, 0.5, 1])
        let ppm = try ImageFile(bytes: Array("P3 1 1 255 255 0 0".utf8), path: "a.ppm")
        #expect(abs(ppm.grey[0] - 0.299) < 1e-5)
    }

    @Test("Corrupt and unsupported files are refused naming the file and the reason")
    func refusals() {
        let good = PNGImage(width: 3, height: 3, channels: .grey).pngData()
        func failure(_ bytes: [UInt8]) -> String {
            do {
                _ = try ImageFile(bytes: bytes, path: "d.png")
                return "no error"
            } catch { return "\(error)" }
        }
        var badCRC = good
        badCRC[30] ^= 1
        #expect(failure(badCRC).contains("bad CRC"))
        #expect(failure(Array(good.prefix(good.count - 20))).hasPrefix("d.png:"))
        var interlaced = good
        interlaced[28] = 1  // IHDR's interlace byte
        #expect(failure(fixCRC(interlaced)).contains("interlaced"))
        // A 16384 x 16384 RGBA header (a 1 MB file could inflate to 1 GiB) is refused from its
        // header, before any inflating.
        var huge = good
        huge.replaceSubrange(16..<24, with: [0, 0, 0x40, 0, 0, 0, 0x40, 0])
        huge[25] = 6
        #expect(failure(fixCRC(huge)).contains("16384x16384 is more than 16 megapixels"))
        var sixteenBit = good
        sixteenBit[24] = 16
        #expect(failure(fixCRC(sixteenBit)).contains("16-bit"))
        #expect(failure(Array("GIF89a".utf8)).contains("not a PNG"))
        #expect(failure(Array("P5 4 4 255\n".utf8)).contains("truncated"))
        // A header promising 4096 x 4096 colour samples in a 20-byte file is refused before
        // anything is allocated for them, and 16384 x 16384 is over the pixel limit whatever the file.
        #expect(failure(Array("P3 4096 4096 255 1".utf8)).contains("truncated"))
        #expect(failure(Array("P3 16384 16384 255 1".utf8)).contains("more than 16 megapixels"))
    }

    /// Recomputes the IHDR chunk's CRC after a test changed a header byte.
    func fixCRC(_ png: [UInt8]) -> [UInt8] {
        var bytes = png
        let crc = CRC32.checksum(Array(bytes[12..<29]))
        bytes.replaceSubrange(
            29..<33,
            with: [
                UInt8(crc >> 24), UInt8(truncatingIfNeeded: crc >> 16), UInt8(truncatingIfNeeded: crc >> 8),
                UInt8(truncatingIfNeeded: crc),
            ])
        return bytes
    }
}

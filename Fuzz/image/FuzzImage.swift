// Fuzz target: the PNG, PGM and PPM readers (Sources/Visualization/ImageFile.swift), and the
// preparation of what they read as an MNIST digit.
import Compression
import Datasets
import FuzzHarness
import Visualization

func target(_ bytes: [UInt8]) {
    guard let image = try? ImageFile(bytes: bytes, path: "fuzz.png") else { return }
    precondition(image.grey.count == image.width * image.height, "pixel count disagrees with the size")
    if image.width * image.height <= 1 << 16 {
        _ = try? DigitPreparation.prepare(grey: image.grey, width: image.width, height: image.height).pixels
    }
}

func seeds() -> [[UInt8]] {
    var grey = PNGImage(width: 9, height: 7, channels: .grey)
    for y in 0..<7 { for x in 0..<9 { grey[x, y] = [UInt8((x * 29 + y * 13) % 256)] } }
    let rgb = PNGImage(width: 4, height: 3, channels: .rgb, pixels: (0..<36).map { UInt8($0 * 7) })
    return [
        grey.pngData(), grey.pngData(level: .stored), rgb.pngData(),
        Array("P2\n# comment\n3 2\n255\n0 128 255\n1 2 3\n".utf8),
        Array("P5 3 2 255\n".utf8) + [0, 50, 100, 150, 200, 250],
        Array("P6 2 1 255\n".utf8) + [255, 0, 0, 0, 255, 0],
        Array("P3 1 1 255 9 9 9".utf8),
    ]
}

@_cdecl("fuzz_image_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    fuzzTargetMain(argc, argv, name: "fuzz-image", seeds: seeds, target: target)
}

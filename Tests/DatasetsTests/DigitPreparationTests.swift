import Datasets
import Testing

@Suite("Preparing a drawn digit as MNIST's were prepared")
struct DigitPreparationTests {
    /// Centre of mass and stroke width (2 x area / perimeter of the pixels above 0.2) of a 28x28 digit.
    func measure(_ digit: [Float]) -> (cx: Float, cy: Float, strokeWidth: Float) {
        var mass: Float = 0, cx: Float = 0, cy: Float = 0, perimeter: Float = 0
        var area: Float = 0
        for y in 0..<28 {
            for x in 0..<28 {
                let v = digit[y * 28 + x]
                mass += v
                cx += v * (Float(x) + 0.5)
                cy += v * (Float(y) + 0.5)
                guard v > 0.2 else { continue }
                area += 1
                for (nx, ny) in [(x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)] {
                    if nx < 0 || ny < 0 || nx > 27 || ny > 27 || digit[ny * 28 + nx] <= 0.2 { perimeter += 1 }
                }
            }
        }
        return (cx / mass, cy / mass, 2 * area / perimeter)
    }

    @Test("A dark bar drawn off-centre on white paper becomes a white bar, 20 pixels tall, centred at (14, 14)")
    func bar() throws {
        // 60 wide, 100 tall, white; a black bar of 10x80 at x 5...14, y 10...89.
        var picture = [Float](repeating: 1, count: 60 * 100)
        for y in 10..<90 { for x in 5..<15 { picture[y * 60 + x] = 0 } }
        let digit = try DigitPreparation.prepare(grey: picture, width: 60, height: 100)
        #expect(digit.pixels.count == 784)
        let rows = (0..<28).filter { y in (0..<28).contains { digit.pixels[y * 28 + $0] > 0.5 } }
        let columns = (0..<28).filter { x in (0..<28).contains { digit.pixels[$0 * 28 + x] > 0.5 } }
        #expect(rows.count == 20)
        #expect(columns.count == 3 || columns.count == 2)  // 10/80 of 20 pixels: 2.5
        #expect(!digit.strokesWidened && abs(digit.drawnStrokeWidth - 2.5) < 0.3)
        let measured = measure(digit.pixels)
        #expect(abs(measured.cx - 14) <= 1 && abs(measured.cy - 14) <= 1)
        // The paper became black, the ink is at full contrast, and nothing is to be distrusted.
        #expect(digit.pixels[0] == 0 && digit.pixels[783] == 0)
        #expect(digit.pixels.max() == 1)
        #expect(digit.warning == nil)
    }

    @Test("A 4 drawn with a 3-pixel pen on a 600x400 canvas is redrawn with MNIST's stroke width (2 to 3 pixels)")
    func thinPen() throws {
        // Black lines 3 pixels wide on white: the 4's left arm, crossbar and stem, 300 pixels tall.
        var picture = [Float](repeating: 1, count: 600 * 400)
        func line(from start: (Double, Double), to end: (Double, Double)) {
            for step in 0...2000 {
                let t = Double(step) / 2000
                let x = Int(start.0 + t * (end.0 - start.0)), y = Int(start.1 + t * (end.1 - start.1))
                for dy in -1...1 { for dx in -1...1 { picture[(y + dy) * 600 + x + dx] = 0 } }
            }
        }
        line(from: (300, 50), to: (220, 250))  // the slanted arm
        line(from: (220, 250), to: (380, 250))  // the crossbar
        line(from: (340, 120), to: (340, 350))  // the stem
        let digit = try DigitPreparation.prepare(grey: picture, width: 600, height: 400)
        // Drawn: 3 pixels out of 300 is 0.2 of a pixel at MNIST's size.
        #expect(digit.strokesWidened)
        #expect(digit.drawnStrokeWidth < 0.5)
        let measured = measure(digit.pixels)
        #expect(measured.strokeWidth >= 2 && measured.strokeWidth <= 3.2, "stroke width \(measured.strokeWidth)")
        #expect(digit.inkPixels >= DigitPreparation.fewestInkPixels)
        #expect(digit.warning == nil)
        #expect(abs(measured.cx - 14) <= 1 && abs(measured.cy - 14) <= 1)
    }

    @Test("A tiny faint speck is prepared but comes with a warning naming its size and its faint ink")
    func faintSpeck() throws {
        // Light grey paper (0.9) with a 2x2 speck of 0.8: ink 0.1 darker than the paper.
        var picture = [Float](repeating: 0.9, count: 200 * 200)
        for y in 100..<102 { for x in 100..<102 { picture[y * 200 + x] = 0.8 } }
        let digit = try DigitPreparation.prepare(grey: picture, width: 200, height: 200)
        let warning = try #require(digit.warning)
        #expect(warning.contains("the ink is only 2 pixels across in the picture"))
        #expect(warning.contains("the ink is faint (its darkest point is 10% of black)"))
        #expect(!warning.contains("brighter than 0.5"))
    }

    @Test("A prepared digit with fewer bright pixels than 99.9% of MNIST's is distrusted, and only then")
    func littleInk() {
        func digit(inkPixels: Int) -> DigitPreparation.PreparedDigit {
            .init(
                pixels: [], drawnStrokeWidth: 2, strokesWidened: false, inkContrast: 1, inkPixels: inkPixels,
                drawnSize: 300)
        }
        #expect(digit(inkPixels: 27).warning?.contains("only 27 pixels of the prepared digit are brighter") == true)
        #expect(digit(inkPixels: 28).warning == nil)
    }

    @Test("Light ink on dark paper is kept as it is; a blank picture is an error")
    func polarity() throws {
        var picture = [Float](repeating: 0, count: 30 * 30)
        for y in 5..<25 { for x in 12..<18 { picture[y * 30 + x] = 1 } }
        let digit = try DigitPreparation.prepare(grey: picture, width: 30, height: 30)
        #expect(digit.pixels[14 * 28 + 14] > 0.9)
        #expect(throws: DigitPreparation.NoInkError.self) {
            try DigitPreparation.prepare(grey: [Float](repeating: 1, count: 100), width: 10, height: 10)
        }
    }
}

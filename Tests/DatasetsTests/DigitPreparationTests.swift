import Datasets
import Testing

@Suite("Preparing a drawn digit as MNIST's were prepared")
struct DigitPreparationTests {
    @Test("A dark bar drawn off-centre on white paper becomes a white bar, 20 pixels tall, centred at (14, 14)")
    func bar() throws {
        // 60 wide, 100 tall, white; a black bar of 10x80 at x 5...14, y 10...89.
        var picture = [Float](repeating: 1, count: 60 * 100)
        for y in 10..<90 { for x in 5..<15 { picture[y * 60 + x] = 0 } }
        let digit = try DigitPreparation.prepare(grey: picture, width: 60, height: 100)
        #expect(digit.count == 784)
        let rows = (0..<28).filter { y in (0..<28).contains { digit[y * 28 + $0] > 0.5 } }
        let columns = (0..<28).filter { x in (0..<28).contains { digit[$0 * 28 + x] > 0.5 } }
        #expect(rows.count == 20)
        #expect(columns.count == 3 || columns.count == 2)  // 10/80 of 20 pixels: 2.5
        // Centre of mass at the centre.
        var mass: Float = 0, cx: Float = 0, cy: Float = 0
        for y in 0..<28 {
            for x in 0..<28 {
                let v = digit[y * 28 + x]
                mass += v
                cx += v * (Float(x) + 0.5)
                cy += v * (Float(y) + 0.5)
            }
        }
        #expect(abs(cx / mass - 14) <= 1 && abs(cy / mass - 14) <= 1)
        // The paper became black.
        #expect(digit[0] == 0 && digit[783] == 0)
    }

    @Test("Light ink on dark paper is kept as it is; a blank picture is an error")
    func polarity() throws {
        var picture = [Float](repeating: 0, count: 30 * 30)
        for y in 5..<25 { for x in 12..<18 { picture[y * 30 + x] = 1 } }
        let digit = try DigitPreparation.prepare(grey: picture, width: 30, height: 30)
        #expect(digit[14 * 28 + 14] > 0.9)
        #expect(throws: DigitPreparation.NoInkError.self) {
            try DigitPreparation.prepare(grey: [Float](repeating: 1, count: 100), width: 10, height: 10)
        }
    }
}

import Testing
import Visualization

@Suite("Terminal art")
struct TerminalArtTests {
    @Test("Each character averages two rows: blank for 0, '@' for 1, the ramp in between")
    func rendersRamp() {
        // 2 columns x 4 rows: rows 0-1 average to [0, 1], rows 2-3 to [0.5, 0.25].
        let image: [Float] = [
            0, 1,
            0, 1,
            0.5, 0,
            0.5, 0.5,
        ]
        #expect(TerminalArt.render(image, width: 2, height: 4) == " @\n+:")
    }

    @Test("Images sit side by side two columns apart, with centred captions")
    func sideBySide() {
        let dark = [Float](repeating: 1, count: 4), light = [Float](repeating: 0, count: 4)
        #expect(
            TerminalArt.render([dark, light, dark], width: 2, height: 2, captions: ["a", "b", "c"])
                == "@@      @@\na   b   c")
    }

    @Test("Values outside 0...1 and NaN are clamped rather than crashing")
    func clamps() {
        #expect(TerminalArt.shade(-3) == " ")
        #expect(TerminalArt.shade(7) == "@")
        #expect(TerminalArt.shade(.nan) == " ")
    }
}

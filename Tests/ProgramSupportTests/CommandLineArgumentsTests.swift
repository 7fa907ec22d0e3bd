import ProgramSupport
import Testing

@Suite("Command-line options: values in range, repeats and strays reported")
struct CommandLineArgumentsTests {
    @Test("--name value and --name=value both work; a repeated option is reported, not silently picked")
    func repeatedOption() {
        var arguments = CommandLineArguments(["train", "--lr=0.5", "--epochs", "3", "--lr", "2"], usage: "usage")
        #expect(arguments.subcommand() == "train")
        #expect(arguments.number("--lr", default: 1) == 0.5)
        #expect(arguments.integer("--epochs", default: 1) == 3)
        #expect(arguments.problemsFound == ["--lr is given more than once"])
    }

    @Test("Out-of-range numbers are reported with the range: batch size 2^63-1, negative learning rate")
    func ranges() {
        var arguments = CommandLineArguments(
            ["--batch-size", "9223372036854775807", "--lr", "-1", "--momentum", "nan", "--count", "1000000000"],
            usage: "usage")
        #expect(arguments.integer("--batch-size", default: 64, minimum: 1, maximum: 1 << 20) == 64)
        #expect(arguments.number("--lr", default: 0.1, minimum: 0) == 0.1)
        #expect(arguments.number("--momentum", default: 0, minimum: 0) == 0)
        #expect(arguments.integer("--count", default: 8, minimum: 1, maximum: 1000) == 8)
        #expect(
            arguments.problemsFound == [
                "--batch-size takes a whole number from 1 to 1048576, got '9223372036854775807'",
                "--lr takes a number at least 0.0, got '-1'",
                "--momentum takes a number, got 'nan'",
                "--count takes a whole number from 1 to 1000, got '1000000000'",
            ])
    }

    @Test("Unknown arguments are reported with control characters escaped")
    func unknownEscaped() {
        let arguments = CommandLineArguments(["--evil\u{1B}[2J"], usage: "usage")
        #expect(arguments.problemsFound == ["unknown argument '--evil\\u{1B}[2J'"])
    }
}

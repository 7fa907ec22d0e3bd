import Compression
import Foundation
import Testing

@Suite("Reading tar archives (CIFAR-10 is published as one)")
struct TarArchiveTests {
    /// Archives made by GNU tar 1.34 (`tar --format=gnu|pax|ustar -cf`, then `gzip -9 -n`) of a
    /// folder `d` holding `a.txt` ("hello tar\n"), an empty folder `sub`, a file whose name is 127
    /// bytes long (bytes 0...255 three times; ustar cannot store that name and left it out) and
    /// `f.txt` ("deep\n") 155 bytes deep in folders.
    enum Fixture {
        static let gnu = """
            H4sIAAAAAAACA0vRZ6A5MAACc1NTMA0E6DSYbWhqbGBoZGRoamIIFDc3NzdkUDBloAMoLS5JLFJQYCjKzy/Bp46Q/BAFevp6+g4+
            +XnpPpl52TSMfzMTE5zxb2hujpIWDAwNzQwNGBR8RuOf5iBFv2KAgF5SZh7DKBgB8U8g/xuaoJf/xmbmJmYMCgaj+Z/2gJGJmYWV
            jZ2Dk4ubh5ePX0BQSFhEVExcQlJKWkZWTl5BUUlZRVVNXUNTS1tHV08fGEnGJqZm5haWVtY2tnb2Do5Ozi6ubu4enl7ePr5+/gGB
            QcEhoWHhEZFR0TGxcfEJiUnJKalp6RmZWdk5uXn5BYVFxSWlZeUVlVXVNbV19Q2NTc0trW3tHZ1d3T29ff0TJk6aPGXqtOkzZs6a
            PWfuvPkLFi5avGTpsuUrVq5avWbtuvUbNm7avGXrtu07du7avWfvvv0HDh46fOToseMnTp46febsufMXLl66fOXqtes3bt66fefu
            vfsPHj56/OTps+cvXr56/ebtu/cfPn76/OXrt+8/fv76/efvv/+j/h/h/h/x5X8BzYA+ue1/Y2Nw+2+0/T8y2v9GxsYY7X8Dw9H2
            /5DP/4UUAH2GUTBM4p/08t/UyNh8tPwfMeW/iQF6+W9qbj5a/o/s8j9Nr6SiZLSAHiblP778b2Bgiln+m4yO/9Al/lNTC7hGs8EI
            zv/FpUk0bmuT3P4zNDA1Mxpt/9En/hNpXs8SLP8NjdDj39zEeLT8pwfISM3JyVcABsFoJTAKRsEoGAWjYBSMGAAAZ9WnYwAoAAA=
            """

        static let pax = """
            H4sIAAAAAAACA+2adXATQRTGg0Nwdwjuye7tngQoLsWLu6RNSgttkyYpBHd3d3d3d3d3d3d3uXTaoQTaTMrc0bTv989lstm527z7
            vrfvzao1Xjqbp0GnN5gtGr1CEpAIR2noVcTxijBhFJglCDMMZilWIIwowQqVTSEDIRarziw+iiJuQpAq0OofaPDAvJalWkGgWrWW
            EyhheJ4qxVHdH6M8EzpK7KM+kc9VAG6AXiP9Pewa51k2Uv3bP/+uf8zwov5ZOfVvNhqtUf3O2bjj4twm/hH83yYNzvyfUAf/J5Tj
            OPB/OcCEU5l0Vj8PvVTRd4ra2z9I+fc8hHiBEwQ2WnkofC54fNT6lz7ATvSPqaP/U8RQUf8I/F964sVPkDBR4iRJkymTp0iZKnWa
            tOnSZ8iYKXOWrNmy58iZK7cqT958+QsULFS4SNFixUuoNWKQCGU5XtCWLFXao0zZcuUrVKxUuUpVz2rVa9SsVbuOV9169Rs0bNS4
            SdNmzVu0bNW6jc7bR2/wbevn3659QGCQ0RRstlhDOnS0dercpWu37j169urdp2+//gMGDho8ZOiw4SNGjho9Zuy48RMmTpo8Zeq0
            6TNmzpo9Z+68+QsWLlq8ZOmy5StWrlq9Zu269Rs2btq8Zeu27Tt27tq9Z+++/QcOHjp85Oix4ydOnjp95uy58xcuXrp85eq16zdu
            3rp95+69+w8ePnr85Omz5y9evnr95u279x8+fvr85eu37z9g/XF8/XHe/yPs/0zS4HL9TwjhCez/oP4HpNe/STI00a3/CYsxgvrf
            7eMfllqc1v885+j/FIP/y1P/czS8/pfwRQj+BzRKyFFuqv+wCLru/xxLePD/2BT/qPyfIuLo/ywP/V+Z/F8b0/3fV221WSEJxF79
            I8T+6f8U+r+yxN9gMME2CPp/of0/S4i3FPdw/fwPRhwL+f9/9f8EngtNjXw00uqvuaAt99C/KHqJzwC5fv6HQRwD9Z/s/q+z77Rj
            hP8T8Svwf/B/QHL9SyR6F/QvCt/R/8VXDOo/OfAzBAQYVeJfAHoFAAAAAAAAAAAAAAAAAAAAAAAAAAAAALflJ58OgjUAUAAA
            """

        static let ustar = """
            H4sIAAAAAAACA+3WQQqDMBAF0Kx7Ck/QZCYZPY9FSxeCViP0+BWXgSqtTSDtf5sIZmH8zEwaraIzi0pkXRfhuj6TWEPMJI6UIeKK
            VCEqgXny9bh8ytj3fmvf3vvwcJlo9BCN/jR/K0QG+adwP0DHqn9ha1zm+ccsrC8e/3r2D5+g/5fObeQvQf6WS1GFQf4vGuuRqg36
            f9sOJwX/qtHTfNHx6/+9+x+bkjH/0+RfR58Au/2fOMyfnc28/2fi1nZdXyy/AEMAAAAAAAAAAAAAAADgJzwBrw/dvQAoAAA=
            """
    }

    static let longName = "d/" + String(repeating: "x", count: 120) + ".bin"
    static let deepName =
        "d/" + String(repeating: "p", count: 90) + "/" + String(repeating: "q", count: 60) + "/f.txt"

    func archive(_ base64: String) throws -> TarArchive {
        let gzipped = try #require(Data(base64Encoded: base64.replacingOccurrences(of: "\n", with: "")))
        return try TarArchive(Gzip.decompress([UInt8](gzipped)))
    }

    @Test(
        "Files, folders and long names are read from GNU, pax and ustar archives made by GNU tar",
        arguments: ["gnu", "pax", "ustar"])
    func formats(format: String) throws {
        let text = ["gnu": Fixture.gnu, "pax": Fixture.pax, "ustar": Fixture.ustar][format]!
        let tar = try archive(text)
        #expect(tar.contents(of: "d/a.txt").map(Array.init) == Array("hello tar\n".utf8))
        #expect(tar.contents(of: Self.deepName).map(Array.init) == Array("deep\n".utf8))
        #expect(tar.entries.contains { $0.name == "d/sub/" && $0.kind == .directory })
        #expect(tar.contents(of: "d/sub/") == nil, "a folder has no contents to read")
        if format != "ustar" {
            let bytes: [UInt8] = (0..<768).map { UInt8($0 % 256) }
            #expect(tar.contents(of: Self.longName).map(Array.init) == bytes)
        }
        #expect(tar.contents(of: "d/missing.txt") == nil)
    }

    @Test("A damaged header, a truncated member and a file shorter than a header are errors that say so")
    func damaged() throws {
        let good = try archive(Fixture.ustar).bytes
        var flipped = good
        flipped[10] ^= 0x01  // a byte of the first name: the checksum no longer matches
        #expect(throws: DecompressionError.self) { try TarArchive(flipped) }
        do {
            _ = try TarArchive(flipped)
        } catch let error as DecompressionError {
            #expect(error.reason.contains("checksum") && error.reason.contains("byte 0"))
        }
        // Cut inside a member's content: the header says more bytes follow than do.
        let aTxt = try #require(try archive(Fixture.ustar).entries.first { $0.name == "d/a.txt" })
        #expect {
            try TarArchive(Array(good[..<(aTxt.contentOffset + 4)]))
        } throws: { error in
            "\(error)".contains("truncated")
        }
        #expect(throws: DecompressionError.self) { try TarArchive(Array("not a tar file".utf8)) }
        #expect(throws: DecompressionError.self) { try TarArchive([UInt8](repeating: 0x41, count: 1024)) }
    }
}

extension RPMVersion {
    /// rpm's `rpmvercmp` (rpmio/rpmvercmp.c), step for step: segments of ASCII digits or ASCII
    /// letters are compared, other characters only separate them; `~` sorts before anything,
    /// even the end of the string, and `^` after the end but before anything else. Returns
    /// -1, 0 or 1.
    public static func rpmvercmp(_ a: String, _ b: String) -> Int {
        if a == b { return 0 }
        let one = Array(a.utf8)
        let two = Array(b.utf8)
        var i = 0
        var j = 0
        func at(_ bytes: [UInt8], _ index: Int) -> UInt8 { index < bytes.count ? bytes[index] : 0 }

        while at(one, i) != 0 || at(two, j) != 0 {
            while at(one, i) != 0 && !isAlnum(at(one, i)) && at(one, i) != tilde && at(one, i) != caret { i += 1 }
            while at(two, j) != 0 && !isAlnum(at(two, j)) && at(two, j) != tilde && at(two, j) != caret { j += 1 }

            if at(one, i) == tilde || at(two, j) == tilde {
                if at(one, i) != tilde { return 1 }
                if at(two, j) != tilde { return -1 }
                i += 1
                j += 1
                continue
            }

            // A caret is like a tilde, except that the end of a string (the base version)
            // sorts before it.
            if at(one, i) == caret || at(two, j) == caret {
                if at(one, i) == 0 { return -1 }
                if at(two, j) == 0 { return 1 }
                if at(one, i) != caret { return 1 }
                if at(two, j) != caret { return -1 }
                i += 1
                j += 1
                continue
            }

            if at(one, i) == 0 || at(two, j) == 0 { break }

            var end1 = i
            var end2 = j
            let isNumeric = isDigit(at(one, i))
            let inSegment = { (byte: UInt8) in isNumeric ? isDigit(byte) : isAlpha(byte) }
            while at(one, end1) != 0 && inSegment(at(one, end1)) { end1 += 1 }
            while at(two, end2) != 0 && inSegment(at(two, end2)) { end2 += 1 }

            // A numeric segment is newer than an alpha one (and `two` has no segment of
            // this kind here).
            if j == end2 { return isNumeric ? 1 : -1 }

            var start1 = i
            var start2 = j
            if isNumeric {
                while start1 < end1 && one[start1] == zero { start1 += 1 }
                while start2 < end2 && two[start2] == zero { start2 += 1 }
                let length1 = end1 - start1
                let length2 = end2 - start2
                if length1 != length2 { return length1 > length2 ? 1 : -1 }
            }
            let segment1 = one[start1..<end1]
            let segment2 = two[start2..<end2]
            if segment1 != segment2 { return segment1.lexicographicallyPrecedes(segment2) ? -1 : 1 }

            i = end1
            j = end2
        }

        // Every segment compared equal but the separators differed.
        if at(one, i) == 0 && at(two, j) == 0 { return 0 }
        return at(one, i) == 0 ? -1 : 1
    }
}

private let tilde = UInt8(ascii: "~")
private let caret = UInt8(ascii: "^")
private let zero = UInt8(ascii: "0")

private func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

private func isAlpha(_ byte: UInt8) -> Bool { (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) }

private func isAlnum(_ byte: UInt8) -> Bool { isDigit(byte) || isAlpha(byte) }

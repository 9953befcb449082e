//! Byte searches that need no run-time CPU feature detection.
//!
//! On x86_64 the memchr crate's top-level functions pick AVX2 code at their
//! first use, detecting it with the `cpuid` instruction, which in a virtual
//! machine traps to the hypervisor (about 3.5 us an instruction on the
//! machines we measure on; detection runs several). A `notation` process is
//! short, and that detection was a measurable part of a `blob verify`. SSE2
//! is part of x86_64, needs no detection, and searches texts of the sizes
//! read here (envelope members, PEM files) in the same time. Substrings are
//! found with Two-Way, which is linear in the text whatever it holds.

/// The first `a` or `b` in `haystack`.
pub(crate) fn find2(a: u8, b: u8, haystack: &[u8]) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    if let Some(two) = memchr::arch::x86_64::sse2::memchr::Two::new(a, b) {
        return two.find(haystack);
    }
    memchr::memchr2(a, b, haystack)
}

/// Every `a` or `b` in `haystack`, first to last.
pub(crate) fn find2_all(a: u8, b: u8, haystack: &[u8]) -> impl Iterator<Item = usize> + '_ {
    let mut from = 0;
    std::iter::from_fn(move || {
        let at = from + find2(a, b, haystack.get(from..)?)?;
        from = at + 1;
        Some(at)
    })
}

/// Whether `haystack` holds `byte`.
pub(crate) fn contains(byte: u8, haystack: &[u8]) -> bool {
    #[cfg(target_arch = "x86_64")]
    if let Some(one) = memchr::arch::x86_64::sse2::memchr::One::new(byte) {
        return one.find(haystack).is_some();
    }
    memchr::memchr(byte, haystack).is_some()
}

/// The first occurrence of `needle` in `haystack`.
pub(crate) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::arch::all::twoway::Finder::new(needle).find(haystack, needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn searches_agree_with_the_obvious_ones() {
        let texts: [&[u8]; 6] = [
            b"",
            b"a",
            b"\"",
            b"abc\\def\"ghi\"",
            b"-----BEGIN X-----\nQUJD\n-----END X-----\n",
            &[b'x'; 100],
        ];
        for text in texts {
            let positions: Vec<usize> = (0..text.len())
                .filter(|&i| text[i] == b'"' || text[i] == b'\\')
                .collect();
            assert_eq!(find2(b'"', b'\\', text), positions.first().copied());
            assert_eq!(find2_all(b'"', b'\\', text).collect::<Vec<_>>(), positions);
            assert_eq!(contains(b'\\', text), text.contains(&b'\\'));
            for needle in [&b"-----END"[..], b"x", b"xx", b"QUJD\n", b"nowhere"] {
                let expected = text.windows(needle.len()).position(|w| w == needle);
                assert_eq!(find(text, needle), expected, "{needle:?} in {text:?}");
            }
        }
        // Past the 16 bytes of one SSE2 vector, and at its edges.
        let mut long = vec![b'.'; 100];
        for at in [0, 15, 16, 17, 31, 32, 99] {
            long[at] = b'"';
            assert_eq!(find2(b'"', b'\\', &long), Some(at));
            long[at] = b'.';
        }
        // Many matches, of both bytes, across vector boundaries.
        let marks = [3, 15, 16, 17, 40, 63, 64, 65, 98, 99];
        for (i, &at) in marks.iter().enumerate() {
            long[at] = if i % 2 == 0 { b'"' } else { b'\\' };
        }
        assert_eq!(find2_all(b'"', b'\\', &long).collect::<Vec<_>>(), marks);
    }
}

//! Stable, dependency-free hashing for identities that must not change between
//! runs, machines or lexguard versions (fingerprints, shard assignment, GitHub's
//! line hashes).

use std::collections::HashMap;

/// GitHub's `primaryLocationLineHash` for every line of `text` (index 0 is line
/// 1), computed as github/codeql-action's upload step does (`fingerprints.ts`),
/// so a log uploaded through the API matches one the action would have
/// fingerprinted itself and alerts keep their identity across both.
///
/// Spaces and tabs are dropped and CR / CRLF count as LF; the hash of a line is
/// a polynomial rolling hash (base 37, wrapping 64-bit) over the next 100
/// remaining UTF-16 code units from the line's start, in lowercase hex without
/// leading zeros, followed by `:N`, N counting earlier lines of the file with
/// the same hash. A final empty line (after a trailing line break) gets a hash
/// too, as in the action.
// Every index into the two windows is kept modulo their length (`BLOCK`), so
// indexing cannot panic; `get` would only hide that invariant.
#[allow(clippy::indexing_slicing)]
pub fn line_hashes(text: &str) -> Vec<String> {
    const BLOCK: usize = 100;
    const BASE: u64 = 37;
    // Marks the end of input; the action feeds it in like a character.
    const EOF: u64 = 0xFFFF;
    let first_mod = (0..BLOCK).fold(1u64, |m, _| m.wrapping_mul(BASE));

    struct State {
        window: [u64; BLOCK],
        // Line number starting at each window slot, 0 for none.
        lines: [usize; BLOCK],
        index: usize,
        hash: u64,
        counts: HashMap<u64, usize>,
        out: Vec<String>,
    }
    impl State {
        fn emit(&mut self) {
            let n = self.counts.entry(self.hash).or_insert(0);
            *n += 1;
            self.out.push(format!("{:x}:{n}", self.hash));
            self.lines[self.index] = 0;
        }
        fn push(&mut self, unit: u64, first_mod: u64) {
            let oldest = self.window[self.index];
            self.window[self.index] = unit;
            self.hash = self
                .hash
                .wrapping_mul(BASE)
                .wrapping_add(unit)
                .wrapping_sub(first_mod.wrapping_mul(oldest));
            self.index = (self.index + 1) % BLOCK;
        }
    }

    let mut state = State {
        window: [0; BLOCK],
        lines: [0; BLOCK],
        index: 0,
        hash: 0,
        counts: HashMap::new(),
        out: Vec::new(),
    };
    let mut line = 0;
    let mut line_start = true;
    let mut prev_cr = false;
    let units = text.encode_utf16().map(u64::from).chain([EOF]);
    for mut unit in units {
        let lf = u64::from(b'\n');
        if unit == u64::from(b' ') || unit == u64::from(b'\t') || (prev_cr && unit == lf) {
            prev_cr = false;
            continue;
        }
        prev_cr = unit == u64::from(b'\r');
        if prev_cr {
            unit = lf;
        }
        // A full window since this slot's line started: its hash is complete.
        if state.lines[state.index] != 0 {
            state.emit();
        }
        if line_start {
            line_start = false;
            line += 1;
            state.lines[state.index] = line;
        }
        if unit == lf {
            line_start = true;
        }
        state.push(unit, first_mod);
    }
    // Lines that started within the last window.
    for _ in 0..BLOCK {
        if state.lines[state.index] != 0 {
            state.emit();
        }
        state.push(0, first_mod);
    }
    state.out
}

/// 64-bit FNV-1a.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

//! Seeded identifiers and secrets.
//!
//! WorkOS ids are `<prefix>_` followed by a ULID: 10 characters of time and 16
//! of randomness in Crockford base32. Here the time part comes from the
//! virtual clock and the randomness from a seeded generator, so a scenario
//! produces the same ids, tokens and codes on every run.
//!
//! One stream per purpose (ids, secrets, numbers, fake data, flow handles), each seeded
//! from the scenario's seed: drawing one more secret does not move any id,
//! and a new fake field does not move any token, so a snapshot changes only
//! where what it shows changed.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use fake::rand::rngs::StdRng;
use fake::rand::{RngExt, SeedableRng};

use crate::common::clock::Clock;

const ALNUM: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// The seed scenarios use unless told otherwise.
pub const DEFAULT_SEED: u64 = 0x5049_5045_5321;

/// What a draw is for; each purpose has its own stream.
#[derive(Debug, Clone, Copy)]
enum Purpose {
    Ids = 1,
    Secrets = 2,
    Numbers = 3,
    Fake = 4,
    Handles = 5,
}

/// A shared source of ids, secrets and fake data.
#[derive(Debug, Clone)]
pub struct IdGen {
    clock: Clock,
    streams: Arc<[Mutex<StdRng>; 5]>,
}

impl IdGen {
    /// A generator seeded with `seed`, reading time from `clock`.
    pub fn new(clock: Clock, seed: u64) -> Self {
        let stream = |p: Purpose| {
            // Distinct, well-spread seeds per purpose (splitmix64's constant).
            let mixed = seed ^ (p as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            Mutex::new(StdRng::seed_from_u64(mixed))
        };
        IdGen {
            clock,
            streams: Arc::new([
                stream(Purpose::Ids),
                stream(Purpose::Secrets),
                stream(Purpose::Numbers),
                stream(Purpose::Fake),
                stream(Purpose::Handles),
            ]),
        }
    }

    fn rng(&self, purpose: Purpose) -> MutexGuard<'_, StdRng> {
        // A panic elsewhere never leaves the RNG in a state worth refusing.
        self.streams[purpose as usize - 1]
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// A 26-character ULID for the current virtual time.
    pub fn ulid(&self) -> String {
        self.new_ulid().to_string()
    }

    /// The ULID [`IdGen::ulid`] writes, to write elsewhere (the same draw).
    pub fn new_ulid(&self) -> ulid::Ulid {
        let time = u64::try_from(self.clock.now_ms()).unwrap_or(0) & ((1 << 48) - 1);
        let random: u128 = self.rng(Purpose::Ids).random::<u128>();
        ulid::Ulid::from_parts(time, random)
    }

    /// `<prefix>_<ULID>`, as WorkOS ids look (`user_01J...`).
    pub fn id(&self, prefix: &str) -> String {
        format!("{prefix}_{}", self.ulid())
    }

    /// `<prefix><n alphanumerics>`, for tokens and secrets (`gho_...`).
    pub fn secret(&self, prefix: &str, len: usize) -> String {
        let mut rng = self.rng(Purpose::Secrets);
        let mut s = String::with_capacity(prefix.len() + len);
        s.push_str(prefix);
        for _ in 0..len {
            s.push(ALNUM[rng.random_range(0..ALNUM.len())] as char);
        }
        s
    }

    /// `len` alphanumerics for the handles of a connect flow the app sees
    /// (the authorize answer's `state`, a `connect_code`), from their own
    /// stream: adding one moves no token or code drawn before.
    pub fn handle(&self, len: usize) -> String {
        let mut rng = self.rng(Purpose::Handles);
        (0..len)
            .map(|_| ALNUM[rng.random_range(0..ALNUM.len())] as char)
            .collect()
    }

    /// Lowercase hex of `bytes` random bytes.
    pub fn hex(&self, bytes: usize) -> String {
        let mut rng = self.rng(Purpose::Secrets);
        (0..bytes)
            .map(|_| format!("{:02x}", rng.random::<u8>()))
            .collect()
    }

    /// A number in `range`, from the seeded generator.
    pub fn number(&self, range: std::ops::Range<u64>) -> u64 {
        self.rng(Purpose::Numbers).random_range(range)
    }

    /// Runs `f` with the seeded generator, for `fake` data:
    /// `ids.with_rng(|rng| Name().fake_with_rng(rng))`.
    pub fn with_rng<T>(&self, f: impl FnOnce(&mut StdRng) -> T) -> T {
        f(&mut self.rng(Purpose::Fake))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_prefixed_ulids_in_crockford_base32() {
        let ids = IdGen::new(Clock::scenario(), 1);
        let id = ids.id("user");
        let ulid = id.strip_prefix("user_").expect("prefix");
        assert_eq!(ulid.len(), 26);
        assert!(ulid::Ulid::from_string(ulid).is_ok(), "{ulid}");
    }

    #[test]
    fn same_seed_same_ids() {
        let a = IdGen::new(Clock::scenario(), 7);
        let b = IdGen::new(Clock::scenario(), 7);
        for _ in 0..5 {
            assert_eq!(a.id("event"), b.id("event"));
            assert_eq!(a.secret("gho_", 36), b.secret("gho_", 36));
        }
    }

    #[test]
    fn a_secret_drawn_more_does_not_move_the_ids() {
        let a = IdGen::new(Clock::scenario(), 7);
        let b = IdGen::new(Clock::scenario(), 7);
        let _ = b.secret("extra_", 40);
        let _ = b.with_rng(|rng| rng.random::<u64>());
        assert_eq!(a.id("user"), b.id("user"));
        assert_eq!(a.number(0..1000), b.number(0..1000));
    }

    #[test]
    fn time_part_follows_the_clock() {
        let clock = Clock::scenario();
        let ids = IdGen::new(clock.clone(), 1);
        let before = ids.ulid();
        clock.advance(std::time::Duration::from_secs(86_400));
        let after = ids.ulid();
        assert!(after[..10] > before[..10]);
    }
}

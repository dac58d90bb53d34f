//! Splitting scenarios across CI machines: `--shard I/N`.
//!
//! A scenario's shard comes from a hash of its feature path, its name and its
//! line, never from its position in the run: adding or removing a scenario
//! moves no other scenario to another shard, and every machine computes the
//! same split from the same paths without talking to the others. SHA-256
//! rather than `std`'s hasher, whose output may change between Rust releases.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};

/// Shard `index` of `count`, 1-based as people count (`--shard 1/4` .. `4/4`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    index: u32,
    count: u32,
}

/// `--shard` was not `I/N` with `1 <= I <= N`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid shard {given:?}: expected I/N with 1 <= I <= N, e.g. 2/4 for the second of four machines"
)]
pub struct ShardError {
    given: String,
}

impl Shard {
    /// Shard `index` of `count`; `None` unless `1 <= index <= count`.
    pub fn new(index: u32, count: u32) -> Option<Self> {
        (index >= 1 && index <= count).then_some(Shard { index, count })
    }

    /// Which shard, 1-based.
    pub fn index(self) -> u32 {
        self.index
    }

    /// How many shards.
    pub fn count(self) -> u32 {
        self.count
    }

    /// Whether this shard runs the scenario at `line` of `feature_path` named `scenario`.
    pub fn runs(self, feature_path: &str, scenario: &str, line: usize) -> bool {
        shard_of(feature_path, scenario, line, self.count) == self.index
    }
}

/// The 1-based shard of `count` a scenario belongs to.
pub fn shard_of(feature_path: &str, scenario: &str, line: usize, count: u32) -> u32 {
    let path = feature_path.replace('\\', "/");
    let path = path.trim_start_matches("./");
    let mut hasher = Sha256::new();
    // Separators keep ("a", "bc") and ("ab", "c") apart.
    hasher.update(path.as_bytes());
    hasher.update([0]);
    hasher.update(scenario.as_bytes());
    hasher.update([0]);
    hasher.update(line.to_string().as_bytes());
    let digest = hasher.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    let bucket = u64::from_be_bytes(first) % u64::from(count.max(1));
    // `bucket < count <= u32::MAX`, so the conversion cannot fail.
    u32::try_from(bucket).unwrap_or(0) + 1
}

impl FromStr for Shard {
    type Err = ShardError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ShardError {
            given: s.to_string(),
        };
        let (i, n) = s.trim().split_once('/').ok_or_else(err)?;
        let index = i.trim().parse::<u32>().map_err(|_| err())?;
        let count = n.trim().parse::<u32>().map_err(|_| err())?;
        Shard::new(index, count).ok_or_else(err)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_as_index_slash_count() {
        assert_eq!("2/4".parse::<Shard>(), Ok(Shard { index: 2, count: 4 }));
        for bad in ["0/4", "5/4", "1/0", "1", "a/b", "1/4/2", ""] {
            assert!(bad.parse::<Shard>().is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn every_scenario_lands_in_exactly_one_of_n_shards() {
        for count in 1..=5 {
            for n in 0..200 {
                let name = format!("scenario {n}");
                let hits = (1..=count)
                    .filter(|&i| {
                        Shard::new(i, count).is_some_and(|s| s.runs("features/a.feature", &name, n))
                    })
                    .count();
                assert_eq!(hits, 1, "{name} of {count} shards");
            }
        }
    }

    #[test]
    fn the_split_is_pinned_so_scenarios_never_move_between_machines() {
        // Changing the hash would silently reshuffle every CI machine's share.
        assert_eq!(
            shard_of(
                "features/connect/github.feature",
                "Alice connects GitHub and the app reads her profile",
                10,
                4
            ),
            1
        );
        assert_eq!(
            shard_of(
                "features/recovery/redirect_uri_mismatch.feature",
                "The GitHub OAuth app is registered with a different callback URL",
                8,
                4
            ),
            4
        );
        assert_eq!(shard_of("./features/a.feature", "Bob reconnects", 30, 4), 4);
    }

    #[test]
    fn scenarios_spread_over_the_shards() {
        let mut sizes = [0usize; 4];
        for n in 0..400 {
            let s = shard_of("features/x.feature", &format!("scenario {n}"), n, 4);
            sizes[(s - 1) as usize] += 1;
        }
        assert!(sizes.iter().all(|&n| n > 60), "uneven split {sizes:?}");
    }
}
